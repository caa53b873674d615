import type { SuppressionScope } from '../shared/policy';
import type { SnoozeFacts } from '../store/collections';
import { suppressionStore } from '../store/suppressions';
import type { ActivityContext } from './context';
import { fingerprintScope } from './fingerprint';

/** A verified confirmation suppresses the same alert for the same employee for a while. */
export function createSuppressionActivities(ctx: ActivityContext) {
  const suppressions = suppressionStore(ctx.c, ctx.now);
  return {
    async createSuppression(input: ScopedSuppression): Promise<{ id: string; expiresAt: string }> {
      // The newest verified confirmation of a scope replaces the previous one; a retry overwrites it again.
      return putSuppression(suppressions, ctx.now(), input);
    },
  };
}

/** The suppression of an alert's scope, for `windowMs` from now. */
export interface ScopedSuppression {
  workflowId: string;
  alertId: string;
  slackUserId: string;
  alertType: string;
  fingerprint: string;
  windowMs: number;
}

/** Stores the suppression of a scope, replacing the scope's previous one; a snooze says who asked. */
export async function putSuppression(
  suppressions: ReturnType<typeof suppressionStore>,
  createdAt: Date,
  input: ScopedSuppression,
  snooze?: SnoozeFacts,
): Promise<{ id: string; expiresAt: string }> {
  const expiresAt = new Date(createdAt.getTime() + input.windowMs);
  const id = await suppressions.put({
    slackUserId: input.slackUserId,
    alertType: input.alertType,
    fingerprint: input.fingerprint,
    ...scopeOf(input.fingerprint),
    createdByAlertId: input.alertId,
    createdAt,
    expiresAt,
    ...(snooze ? { snooze } : {}),
  });
  return { id, expiresAt: expiresAt.toISOString() };
}

/** The scope a fingerprint was made with, recorded beside it for operators. */
function scopeOf(fingerprint: string): { scope?: SuppressionScope } {
  const scope = fingerprintScope(fingerprint);
  return scope === 'legacy' ? {} : { scope };
}
