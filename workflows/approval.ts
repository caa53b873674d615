import { patched } from '@temporalio/workflow';
import type { OperatorAction } from '../shared/messages';
import { parseDuration } from '../shared/duration';
import { TEAMS_OPERATOR_AUTHORITY_PATCH, ignoreStale, staleDecision } from './authority';
import { proposeForApproval } from './follow-ups';
import type { Decision, Interview } from './interview-state';
import { OperatorInterrupt, waitFor } from './operator-interrupt';
import { extendDeadline } from './overall-deadline';

/**
 * Approval mode: the interview is posted to the security channel and waits for an approver's
 * approve or skip (or the policy's timeout) before the employee hears of it.
 */
export async function seekApproval(iv: Interview): Promise<Decision | undefined> {
  const { policy } = iv.ready;
  if (policy.mode !== 'approval') return undefined;
  const { approvers, onTimeout } = policy.approval;
  const timeout = parseDuration(policy.approval.timeout);
  iv.deadlines.approval = new Date(Date.now() + timeout).toISOString();
  extendDeadline(iv, Date.now() + timeout);
  iv.approvalOpen = true;
  await iv.setPhase('awaiting_approval');
  const proposedQuestions = await proposeForApproval(iv);
  const request = await iv.acts.approval.postApprovalRequest({
    workflowId: iv.workflowId,
    alertId: iv.alert.id,
    employeeLabel: iv.employeeLabel(),
    channel: policy.escalation.channel,
    proposedQuestions,
    approvers,
  });
  if (iv.patches.typedRecord)
    iv.note('approval_requested', 'vouch', {
      channel: request.channel,
      ts: request.ts,
      approvers: approvers ?? [],
    });
  const decided = await awaitApproval(iv, approvers, timeout);
  iv.approvalOpen = false;
  const decision = staleDecision(iv);
  if (iv.patches.guarded) for (const later of iv.approvalRequests.splice(0)) ignoreStale(iv, later, decision);
  await recordApprovalDecision(iv, decided ? iv.approval!.action : 'timeout', iv.approval?.operator);
  if (!decided) {
    iv.note('approval_timeout', 'vouch', { timeout: policy.approval.timeout, onTimeout });
    if (onTimeout === 'skip') return { outcome: 'skipped_by_operator' };
  } else if (iv.approval?.action === 'skip') return { outcome: 'skipped_by_operator' };
  return undefined;
}

/**
 * The approval post shows the decision and loses its buttons. Recorded as an event by interviews
 * with the typed record; interviews started before the last line of defence never updated the post.
 */
export async function recordApprovalDecision(
  iv: Interview,
  action: OperatorAction['action'] | 'timeout',
  by: string | undefined,
): Promise<void> {
  if (iv.patches.typedRecord)
    iv.note('approval_decided', 'vouch', { decision: action, ...(by !== undefined ? { by } : {}) });
  if (iv.patches.guarded)
    await iv.acts.approval.markApprovalDecided({
      workflowId: iv.workflowId,
      alertId: iv.alert.id,
      employeeLabel: iv.employeeLabel(),
      action,
      by,
    });
}

/**
 * Waits for an approve or skip from someone the policy lets decide, until the timeout. With
 * `approval.approvers`, a Slack user or a Teams operator (`aad:<object id>`) must be one of them (by
 * Slack id, Entra object id or directory email) or in one of their user groups; operators acting
 * through the CLI or the Temporal Web UI are trusted as whoever can reach Temporal.
 */
async function awaitApproval(iv: Interview, approvers: string[] = [], timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (!(await waitFor(iv, () => iv.approvalRequests.length > 0, until - Date.now()))) return false;
    const request = iv.approvalRequests.shift()!;
    if (await mayDecide(iv, request.operator, approvers)) {
      if (iv.patches.guarded && request.action !== 'approve' && request.action !== 'skip') {
        iv.interrupt = request; // escalate, close or cancel by an approver
        throw new OperatorInterrupt(request);
      }
      iv.approval = request;
      return true;
    }
    iv.note('approval_refused', 'vouch', {
      operator: request.operator,
      action: request.action,
      alertType: iv.alert.type,
    });
    await iv.setPhase(iv.phase);
  }
}

/** Whether `operator` is one of the policy's approvers (none named: any operator). */
export async function mayDecide(iv: Interview, operator: string, approvers: string[]): Promise<boolean> {
  if (approvers.length === 0 || approvers.includes(operator)) return true;
  const byDirectory =
    operator.startsWith('aad:') || (SLACK_USER.test(operator) && approvers.some((a) => !SLACK_ID.test(a)));
  if (byDirectory && patched(TEAMS_OPERATOR_AUTHORITY_PATCH))
    return iv.acts.approval.isApprover({ operator, approvers });
  if (!SLACK_USER.test(operator)) return true;
  const groups = approvers.filter((id) => id.startsWith('S'));
  return groups.length > 0 && (await iv.acts.approval.isInUserGroups({ slackUserId: operator, groups }));
}

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;
