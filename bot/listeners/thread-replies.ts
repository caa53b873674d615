import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError } from '../interviews';
import { withoutCodes } from '../../shared/sealed-code';
import { MAX_REPLY, withinReplyLimits } from '../reply-limits';

const REPLY_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000];

/**
 * A message in the thread of an interview DM (the AI interviewer's follow-up questions)
 * becomes an `employeeReply` signal carrying `<channel>:<ts>`, so a redelivered event is applied once.
 * Only the interviewed employee's replies are sent on; anyone else's go into the audit trail. Anything
 * shaped like a second-factor code is cut out first (shared/sealed-code.ts withoutCodes): someone
 * pasting a code in the thread never puts it into Temporal history or in front of the model.
 */
export function registerThreadReplies(app: App, deps: BotDeps): void {
  app.event('message', async ({ event }) => {
    if (event.subtype !== undefined || event.channel_type !== 'im') return; // edits, bots, joins: not replies
    if (!event.thread_ts || event.thread_ts === event.ts || event.bot_id) return;
    const thread = await deps.threadOwner(event.channel, event.thread_ts);
    if (!thread) return; // not the thread of an interview DM
    const replyId = `${event.channel}:${event.ts}`;
    if (
      !(await withinReplyLimits(deps, thread.workflowId, event.user ?? '', event.user === thread.slackUserId))
    )
      return;
    if (event.user !== thread.slackUserId) {
      await deps.audit(thread.workflowId, `reply:${replyId}`, {
        actor: event.user ?? '?',
        kind: 'unauthorized_reply',
      });
      return;
    }
    const text = withoutCodes(event.text ?? '')
      .slice(0, MAX_REPLY)
      .trim();
    if (!text) return;
    // Bolt has acknowledged the event before this runs, so Slack will not redeliver it: an outage is
    // retried here (about half a minute), and only then logged as lost.
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.interviews.reply(thread.workflowId, { replyId, slackUserId: event.user, text });
        return;
      } catch (err) {
        if (err instanceof InterviewNotFoundError) return; // a finished interview takes no replies
        if (attempt >= REPLY_RETRY_DELAYS_MS.length) {
          deps.logger.error(
            { err, workflowId: thread.workflowId },
            'thread reply not passed on: Temporal unreachable',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, REPLY_RETRY_DELAYS_MS[attempt]));
      }
    }
  });
}
