import { ApplicationFailure } from '@temporalio/common';
import type { AlertInput } from '../shared/alert';
import { teamsPrincipal } from '../shared/channels';
import type { Outcome } from '../shared/constants';
import { parseDuration } from '../shared/duration';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import { type Policy, policyChannels } from '../shared/policy';
import { addWorkingTime } from '../shared/working-hours';
import type { PreparationFacts } from '../store/alerts';
import { employeeKey } from '../shared/employee-key';
import { suppressionId, suppressionStore } from '../store/suppressions';
import type { ActivityContext } from './context';
import { type EmployeeInfo, createEmployeeResolver } from './employees';
import { alertFingerprint } from './fingerprint';

export interface PreparedInterview {
  employee: EmployeeInfo | null;
  policy: Policy;
  policySource: string;
  fingerprint: string;
  suppression: { id: string; createdByAlertId: string; expiresAt: string } | null;
}

/** The interview's bookkeeping: the alert stored, the employee and policy found, progress recorded. */
export function createProgressActivities(ctx: ActivityContext) {
  const { alerts, now, log } = ctx;
  const suppressions = suppressionStore(ctx.c, now);
  const resolveEmployee = createEmployeeResolver(
    ctx.c,
    ctx.deps.slack,
    ctx.slackMissing,
    ctx.deps.teams?.graph,
  );

  /**
   * An invalid stored policy fails the interview closed (an operator is told) rather than falling back
   * to a laxer one: the operator may have meant approval mode, or a stricter deadline.
   */
  async function loadPolicy(alertType: string) {
    const invalid: string[] = [];
    const resolved = await ctx.policies.resolve(alertType, (id, issues) => {
      log.warn({ policy: id, issues }, 'stored policy is invalid: fix it with vouch policy set');
      invalid.push(id);
    });
    if (invalid.length)
      throw ApplicationFailure.create({
        type: 'InvalidStoredPolicy',
        message: `stored policy ${invalid.join(', ')} is invalid: fix it with vouch policy set`,
        nonRetryable: true,
      });
    return resolved;
  }

  return {
    async noop(label: string): Promise<string> {
      return label;
    },

    /**
     * Loads the policy, resolves the employee, then stores the alert with both in one write, beside
     * listing it for its employee and looking for a live suppression (three independent round trips
     * at once). A lookup that fails stores the alert with what is known before the failure goes on,
     * so an operator finds it while the step retries.
     */
    async prepareInterview(input: { alert: AlertInput; workflowId: string }): Promise<PreparedInterview> {
      const { alert, workflowId } = input;
      const storedIfFails = async <T>(run: () => Promise<T>, facts?: PreparationFacts): Promise<T> => {
        try {
          return await run();
        } catch (err) {
          await alerts.createOnce(alert, workflowId, facts).catch(() => {}); // the lookup's error matters
          throw err;
        }
      };
      const { policy, source } = await storedIfFails(() => loadPolicy(alert.type));
      const employee = policy.enabled
        ? await storedIfFails(
            () =>
              resolveEmployee(alert.employee, now(), {
                withoutSlack: reachableOutsideSlack(policy),
                inTeams: policyChannels(policy).includes('teams'),
              }),
            { policySource: source },
          )
        : null;
      const fingerprint = policy.enabled ? alertFingerprint(alert, policy.suppression) : '';
      // A snooze is a suppression of the same scope: found by the same lookup, even with no window.
      const slackUserId = employee?.slackUserId;
      // Kept by the employee key: the Slack id as always, else the email (found only once the workflow
      // made one, under its own patch: a recorded interview replays this step's recorded result).
      const key = employee ? employeeKey(employee) : undefined;
      const suppressing =
        key !== undefined &&
        (parseDuration(policy.suppression.window) > 0 || parseDuration(policy.snooze.max) > 0);
      const listedAs =
        slackUserId ??
        (employee?.aadObjectId ? teamsPrincipal({ aadObjectId: employee.aadObjectId }) : undefined);
      const [stored, , found] = await Promise.all([
        alerts.createOnce(alert, workflowId, { policySource: source, employee }),
        // Who is asked, as the signals name them: the bot finds an employee's interviews by it (/vouch
        // status, App Home, `status` in Teams).
        listedAs ? alerts.listForEmployee(listedAs, alert.id) : undefined,
        suppressing ? suppressions.get(suppressionId(key, alert.type, fingerprint)) : undefined,
      ]);
      ctx.rememberAlert(stored);
      const suppression =
        found && found.expiresAt > now()
          ? {
              id: found._id,
              createdByAlertId: found.createdByAlertId,
              expiresAt: found.expiresAt.toISOString(),
            }
          : null;
      return { employee, policy: withoutSecrets(policy), policySource: source, fingerprint, suppression };
    },

    /** Reminder times and deadline counted in the employee's working hours and time zone. */
    async planWorkingHoursSchedule(input: {
      startedAt: string;
      reminders: number[];
      deadline: number;
      workingHours: Policy['workingHours'];
      timeZone?: string;
    }): Promise<{ reminderAt: string[]; deadlineAt: string }> {
      const start = Date.parse(input.startedAt);
      const tz = input.timeZone ?? 'UTC';
      const at = (ms: number) => new Date(addWorkingTime(start, ms, input.workingHours, tz)).toISOString();
      return { reminderAt: input.reminders.map(at), deadlineAt: at(input.deadline) };
    },

    /** Persists transcript entries (each once, by key) and the phase. */
    async recordProgress(input: {
      alertId: string;
      phase: InterviewPhase;
      outcome: Outcome | null;
      entries: (TranscriptEntry & { key: string })[];
      persistedBefore: number;
    }): Promise<void> {
      await alerts.recordProgress(input.alertId, input);
    },
  };
}

/**
 * The policy as the workflow keeps it, in its history: without the PagerDuty routing key (the
 * escalation activity reads it from the stored policy when it sends).
 */
function withoutSecrets(policy: Policy): Policy {
  const pd = policy.escalation.pagerDuty;
  return pd
    ? { ...policy, escalation: { ...policy.escalation, pagerDuty: { ...pd, routingKey: '' } } }
    : policy;
}

/** A policy that lists a channel besides Slack can ask someone Slack does not know. */
function reachableOutsideSlack(policy: Policy): boolean {
  return policyChannels(policy).some((c) => c !== 'slack');
}
