import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities, MessageRef } from '../activities';
import type { Outcome } from '../shared/constants';
import { parseDuration } from '../shared/duration';
import { requestSnooze, snoozeDecision } from '../shared/messages';
import type { SnoozeRefusal } from '../shared/record/events';
import {
  type SnoozeDecisionSignal,
  type SnoozeRequest,
  type SnoozeRequestResult,
  snoozeChoices,
} from '../shared/snooze';
import { STEP_BOUND } from './activity-proxies';
import { mayDecide } from './approval';
import { isSubject } from './authority';
import type { Interview } from './interview-state';

/** Interviews started before the snooze never offer one; the marker shows where one was offered. */
const SNOOZE_PATCH = 'employee-snooze';
/** Interviews before it let any operator decide a snooze, whatever the policy's approvers. */
const SNOOZE_APPROVERS_PATCH = 'snooze-decision-approvers';
/** How long the outcome note's offer stays open: the interview waits that long for a request. */
export const SNOOZE_OFFER_MS = 15 * 60_000;
/** The longest reason kept, as the snooze modal allows. */
const MAX_REASON = 300;

const { createSnooze, postSnoozeApproval, markSnoozeDecided, announceSnooze } = proxyActivities<
  Pick<Activities, 'createSnooze' | 'postSnoozeApproval' | 'markSnoozeDecided' | 'announceSnooze'>
>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: STEP_BOUND,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface SnoozeState {
  offer?: { untilMs: number; max: string; approval: boolean; choices: string[] };
  request?: SnoozeRequest;
  /** Approve and Refuse count only while this is true. */
  approvalOpen: boolean;
  decision?: SnoozeDecisionSignal;
  /** Approve and Refuse not yet checked against the policy's approvers (SNOOZE_APPROVERS_PATCH). */
  pending: SnoozeDecisionSignal[];
  checkApprovers: boolean;
  readonly seenIds: Set<string>;
}

export const newSnoozeState = (): SnoozeState => ({
  approvalOpen: false,
  pending: [],
  checkApprovers: false,
  seenIds: new Set(),
});

/**
 * Decided with the outcome, before the DM says it: a "yes" verified with this interview's own second
 * factor, under a policy that allows a snooze, offers one. Nothing else does (no factor required, not
 * enrolled and accepted, decided by another alert's interview).
 */
export function offerSnooze(iv: Interview, outcome: Outcome): void {
  const policy = iv.prepared?.policy;
  // Policies kept by interviews started before the field existed have no `snooze`.
  if (outcome !== 'confirmed_verified' || !iv.secondFactor.verified || !policy?.snooze) return;
  const { max, approval } = policy.snooze;
  const choices = snoozeChoices(max, policy.suppression.window);
  if (choices.length === 0 || !patched(SNOOZE_PATCH)) return;
  const untilMs = Date.now() + SNOOZE_OFFER_MS;
  iv.snooze.offer = { untilMs, max, approval, choices };
  iv.note('snooze_offered', 'vouch', { max, until: new Date(untilMs).toISOString(), approval, choices });
}

/** The request and the operator's answer are only taken here; the step below acts on them. */
export function registerSnoozeHandlers(iv: Interview): void {
  setHandler(requestSnooze, (r: SnoozeRequest): SnoozeRequestResult => {
    const s = iv.snooze;
    if (s.seenIds.has(r.requestId)) return { accepted: s.request?.requestId === r.requestId };
    s.seenIds.add(r.requestId);
    const refusal = snoozeRefusal(iv, r);
    if (refusal) {
      iv.note('snooze_refused', r.slackUserId, { reason: refusal, duration: r.duration.slice(0, 20) });
      return { accepted: false, refusal };
    }
    // Cut as the bot cuts it: a request from elsewhere cannot fill the record either.
    s.request = { ...r, ...(r.reason ? { reason: r.reason.slice(0, MAX_REASON) } : {}) };
    const approval = s.offer!.approval;
    iv.note('snooze_requested', r.slackUserId, {
      duration: r.duration,
      ...(s.request.reason ? { reason: s.request.reason } : {}),
      approval,
    });
    return { accepted: true, approval };
  });

  setHandler(snoozeDecision, (d: SnoozeDecisionSignal) => {
    const s = iv.snooze;
    if (s.seenIds.has(d.decisionId)) return;
    s.seenIds.add(d.decisionId);
    // Never the employee who asked, whatever sent the signal.
    if (isSubject(iv, d.operator))
      return iv.note('self_action_refused', 'vouch', {
        operator: d.operator,
        action: `${d.decision} snooze`,
      });
    if (!s.approvalOpen) return;
    if (s.checkApprovers) s.pending.push(d);
    else s.decision ??= d;
  });
}

/** Why a request cannot be taken; every refusal is recorded. */
function snoozeRefusal(iv: Interview, r: SnoozeRequest): SnoozeRefusal | undefined {
  const s = iv.snooze;
  if (!iv.employeeId() || r.slackUserId !== iv.employeeId()) return 'not_the_employee';
  if (!iv.secondFactor.verified) return 'second_factor_not_verified';
  if (!s.offer) return 'not_offered';
  if (s.request) return 'already_requested';
  if (Date.now() > s.offer.untilMs) return 'offer_expired';
  if (!s.offer.choices.includes(r.duration)) return 'longer_than_max';
  return undefined;
}

/**
 * The first Approve or Refuse by one of the policy's approvers (any operator when it names none)
 * within `timeoutMs`; each one by someone else is recorded and ignored.
 */
async function awaitApprovedDecision(
  iv: Interview,
  approvers: string[],
  timeoutMs: number,
): Promise<boolean> {
  const s = iv.snooze;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0 || !(await condition(() => s.pending.length > 0, left))) return false;
    const d = s.pending.shift()!;
    if (await mayDecide(iv, d.operator, approvers)) {
      s.decision = d;
      return true;
    }
    iv.note('snooze_decision_refused', 'vouch', {
      operator: d.operator,
      decision: d.decision,
      alertType: iv.alert.type,
    });
  }
}

/**
 * After the outcome of a verified "yes" that offered a snooze: waits for the employee's request while
 * the offer is open, then (with `snooze.approval`) for an operator's approval, and makes the snooze:
 * the suppression of this alert's scope, announced in the security channel.
 */
export async function snoozeOnRequest(iv: Interview): Promise<void> {
  const s = iv.snooze;
  if (!s.offer) return;
  const offerLeft = s.offer.untilMs - Date.now();
  if (!s.request && offerLeft > 0) await condition(() => s.request !== undefined, offerLeft);
  const request = s.request;
  if (!request) return;
  const { policy, employee, fingerprint } = iv.ready;
  const base = { workflowId: iv.workflowId, alertId: iv.alert.id };
  const channel = policy.escalation.channel;
  const asked = { duration: request.duration, ...(request.reason ? { reason: request.reason } : {}) };
  let approvedBy: string | undefined;
  if (s.offer.approval) {
    const post = await postSnoozeApproval({ ...base, channel, ...asked });
    iv.note('snooze_approval_requested', 'vouch', post);
    s.checkApprovers = patched(SNOOZE_APPROVERS_PATCH);
    s.approvalOpen = true;
    await iv.persist();
    const timeoutMs = parseDuration(policy.approval.timeout);
    const decided = s.checkApprovers
      ? await awaitApprovedDecision(iv, policy.approval.approvers ?? [], timeoutMs)
      : await condition(() => s.decision !== undefined, timeoutMs);
    s.approvalOpen = false;
    const decision = decided ? s.decision!.decision : 'timeout';
    const by = s.decision?.operator;
    iv.note('snooze_decided', 'vouch', { decision, ...(by ? { by } : {}) });
    await iv.persist();
    await markSnoozeDecided({ ...base, post: post as MessageRef, ...asked, decision, by });
    if (decision !== 'approve') return;
    approvedBy = by;
  }
  const created = await createSnooze({
    ...base,
    // The Slack id as always; an employee without Slack by their key, as suppressions are kept.
    ...(employee.slackUserId ? { slackUserId: employee.slackUserId } : { employeeKey: iv.factorKey()! }),
    alertType: iv.alert.type,
    fingerprint,
    windowMs: parseDuration(request.duration),
    snooze: { requestedBy: request.slackUserId, ...asked, ...(approvedBy ? { approvedBy } : {}) },
  });
  iv.note('snooze_created', 'vouch', {
    suppressionId: created.id,
    expiresAt: created.expiresAt,
    duration: request.duration,
    requestedBy: request.slackUserId,
    ...(approvedBy ? { approvedBy } : {}),
  });
  await iv.persist();
  const announced = await announceSnooze({
    ...base,
    channel,
    suppressionId: created.id,
    expiresAt: created.expiresAt,
    ...asked,
    approvedBy,
  });
  iv.note('snooze_announced', 'vouch', announced);
  await iv.persist();
}
