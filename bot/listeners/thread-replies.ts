import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError } from '../interviews';
import { withoutCodes } from '../../shared/sealed-code';
import { MAX_REPLY, withinReplyLimits } from '../reply-limits';
import type { Delivery } from '../held-answers';
import { languageOfUser } from '../language';
import { t } from '../../shared/i18n';

/**
 * A message in the thread of an interview DM (the AI interviewer's follow-up questions)
 * becomes an `employeeReply` signal carrying `<channel>:<ts>`, so a redelivered event is applied once;
 * while Temporal is unreachable it is kept under that id and delivered later, and the employee told so.
 * Only the interviewed employee's replies are sent on; anyone else's go into the audit trail. Anything
 * shaped like a second-factor code is cut out first (shared/sealed-code.ts withoutCodes): someone
 * pasting a code in the thread never puts it into Temporal history or in front of the model.
 */
export function registerThreadReplies(app: App, deps: BotDeps): void {
  app.event('message', async ({ event, client }) => {
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
    // Bolt has acknowledged the event before this runs, so Slack will not redeliver it for an outage:
    // a reply Temporal does not take now is kept and delivered later (bot/held-answers.ts).
    let delivery: Delivery;
    try {
      delivery = await deps.held.deliverOrHold(thread.workflowId, {
        signal: 'employeeReply',
        payload: { replyId, slackUserId: event.user, text },
      });
    } catch (err) {
      if (err instanceof InterviewNotFoundError) return; // a finished interview takes no replies
      throw err;
    }
    if (delivery === 'sent') return;
    const lang = await languageOfUser(deps, event.user);
    await client.chat.postMessage({
      channel: event.channel,
      thread_ts: event.thread_ts,
      text:
        delivery === 'held'
          ? `:hourglass: ${t(lang, 'reply.held')}`
          : `:warning: ${t(lang, 'reply.notSaved')}`,
    });
  });
}
