import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { type AlertInput, InvalidAlertError, parseAlert } from '../shared/alert';
import { slackTaskQueue } from '../shared/constants';
import { interviewActivities } from './activity-proxies';
import { seekApproval } from './approval';
import { askEmployee } from './asking';
import { cancelledAfterOutcome, cancelledBeforeOutcome, endedByOperator } from './cancellation';
import { type Failure, describeFailure, endFailedClosed, failClosedOnInput } from './fail-closed';
import { followUpConversation } from './follow-ups';
import { climbLadder } from './ladder';
import { registerHandlers } from './handlers';
import { type Decision, Interview, type InterviewResult } from './interview-state';
import { OperatorInterrupt } from './operator-interrupt';
import { awaitClose, tellOutcome } from './outcome';
import { watchDeadline } from './overall-deadline';
import { prepare } from './preparation';
import { joinOrLead, settleRollup } from './rollup';
import { checkSecondFactor } from './second-factor';
import { snoozeOnRequest } from './snooze';
import { verdictsDelivered } from './verdicts';

export type { InterviewResult } from './interview-state';

/** In-flight interviews started before the last line of defence keep their recorded commands. */
const FAIL_CLOSED_PATCH = 'fail-closed';
/** Interviews started before the typed record keep their recorded commands and record no new events. */
const TYPED_RECORD_PATCH = 'typed-record';
/** Interviews started before the Slack task queue keep sending from the interview queue. */
const SLACK_QUEUE_PATCH = 'slack-task-queue';
/** Interviews started before the verdict write-back send no verdicts. */
const VERDICT_PATCH = 'verdict-write-back';
/** Interviews started before alert storms were grouped keep their recorded commands: no coordinator. */
const ROLLUP_PATCH = 'rollup';
/** Interviews started before the Teams channel know answerers by Slack id only. */
const TEAMS_PATCH = 'teams-channel';

/**
 * One alert's interview, from the alert to a closed or escalated outcome. Deterministic: every I/O is
 * an activity, every wait a durable timer or a signal.
 */
export async function alertInterview(input: AlertInput): Promise<InterviewResult> {
  const guarded = patched(FAIL_CLOSED_PATCH);
  const typedRecord = patched(TYPED_RECORD_PATCH);
  const slackQueue = patched(SLACK_QUEUE_PATCH) ? slackTaskQueue(workflowInfo().taskQueue) : undefined;
  let alert: AlertInput;
  try {
    alert = parseAlert(input);
  } catch (err) {
    if (guarded) return failClosedOnInput(input, err);
    throw ApplicationFailure.create({
      type: 'InvalidAlertError',
      message: err instanceof InvalidAlertError ? err.message : String(err),
      nonRetryable: true,
    });
  }
  const rollup = guarded && patched(ROLLUP_PATCH);
  const iv = new Interview(
    alert,
    workflowInfo().workflowId,
    {
      guarded,
      typedRecord,
      verdicts: guarded && patched(VERDICT_PATCH),
      rollup,
      teams: guarded && patched(TEAMS_PATCH),
    },
    interviewActivities(guarded, slackQueue),
  );
  registerHandlers(iv);
  if (!guarded) return interview(iv);
  const result = await failingClosed(iv);
  // Whatever ended it, members and the coordinator hear so; nothing here may stop that.
  await CancellationScope.nonCancellable(() => settleRollup(iv));
  await verdictsDelivered(iv);
  return result;
}

/** The interview's steps, in order. */
async function interview(iv: Interview): Promise<InterviewResult> {
  return afterOutcome(iv, await decideOutcome(iv));
}

/** The steps up to the outcome; the first that decides it ends them. */
async function decideOutcome(iv: Interview): Promise<Decision> {
  try {
    const early =
      (await prepare(iv)) ??
      (iv.patches.rollup ? await joinOrLead(iv) : undefined) ??
      (await seekApproval(iv));
    if (early) return early;
    const asked = await askEmployee(iv);
    if (asked.decision?.outcome === 'no_response') return (await climbLadder(iv)) ?? asked.decision;
    return asked.decision ?? (await checkSecondFactor(iv, asked.answerDueAt));
  } catch (err) {
    if (err instanceof OperatorInterrupt && iv.outcome === null) return endedByOperator(iv, err.action);
    throw err;
  }
}

/** The outcome told, then the follow-up conversation, then (for some escalations) the wait for a close. */
async function afterOutcome(iv: Interview, decision: Decision): Promise<InterviewResult> {
  await tellOutcome(iv, decision.outcome);
  await followUpConversation(iv);
  // After the conversation, so that their writes of the record never overlap.
  await snoozeOnRequest(iv);
  const resolvedBy = await awaitClose(iv);
  return {
    alertId: iv.alert.id,
    outcome: decision.outcome,
    phase: iv.phase,
    ...decision.extra,
    ...(resolvedBy ? { resolvedBy } : {}),
  };
}

/**
 * The steps under the overall deadline; whatever ends them without an outcome (a failure, the
 * deadline, a cancellation in Temporal) ends the interview told and recorded.
 */
async function failingClosed(iv: Interview): Promise<InterviewResult> {
  const watching = watchDeadline(iv).catch(() => undefined); // cancelled with the workflow: nothing to do
  try {
    return await iv.scope.run(() => interview(iv));
  } catch (err) {
    const failure: Failure = iv.overdue
      ? { step: 'interview deadline', errorType: 'InterviewDeadlineExceeded', detail: 'no outcome in time' }
      : describeFailure(err);
    // Not even a cancellation of the workflow stops the record, the DM's update or the security team's notice.
    return await CancellationScope.nonCancellable(async () => {
      if (!isCancellation(err) || iv.overdue) return endFailedClosed(iv, failure);
      try {
        return await endCancelled(iv);
      } catch (cause) {
        return endFailedClosed(iv, describeFailure(cause));
      }
    });
  } finally {
    await watching;
  }
}

/**
 * Cancelled in Temporal (the Web UI's "Request Cancellation", `temporal workflow cancel`): recorded
 * as the outcome `cancelled`, as for any outcome. Cancelled after the outcome, the outcome stands.
 */
async function endCancelled(iv: Interview): Promise<InterviewResult> {
  if (iv.outcome !== null) return cancelledAfterOutcome(iv, iv.outcome);
  return afterOutcome(iv, await cancelledBeforeOutcome(iv));
}
