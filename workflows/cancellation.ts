import { log } from '@temporalio/workflow';
import type { Outcome } from '../shared/constants';
import type { OperatorAction } from '../shared/messages';
import { bestEffortRecording } from './activity-proxies';
import { recordApprovalDecision } from './approval';
import { stopFollowUps } from './follow-ups';
import type { Decision, Interview, InterviewResult } from './interview-state';
import { postOutcome } from './outcome';
import { sendVerdict } from './verdicts';

const OPERATOR_OUTCOME: Record<'skip' | 'escalate' | 'close' | 'cancel', Outcome> = {
  skip: 'skipped_by_operator',
  escalate: 'escalated_by_operator',
  close: 'closed_by_operator',
  cancel: 'closed_by_operator',
};
const CANCELLED_IN_TEMPORAL = 'a cancellation in Temporal';

/** An operator ended the interview before its outcome (skip, escalate, close, cancel). */
export async function endedByOperator(iv: Interview, a: OperatorAction): Promise<Decision> {
  const action = a.action as keyof typeof OPERATOR_OUTCOME;
  log.info('operator ended the interview', { action, operator: a.operator });
  // Closed or cancelled by an operator: no follow-up questions either (an escalation may have them).
  if (action === 'cancel' || action === 'close') stopFollowUps(iv.followUps, a.operator);
  if (iv.patches.guarded && iv.approvalOpen) {
    iv.approvalOpen = false;
    await recordApprovalDecision(iv, action, a.operator);
  }
  return { outcome: OPERATOR_OUTCOME[action] ?? 'closed_by_operator' };
}

/**
 * Cancelled in Temporal (the Web UI's "Request Cancellation", `temporal workflow cancel`) before the
 * outcome: recorded as the outcome `cancelled`, and the DM loses its buttons, as for any outcome.
 */
export async function cancelledBeforeOutcome(iv: Interview): Promise<Decision> {
  stopFollowUps(iv.followUps, CANCELLED_IN_TEMPORAL);
  iv.note('cancelled', 'vouch', {});
  if (iv.approvalOpen) {
    iv.approvalOpen = false;
    await recordApprovalDecision(iv, 'cancel', CANCELLED_IN_TEMPORAL);
  }
  return { outcome: 'cancelled' };
}

/** Cancelled after the outcome: the outcome stands, and is told if it was not yet. */
export async function cancelledAfterOutcome(iv: Interview, outcome: Outcome): Promise<InterviewResult> {
  stopFollowUps(iv.followUps, CANCELLED_IN_TEMPORAL);
  iv.note('cancelled', 'vouch', { afterOutcome: outcome });
  if (!iv.told) await postOutcome(iv, outcome);
  await iv.persist(bestEffortRecording).catch(() => undefined);
  sendVerdict(iv, 'verdict'); // unless the outcome was cancelled before it got that far
  return { alertId: iv.alert.id, outcome, phase: iv.phase };
}
