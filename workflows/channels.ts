import { ActivityFailure, ApplicationFailure, isCancellation, patched } from '@temporalio/workflow';
import type { ChannelRef } from '../activities';
import { type ChannelName, reachableChannels } from '../shared/channels';
import type { Interview } from './interview-state';

/** Interviews started before channels could be chosen keep the Slack DM they recorded. */
const CHANNELS_PATCH = 'employee-channels';
/** Interviews that reached their first reminder before this fallback existed send no email then. */
const EMAIL_AT_FIRST_REMINDER_PATCH = 'email-at-first-reminder';

/**
 * The channels the policy names, in order; undefined for a policy that names none (the Slack DM, with
 * the same commands as before) and for interviews started before the choice existed.
 */
export function chosenChannels(iv: Interview): readonly ChannelName[] | undefined {
  const { channels } = iv.ready.policy;
  return channels && patched(CHANNELS_PATCH) ? channels : undefined;
}

/**
 * The question through the first of the channels that reaches the employee and takes it. A channel
 * that cannot reach them (no Slack user, no email address) is passed over, and so is one that refuses
 * the question for good (a deactivated Slack account, a mailbox that does not exist); with none left
 * the interview fails closed: the security team hears of it.
 */
export async function askThroughChannels(
  iv: Interview,
  channels: readonly ChannelName[],
  times: { answerDueAt: string; linkExpiresAt: string },
): Promise<ChannelRef> {
  const { policy, employee } = iv.ready;
  const reachable = reachableChannels(channels, employee);
  for (const channel of channels.filter((c) => !reachable.includes(c)))
    iv.note('channel_skipped', 'vouch', { channel, reason: 'not_reachable' });
  for (const [i, channel] of reachable.entries()) {
    if (channel === 'email') iv.emailing = true;
    try {
      const ref = await iv.acts.asking.askEmployeeVia({
        channel,
        workflowId: iv.workflowId,
        alertId: iv.alert.id,
        ...(employee.slackUserId ? { slackUserId: employee.slackUserId } : {}),
        ...(employee.email ? { email: employee.email } : {}),
        intro: policy.messages?.intro,
        employeeName: employee.name,
        ...times,
      });
      noteAsked(iv, ref);
      return ref;
    } catch (err) {
      const errorType = finalFailureType(err);
      if (errorType === undefined || i === reachable.length - 1) throw err;
      iv.note('channel_skipped', 'vouch', { channel, reason: 'failed', errorType });
    }
  }
  throw ApplicationFailure.create({
    type: 'NoChannelReachesEmployee',
    message: `none of the policy's channels (${channels.join(', ')}) can reach the employee`,
    nonRetryable: true,
  });
}

/**
 * No answer in Slack by the first reminder, and the policy lists email: the question goes by email
 * too (the Slack reminder goes as well), and later reminders and the outcome go to both. An email
 * that fails is recorded and the interview carries on in Slack.
 */
export async function alsoAskByEmail(
  iv: Interview,
  channels: readonly ChannelName[],
  times: { answerDueAt: string; linkExpiresAt: string },
): Promise<void> {
  const { employee } = iv.ready;
  if (iv.askedByEmail() || !reachableChannels(channels, employee).includes('email')) return;
  if (!patched(EMAIL_AT_FIRST_REMINDER_PATCH)) return;
  iv.emailing = true;
  try {
    const ref = await iv.acts.asking.askEmployeeVia({
      channel: 'email',
      workflowId: iv.workflowId,
      alertId: iv.alert.id,
      ...(employee.slackUserId ? { slackUserId: employee.slackUserId } : {}),
      email: employee.email,
      employeeName: employee.name,
      ...times,
    });
    iv.alsoAsked.push(ref);
    if (ref.channel === 'email')
      iv.note('email_sent', 'vouch', { messageId: ref.messageId, fallback: 'no_answer_by_first_reminder' });
  } catch (err) {
    if (isCancellation(err)) throw err;
    iv.note('channel_skipped', 'vouch', {
      channel: 'email',
      reason: 'failed',
      errorType: finalFailureType(err) ?? 'retries exhausted',
    });
  }
}

function noteAsked(iv: Interview, ref: ChannelRef): void {
  if (ref.channel === 'slack') {
    // Slack's own features (the thread, follow-ups, a rolled-up DM) work from the DM.
    iv.dm = ref.dm;
    iv.note('dm_sent', 'vouch', { channel: ref.dm.channel, ts: ref.dm.ts });
  } else if (ref.channel === 'teams') iv.note('teams_sent', 'vouch', { conversationId: ref.conversationId });
  else iv.note('email_sent', 'vouch', { messageId: ref.messageId });
}

/** The type of a failure that retrying cannot fix; undefined for any other (a timeout, a cancellation). */
function finalFailureType(err: unknown): string | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  return err.cause.nonRetryable ? (err.cause.type ?? 'Error') : undefined;
}
