import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  isCancellation,
  log,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { FailedClosedNotice } from '../activities/fail-closed';
import { InvalidAlertError } from '../shared/alert';
import { UNDELIVERED_PHASE } from '../shared/constants';
import {
  bestEffortRecording,
  postFailedClosed,
  postFailedClosedUntilDelivered,
  recordFailedClosed,
} from './activity-proxies';
import type { Interview, InterviewResult } from './interview-state';
import { sendVerdict } from './verdicts';
import { showProgress } from './web-ui-details';

/**
 * The last line of defence: whatever ended an interview without an outcome (an activity that failed
 * for good or ran out of time, a bug in workflow code, the interview's overall deadline), the security
 * channel hears it through a post that cannot fail on content, the alert is marked `failed_closed`
 * where MongoDB takes it, and the worker's log has it in every case.
 */

const RETRY_PAUSE = '10 minutes';

export interface Failure {
  /** What failed: `activity sendInterview`, `workflow code`, `interview deadline`, `alert input`. */
  step: string;
  /** The error's class or type, never its message (which may quote the alert). */
  errorType: string;
  /** The message, for the worker's log only. */
  detail: string;
}

/**
 * A local activity's failure, named: the SDK hands the workflow a local activity's error itself,
 * without the ActivityFailure that says which activity it was.
 */
export class LocalActivityFailed extends Error {
  override readonly name = 'LocalActivityFailed';
  constructor(
    readonly activityType: string,
    override readonly cause: unknown,
  ) {
    super(`local activity ${activityType} failed`);
  }
}

/** Runs a local activity; its failure (not a cancellation) says which activity failed. */
export async function localStep<T>(activityType: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isCancellation(err)) throw err;
    throw new LocalActivityFailed(activityType, err);
  }
}

/** Names what failed, from the error's class or type only. */
export function describeFailure(err: unknown): Failure {
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof ActivityFailure || err instanceof LocalActivityFailed) {
    const cause = err.cause;
    const type =
      cause instanceof TimeoutFailure
        ? `${cause.timeoutType ?? 'unknown'} timeout`
        : cause instanceof ApplicationFailure
          ? (cause.type ?? 'ApplicationFailure')
          : cause instanceof Error
            ? cause.name
            : 'unknown';
    // Retries stopped by the step's bound: the last attempt's error, and that time ran out.
    const timedOut = err instanceof ActivityFailure && err.retryState === 'TIMEOUT';
    return {
      step: `activity ${err.activityType}`,
      errorType: timedOut && !(cause instanceof TimeoutFailure) ? `${type}, retried past its bound` : type,
      detail: cause instanceof Error ? cause.message : detail,
    };
  }
  if (err instanceof ApplicationFailure)
    return { step: 'workflow code', errorType: err.type ?? 'ApplicationFailure', detail };
  return { step: 'workflow code', errorType: err instanceof Error ? err.name : typeof err, detail };
}

export interface FailClosedContext extends Omit<FailedClosedNotice, 'step' | 'errorType'> {
  /** Writes the transcript and outcome through the usual path (bounded); throws if MongoDB refuses. */
  persist(): Promise<void>;
  /** The phase the Web UI shows once the notice is delivered. */
  phase: string;
}

/** Tells the security team, records what MongoDB takes, and returns once the notice is delivered. */
export async function failClosed(ctx: FailClosedContext, failure: Failure): Promise<void> {
  log.error('interview failed closed', {
    alertId: ctx.alertId,
    step: failure.step,
    errorType: failure.errorType,
    detail: failure.detail.slice(0, 500),
  });
  const n: FailedClosedNotice = {
    workflowId: ctx.workflowId,
    alertId: ctx.alertId,
    employee: ctx.employee,
    step: failure.step,
    errorType: failure.errorType,
    ...(ctx.channel ? { channel: ctx.channel } : {}),
  };
  await Promise.all([recordBestEffort(ctx, n), deliver(ctx, n)]);
}

async function recordBestEffort(ctx: FailClosedContext, n: FailedClosedNotice): Promise<void> {
  try {
    await ctx.persist();
  } catch (err) {
    // The transcript itself may be what the store refuses: fall back to a record without content.
    log.warn('could not record the transcript of a failed interview', { error: describeFailure(err) });
  }
  try {
    await recordFailedClosed(n);
  } catch (err) {
    log.error('could not record a failed-closed interview in MongoDB', { error: describeFailure(err) });
  }
}

async function deliver(ctx: FailClosedContext, n: FailedClosedNotice): Promise<void> {
  try {
    await postFailedClosed(n);
    return;
  } catch (err) {
    log.error('fail-closed notice not delivered; retrying until it is', { error: describeFailure(err) });
  }
  upsertSearchAttributes({ VouchPhase: [UNDELIVERED_PHASE] });
  showProgress({ phase: UNDELIVERED_PHASE, outcome: 'failed_closed' });
  for (;;) {
    try {
      await postFailedClosedUntilDelivered(n);
      break;
    } catch (err) {
      // Only reached if a retry itself is refused for good (the activity makes its errors retryable).
      log.error('fail-closed notice still not delivered', { error: describeFailure(err) });
      await sleep(RETRY_PAUSE);
    }
  }
  upsertSearchAttributes({ VouchPhase: [ctx.phase] });
  showProgress({ phase: 'escalated', outcome: 'failed_closed' });
}

/**
 * After the outcome was told, a later failure (the follow-up conversation, closing an escalation)
 * leaves the outcome standing; before it, the interview ends `failed_closed`.
 */
export async function endFailedClosed(iv: Interview, failure: Failure): Promise<InterviewResult> {
  const { step, errorType } = failure;
  iv.note(iv.told ? 'failure_after_outcome' : 'failed_closed', 'vouch', { step, errorType });
  if (iv.told) {
    log.error('interview step failed after its outcome', { alertId: iv.alert.id, ...failure });
    await iv.persist(bestEffortRecording).catch(() => undefined);
    sendVerdict(iv, 'verdict'); // unless the failure came before it was sent
    return { alertId: iv.alert.id, outcome: iv.outcome!, phase: iv.phase };
  }
  const outcome = 'failed_closed';
  const phase = 'escalated';
  iv.outcome = outcome;
  iv.phase = phase;
  iv.note('outcome', 'vouch', { outcome });
  upsertSearchAttributes({ VouchPhase: [phase], VouchOutcome: [outcome] });
  upsertMemo({ phase, outcome, title: iv.alert.title });
  showProgress({ phase, outcome });
  if (iv.patches.verdicts) {
    // The verdict is read from the stored record; one MongoDB refuses still goes, with this outcome.
    await iv.persist(bestEffortRecording).catch(() => undefined);
    sendVerdict(iv, 'verdict');
  }
  await failClosed(
    {
      workflowId: iv.workflowId,
      alertId: iv.alert.id,
      employee: employeeAsGiven(iv.alert.employee),
      channel: iv.prepared?.policy.escalation.channel,
      persist: () => iv.persist(bestEffortRecording),
      phase,
    },
    failure,
  );
  return { alertId: iv.alert.id, outcome, phase };
}

/** An input that is not an alert (started by hand, or by an outdated producer) fails closed too. */
export async function failClosedOnInput(input: unknown, err: unknown): Promise<InterviewResult> {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const alertId = typeof raw.id === 'string' ? raw.id : '?';
  const phase = 'escalated';
  upsertSearchAttributes({ VouchPhase: [phase], VouchOutcome: ['failed_closed'] });
  showProgress({ phase, outcome: 'failed_closed' });
  const failure = describeFailure(err);
  await CancellationScope.nonCancellable(() =>
    failClosed(
      {
        workflowId: workflowInfo().workflowId,
        alertId,
        employee: employeeAsGiven(raw.employee),
        persist: async () => undefined, // an invalid alert is never stored
        phase,
      },
      {
        ...failure,
        step: 'alert input',
        errorType: err instanceof InvalidAlertError ? err.name : failure.errorType,
      },
    ),
  );
  return { alertId, outcome: 'failed_closed', phase };
}

/** The employee as the alert names them, for the fail-closed notice (made ASCII-safe by the activity). */
function employeeAsGiven(ref: unknown): string {
  const r = (typeof ref === 'object' && ref !== null ? ref : {}) as Record<string, unknown>;
  const given = [r.email, r.slackUserId, r.username].find((v) => typeof v === 'string' && v !== '');
  return typeof given === 'string' ? given.slice(0, 200) : '(not given)';
}
