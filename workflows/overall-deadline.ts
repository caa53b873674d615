import { condition } from '@temporalio/workflow';
import type { Interview } from './interview-state';

/**
 * The interview's overall deadline is the current step's own deadline plus this margin: room for the
 * bounded Slack and MongoDB steps around it (the DM, reminders, the outcome), each at most STEP_BOUND.
 * Only an interview stuck in a way nothing else catches ever reaches it.
 */
export const DEADLINE_MARGIN_MS = 6 * 3600_000;

/** Moves the overall deadline to the current step's own deadline plus the margin. */
export function extendDeadline(iv: Interview, stepEndsAt: number): void {
  // A step's deadline that is not a time (a bug, a bad schedule) leaves the overall deadline as it was.
  if (Number.isFinite(stepEndsAt))
    iv.overallDeadlineAt = Math.max(iv.overallDeadlineAt, stepEndsAt + DEADLINE_MARGIN_MS);
}

/** Cancels the interview's steps when the overall deadline passes before an outcome. */
export async function watchDeadline(iv: Interview): Promise<void> {
  while (iv.outcome === null) {
    const at = iv.overallDeadlineAt;
    if (Date.now() >= at) {
      iv.overdue = true;
      iv.scope.cancel();
      return;
    }
    await condition(() => iv.outcome !== null || iv.overallDeadlineAt !== at, at - Date.now());
  }
}
