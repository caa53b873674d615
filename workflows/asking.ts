import { parseDuration } from '../shared/duration';
import type { Decision, Interview } from './interview-state';
import { coercionReported } from './coercion';
import { waitFor } from './operator-interrupt';
import { extendDeadline } from './overall-deadline';
import { startDmUpdates } from './rollup';
import { SECOND_FACTOR_WAIT_MS } from './second-factor';
import { alsoAskByEmail, askThroughChannels, chosenChannels } from './channels';

/** How far ahead a deadline counted in working hours can lie (shared/working-hours.ts stops at 60 days). */
export const WORKING_HOURS_REACH_MS = 61 * 86_400_000;

export interface Asked {
  /** Set when the interview ends here: no answer in time, or "No". */
  decision?: Decision;
  /** When the answer was due; the second factor may use the rest of the time. */
  answerDueAt: number;
}

/** The DM, a reminder at each of the policy's times, and the wait for an answer until the deadline. */
export async function askEmployee(iv: Interview): Promise<Asked> {
  const { policy, employee } = iv.ready;
  const acts = iv.acts.asking;
  const startedAt = Date.now();
  const reminderOffsets = policy.reminders.map(parseDuration);
  const deadlineMs = parseDuration(policy.deadline);
  const schedule = policy.workingHours.enabled
    ? await acts.planWorkingHoursSchedule({
        startedAt: new Date(startedAt).toISOString(),
        reminders: reminderOffsets,
        deadline: deadlineMs,
        workingHours: policy.workingHours,
        timeZone: employee.timeZone,
      })
    : {
        reminderAt: reminderOffsets.map((ms) => new Date(startedAt + ms).toISOString()),
        deadlineAt: new Date(startedAt + deadlineMs).toISOString(),
      };
  iv.deadlines.response = schedule.deadlineAt;
  // Counted in working hours the deadline lies at most WORKING_HOURS_REACH ahead (addWorkingTime's limit).
  const responseReach = policy.workingHours.enabled ? WORKING_HOURS_REACH_MS : deadlineMs;
  extendDeadline(
    iv,
    Math.min(Date.parse(schedule.deadlineAt), startedAt + responseReach) + SECOND_FACTOR_WAIT_MS,
  );
  await iv.setPhase('awaiting_response');
  const channels = chosenChannels(iv);
  const answerDueAt = Date.parse(schedule.deadlineAt);
  if (channels) {
    iv.contact = await askThroughChannels(iv, channels, {
      answerDueAt: schedule.deadlineAt,
      linkExpiresAt: new Date(answerDueAt + SECOND_FACTOR_WAIT_MS).toISOString(),
    });
  } else {
    const dm = await acts.sendInterview({
      workflowId: iv.workflowId,
      alertId: iv.alert.id,
      // Policies that name no channels find only employees Slack knows.
      slackUserId: employee.slackUserId!,
      intro: policy.messages?.intro,
      employeeName: employee.name,
    });
    iv.dm = dm;
    iv.note('dm_sent', 'vouch', dm ? { channel: dm.channel, ts: dm.ts } : {});
  }
  startDmUpdates(iv);

  const answered = () => iv.answer !== undefined;
  let n = 0;
  for (const at of schedule.reminderAt.map(Date.parse).filter((t) => t < answerDueAt)) {
    if (await waitFor(iv, answered, at - Date.now())) break;
    n += 1;
    const { workflowId } = iv;
    const alertId = iv.alert.id;
    const deadlineAt = schedule.deadlineAt;
    const template = policy.messages?.reminder;
    const linkExpiresAt = new Date(answerDueAt + SECOND_FACTOR_WAIT_MS).toISOString();
    // Reminders go wherever the employee was asked; the email sent at the first one is its own question.
    if (iv.contact) {
      for (const ref of [iv.contact, ...iv.alsoAsked])
        await acts.remindEmployeeVia({ workflowId, alertId, ref, n, deadlineAt, template, linkExpiresAt });
    } else await acts.sendReminder({ workflowId, alertId, dm: iv.dm!, n, deadlineAt, template });
    iv.note('reminder', 'vouch', { n });
    if (n === 1 && channels) await alsoAskByEmail(iv, channels, { answerDueAt: deadlineAt, linkExpiresAt });
  }
  if (!(await waitFor(iv, answered, answerDueAt - Date.now()))) {
    iv.answerClosed = true;
    iv.note('deadline', 'vouch', { waitingFor: 'answer' });
    return { decision: { outcome: 'no_response' }, answerDueAt };
  }
  if (iv.answer?.answer === 'denied') return { decision: { outcome: 'denied' }, answerDueAt };
  if (coercionReported(iv)) return { decision: { outcome: 'coercion_reported' }, answerDueAt };
  return { answerDueAt };
}
