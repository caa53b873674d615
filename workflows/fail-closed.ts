import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  isCancellation,
  log,
  proxyActivities,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FailedClosedNotice } from '../activities/fail-closed';
import { UNDELIVERED_PHASE } from '../shared/constants';
import { showProgress } from './web-ui-details';

/**
 * The last line of defence: whatever ended an interview without an outcome (an activity that failed
 * for good or ran out of time, a bug in workflow code, the interview's overall deadline), the security
 * channel hears it through a post that cannot fail on content, the alert is marked `failed_closed`
 * where MongoDB takes it, and the worker's log has it in every case.
 */

/** A first try at the post, bounded so that the Web UI shows an undelivered notice soon. */
const notice = proxyActivities<Pick<Activities, 'postFailedClosed'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * The only activity without a bound, on purpose: the notice is retried until Slack takes it (an
 * operator fixes the channel or the token), with the interview marked undelivered meanwhile.
 */
const noticeUntilDelivered = proxyActivities<Pick<Activities, 'postFailedClosed'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
/** Recording is best effort: a MongoDB that does not take it within minutes is left to the post and the log. */
const record = proxyActivities<Pick<Activities, 'recordFailedClosed'>>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
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
    await record.recordFailedClosed(n);
  } catch (err) {
    log.error('could not record a failed-closed interview in MongoDB', { error: describeFailure(err) });
  }
}

async function deliver(ctx: FailClosedContext, n: FailedClosedNotice): Promise<void> {
  try {
    await notice.postFailedClosed(n);
    return;
  } catch (err) {
    log.error('fail-closed notice not delivered; retrying until it is', { error: describeFailure(err) });
  }
  upsertSearchAttributes({ VouchPhase: [UNDELIVERED_PHASE] });
  showProgress({ phase: UNDELIVERED_PHASE, outcome: 'failed_closed' });
  for (;;) {
    try {
      await noticeUntilDelivered.postFailedClosed(n);
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
