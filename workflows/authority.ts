import { patched } from '@temporalio/workflow';
import type { OperatorAction } from '../shared/messages';
import type { EventFields } from '../shared/record/events';
import { stopFollowUps } from './follow-ups';
import type { Interview } from './interview-state';

/**
 * Interviews before it took a Teams operator (`aad:<object id>`) who is the subject for someone else,
 * and let any Teams operator decide whatever the policy's approvers.
 */
export const TEAMS_OPERATOR_AUTHORITY_PATCH = 'teams-operator-authority';

/**
 * The person the alert is about: by Slack id, email, the email's local part or the alert's username
 * (as resolved, or as the alert gives them), however the operator is written (`<@U…>`, `@ana`,
 * `cli:ana`). A namesake is refused too: another operator can act, never the subject.
 */
export function isSubject(iv: Interview, operator: string): boolean {
  const who = operator
    .trim()
    .toLowerCase()
    .replace(/^<@([a-z0-9]+)(\|[^>]*)?>$/, '$1')
    .replace(/^(cli:|@)/, '');
  const e = iv.prepared?.employee;
  const given = iv.alert.employee;
  const emails = [e?.email, given.email].filter((x): x is string => x !== undefined);
  const named = [
    iv.employeeId(), // their Slack id, or aad:<object id> for someone Teams alone knows
    e?.slackUserId,
    given.slackUserId,
    given.username,
    ...emails,
    ...emails.map((m) => m.split('@')[0]),
  ].some((id) => id !== undefined && id !== '' && id.toLowerCase() === who);
  if (named) return true;
  // A Teams operator is named by their Entra object id, which the directory lists for the employee too.
  const aad = e?.aadObjectId?.toLowerCase();
  return aad !== undefined && who === `aad:${aad}` && patched(TEAMS_OPERATOR_AUTHORITY_PATCH);
}

export function refuseSelfAction(iv: Interview, a: OperatorAction): void {
  iv.note('self_action_refused', 'vouch', { operator: a.operator, action: a.action });
}

type Stale = Omit<EventFields['stale_operator_action'], 'operator' | 'action'>;

export function ignoreStale(iv: Interview, a: OperatorAction, why: Stale): void {
  iv.note('stale_operator_action', 'vouch', { operator: a.operator, action: a.action, ...why });
}

/** Why a decision comes too late: already decided, or nobody decided in time. */
export function staleDecision(iv: Interview): Stale {
  const { approval } = iv;
  return approval
    ? { reason: 'already_decided', decision: approval.action, decidedBy: approval.operator }
    : { reason: 'too_late' };
}

/**
 * Authority, checked here whatever sent the signal (Slack, the CLI, the Web UI): nobody acts on an
 * alert about themselves; approve and skip count only while the interview waits for approval; every
 * action in that phase goes through the policy's approvers (checked when the approval step takes it).
 */
export function checkOperatorAction(iv: Interview, a: OperatorAction): void {
  if (isSubject(iv, a.operator)) return refuseSelfAction(iv, a);
  const decision = a.action === 'approve' || a.action === 'skip';
  if (iv.outcome) {
    if (decision) return ignoreStale(iv, a, { reason: 'interview_ended', outcome: iv.outcome });
    if (a.action === 'cancel' || a.action === 'close') takeCloseAfterOutcome(iv, a);
    return;
  }
  if (iv.approvalOpen) {
    iv.approvalRequests.push(a);
    return;
  }
  if (decision)
    return ignoreStale(
      iv,
      a,
      iv.approval ? staleDecision(iv) : { reason: 'not_awaiting_approval', phase: iv.phase },
    );
  iv.interrupt ??= a;
}

/**
 * Interviews started before the authority checks: approve and skip count while the approval may
 * still come, anything else ends the interview.
 */
export function takeUncheckedOperatorAction(iv: Interview, a: OperatorAction): void {
  if (iv.outcome) {
    if (a.action === 'cancel' || a.action === 'close') takeCloseAfterOutcome(iv, a);
    return;
  }
  const mayApprove = iv.phase === 'awaiting_approval' || iv.phase === 'starting';
  if ((a.action === 'approve' || a.action === 'skip') && mayApprove) iv.approvalRequests.push(a);
  else if (a.action !== 'approve') iv.interrupt ??= a;
}

/** After the outcome, which stands: no more follow-up questions, and an open escalation is closed. */
function takeCloseAfterOutcome(iv: Interview, a: OperatorAction): void {
  stopFollowUps(iv.followUps, a.operator);
  if (iv.awaitsResolution()) iv.resolution ??= a;
}
