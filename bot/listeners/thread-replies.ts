import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError } from '../interviews';

/** Longest reply passed to an interview; the rest is cut (the workflow keeps at most 1000 characters). */
const MAX_REPLY = 2000;

/**
 * A message in the thread of an interview DM (the AI interviewer's follow-up questions, issue #7)
 * becomes an `employeeReply` signal carrying `<channel>:<ts>`, so a redelivered event is applied once.
 * Only the interviewed employee's replies are sent on; anyone else's go into the audit trail. A
 * 6-digit number on its own is cut out first: someone pasting a second-factor code in the thread
 * never puts it into Temporal history or in front of the model.
 */
export function registerThreadReplies(app: App, deps: BotDeps): void {
  app.event('message', async ({ event }) => {
    if (event.subtype !== undefined || event.channel_type !== 'im') return; // edits, bots, joins: not replies
    if (!event.thread_ts || event.thread_ts === event.ts || event.bot_id) return;
    const thread = await deps.threadOwner(event.channel, event.thread_ts);
    if (!thread) return; // not the thread of an interview DM
    const replyId = `${event.channel}:${event.ts}`;
    if (event.user !== thread.slackUserId) {
      await deps.audit(thread.workflowId, `reply:${replyId}`, {
        actor: `<@${event.user}>`,
        kind: 'unauthorized_reply',
        text: 'wrote in the interview thread but is not the interviewed employee; ignored',
      });
      return;
    }
    const text = withoutCodes(event.text ?? '')
      .slice(0, MAX_REPLY)
      .trim();
    if (!text) return;
    try {
      await deps.interviews.reply(thread.workflowId, { replyId, slackUserId: event.user, text });
    } catch (err) {
      // A finished interview no longer takes replies; an outage is retried by Slack's own redelivery.
      if (err instanceof InterviewNotFoundError) return;
      deps.logger.error({ err, workflowId: thread.workflowId }, 'could not pass on a thread reply');
      throw err;
    }
  });
}

/** Six digits standing alone ("123456", "123 456"): what a second-factor code looks like. */
export function withoutCodes(text: string): string {
  return text.replace(/(?<![\w.:/-])\d{3}[ -]?\d{3}(?![\w.:/-])/g, '[6 digits removed]');
}
