import { ApplicationFailure } from '@temporalio/common';
import type { SuppressionScope } from '../shared/policy';
import type { SnoozeFacts } from '../store/collections';
import { suppressionEmployee, suppressionStore } from '../store/suppressions';
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
    /**
     * The same for an employee without Slack, by `employeeKey`. An activity of its own: a worker of the
     * release before, which knows only createSuppression, never takes it and so never stores one under
     * no employee; the interview retries until a current worker does.
     */
    async createEmployeeSuppression(
      input: ScopedSuppression & { employeeKey: string },
    ): Promise<{ id: string; expiresAt: string }> {
      return putSuppression(suppressions, ctx.now(), input);
    },
  };
}

/**
 * The suppression of an alert's scope, for `windowMs` from now. The employee is named by their key
 * (shared/employee-key.ts); interviews of employees with Slack name them by `slackUserId`, which is
 * the same key, as they did before email keys.
 */
export interface ScopedSuppression {
  workflowId: string;
  alertId: string;
  slackUserId?: string;
  employeeKey?: string;
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
  const key = input.employeeKey ?? input.slackUserId;
  if (!key)
    throw ApplicationFailure.create({
      type: 'SuppressionWithoutEmployee',
      message: 'a suppression needs the employee: employeeKey (or slackUserId)',
      nonRetryable: true,
    });
  const id = await suppressions.put({
    ...suppressionEmployee(key),
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
