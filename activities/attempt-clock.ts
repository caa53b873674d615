import { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

const startedAt = new WeakMap<Context, number>();

/**
 * Notes when each activity attempt starts on this worker (a worker's `interceptors.activity`), so a
 * step can tell how much of its start-to-close time is left before it begins something it cannot
 * take back, such as posting a Slack message.
 */
export const attemptClock: ActivityInterceptorsFactory = (ctx) => {
  startedAt.set(ctx, Date.now());
  return {};
};

/**
 * Milliseconds left before Temporal gives up on the current attempt and schedules another;
 * undefined outside an activity, or on a worker without `attemptClock`.
 */
export function attemptTimeLeftMs(now = Date.now()): number | undefined {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return undefined; // not in an activity
  }
  const started = startedAt.get(ctx);
  const limit = ctx.info.startToCloseTimeoutMs;
  if (started === undefined || !limit) return undefined;
  return started + limit - now;
}
