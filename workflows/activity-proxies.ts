import {
  type ActivityOptions,
  type RetryPolicy,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Every activity the interview calls, grouped by purpose, each group with the timeouts and retries
 * its steps need. The options may change freely; which activities a step calls, and in what order,
 * is recorded in every interview's history and may not.
 */

/**
 * How long a Slack or MongoDB step is retried before the interview fails closed. Outages of Slack
 * (5xx, rate limits) and MongoDB restarts last minutes, rarely more than an hour; past that, a person
 * must know now rather than whenever the outage ends, and an error retrying cannot fix (content a store
 * or Slack refuses that is not reported as permanent) is never retried in silence for longer.
 */
export const STEP_BOUND = '1 hour';
/** Slack or MongoDB outages shorter than the bound are waited out. */
const BACKOFF: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
};
const SLACK_STEP: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: BACKOFF };
/** Short steps that only read or write MongoDB (and look up the employee): local activities. */
const MONGO_STEP: ActivityOptions = { startToCloseTimeout: '20 seconds', retry: BACKOFF };
const bounded = (options: ActivityOptions): ActivityOptions => ({
  ...options,
  scheduleToCloseTimeout: STEP_BOUND,
});

type Recording = Pick<Activities, 'prepareInterview' | 'recordProgress'>;
type Approval = Pick<
  Activities,
  'postApprovalRequest' | 'markApprovalDecided' | 'isInUserGroups' | 'isApprover'
>;
type Asking = Pick<
  Activities,
  'planWorkingHoursSchedule' | 'sendInterview' | 'sendReminder' | 'askEmployeeVia' | 'remindEmployeeVia'
>;
type SecondFactor = Pick<Activities, 'isEnrolled' | 'createSuppression' | 'createEmployeeSuppression'>;
type Outcome = Pick<Activities, 'finishInterview' | 'markEscalationClosed'>;
type Ladder = Pick<
  Activities,
  'findManager' | 'askManager' | 'closeManagerQuestion' | 'askManagerInTeams' | 'closeManagerQuestionInTeams'
>;

/**
 * Asking the employee's coordinator: a few quick tries; past them the alert has its own interview.
 * The rolled-up DM's update: bounded like any Slack step, but a failure only leaves the DM as it was.
 */
export const { askRollup, askEmployeeRollup } = proxyActivities<
  Pick<Activities, 'askRollup' | 'askEmployeeRollup'>
>({
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: BACKOFF,
});
export const { updateRolledUpDm, updateRolledUpTeamsCard } = proxyActivities<
  Pick<Activities, 'updateRolledUpDm' | 'updateRolledUpTeamsCard'>
>({
  ...SLACK_STEP,
  scheduleToCloseTimeout: '5 minutes',
});

/** The steps of one interview, from the alert to the outcome told. */
export interface InterviewActivities {
  recording: Recording;
  approval: Approval;
  asking: Asking;
  secondFactor: SecondFactor;
  outcome: Outcome;
  ladder: Ladder;
}

/**
 * The steps of one interview. With `slackQueue`, the steps that message people run on the Slack task
 * queue, whose rate Temporal holds across all workers (VOUCH_SLACK_ACTIVITIES_PER_SECOND), so a storm
 * of alerts queues there instead of drawing Slack's 429s. Interviews started before the last line of
 * defence have no failed_closed path: a bound would end them as a failed workflow that nobody is told
 * about, so their steps keep retrying without one.
 */
export function interviewActivities(canFailClosed: boolean, slackQueue?: string): InterviewActivities {
  const limit = (options: ActivityOptions) => (canFailClosed ? bounded(options) : options);
  const messaging = { ...limit(SLACK_STEP), ...(slackQueue ? { taskQueue: slackQueue } : {}) };
  return {
    recording: proxyLocalActivities<Recording>(limit(MONGO_STEP)),
    approval: proxyActivities<Approval>(messaging),
    asking: proxyActivities<Asking>(messaging),
    secondFactor: proxyActivities<SecondFactor>(limit(SLACK_STEP)),
    outcome: proxyActivities<Outcome>(messaging),
    ladder: proxyActivities<Ladder>(messaging),
  };
}

/** Writing the transcript of an interview that failed closed or was cancelled: best effort, and soon. */
export const bestEffortRecording = proxyLocalActivities<Pick<Activities, 'recordProgress'>>({
  ...MONGO_STEP,
  scheduleToCloseTimeout: '5 minutes',
});

/**
 * PagerDuty and webhooks: retried with backoff for about 18 minutes (12 attempts), then noted as failed.
 * Each attempt has more time than the 10 s POST timeout plus loading the report, so an attempt is not
 * cut off while its POST is in flight; delivery is still at least once (receivers dedupe by id).
 */
export const { notifyPagerDuty, notifyWebhook } = proxyActivities<
  Pick<Activities, 'notifyPagerDuty' | 'notifyWebhook'>
>({
  startToCloseTimeout: '30 seconds',
  retry: { ...BACKOFF, maximumInterval: '5 minutes', maximumAttempts: 12 },
});

/**
 * Verdicts: at least once, retried with backoff from 2 s doubling to 10 minutes, for a day. Each
 * attempt only tries the receivers that have not taken the verdict yet.
 */
export const { deliverVerdict } = proxyActivities<Pick<Activities, 'deliverVerdict'>>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** A code is checked while the employee waits: a few quick tries, then the attempt fails. */
export const { verifySecondFactor } = proxyActivities<Pick<Activities, 'verifySecondFactor'>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

/** The AI interviewer's model: a failure falls back to scripted questions, so two tries are enough. */
export const { proposeFollowUps, summarizeInterview } = proxyActivities<
  Pick<Activities, 'proposeFollowUps' | 'summarizeInterview'>
>({
  // The client's own timeout (VOUCH_LLM_TIMEOUT, at most 300 s) ends a slow call before this does.
  startToCloseTimeout: '330 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 2 },
});

/** After the outcome: a Slack that keeps failing must not keep the escalation from closing. */
export const { postFollowUpQuestion, thankForFollowUps, publishFollowUps } = proxyActivities<
  Pick<Activities, 'postFollowUpQuestion' | 'thankForFollowUps' | 'publishFollowUps'>
>(bounded(SLACK_STEP));

/** The same conversation in the employee's Teams chat, bounded alike. */
export const { postTeamsFollowUpQuestion, closeTeamsFollowUps } = proxyActivities<
  Pick<Activities, 'postTeamsFollowUpQuestion' | 'closeTeamsFollowUps'>
>(bounded(SLACK_STEP));

/** The fail-closed notice: a first try, bounded so that the Web UI shows an undelivered notice soon. */
export const { postFailedClosed } = proxyActivities<Pick<Activities, 'postFailedClosed'>>({
  ...SLACK_STEP,
  scheduleToCloseTimeout: '5 minutes',
});
/**
 * The only activity without a bound, on purpose: the notice is retried until Slack takes it (an
 * operator fixes the channel or the token), with the interview marked undelivered meanwhile.
 */
export const { postFailedClosed: postFailedClosedUntilDelivered } = proxyActivities<
  Pick<Activities, 'postFailedClosed'>
>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
/** Recording is best effort: a MongoDB that does not take it within minutes is left to the post and the log. */
export const { recordFailedClosed } = proxyActivities<Pick<Activities, 'recordFailedClosed'>>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: BACKOFF,
});
