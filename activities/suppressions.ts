import type { SuppressionScope } from '../shared/policy';
import { suppressionStore } from '../store/suppressions';
import type { ActivityContext } from './context';
import { fingerprintScope } from './fingerprint';

/** A verified confirmation suppresses the same alert for the same employee for a while. */
export function createSuppressionActivities(ctx: ActivityContext) {
  const suppressions = suppressionStore(ctx.c, ctx.now);
  return {
    async createSuppression(input: {
      workflowId: string;
      alertId: string;
      slackUserId: string;
      alertType: string;
      fingerprint: string;
      windowMs: number;
    }): Promise<{ id: string; expiresAt: string }> {
      const createdAt = ctx.now();
      const expiresAt = new Date(createdAt.getTime() + input.windowMs);
      // The newest verified confirmation of a scope replaces the previous one; a retry overwrites it again.
      const id = await suppressions.put({
        slackUserId: input.slackUserId,
        alertType: input.alertType,
        fingerprint: input.fingerprint,
        ...scopeOf(input.fingerprint),
        createdByAlertId: input.alertId,
        createdAt,
        expiresAt,
      });
      return { id, expiresAt: expiresAt.toISOString() };
    },
  };
}

/** The scope a fingerprint was made with, recorded beside it for operators. */
export function scopeOf(fingerprint: string): { scope?: SuppressionScope } {
  const scope = fingerprintScope(fingerprint);
  return scope === 'legacy' ? {} : { scope };
}
