import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { MANAGER_ANSWERS } from '../../shared/messages';
import { MANAGER_ACTION_IDS } from '../../slack-blocks/manager';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError } from '../interviews';
import { tellUser, unreachable } from './replies';
import { t } from '../../shared/i18n';
import { languageOfUser } from '../language';
import type { Delivery } from '../held-answers';
import { managerAsking } from '../manager-asking';

/**
 * The manager's three answers when the ladder asks them about their report's alert. Only the manager
 * the interview is asking now can answer; anyone else is told so and the attempt is audited. While
 * Temporal is unreachable the answer is checked against the alert's record, kept and delivered later.
 */
export function registerManagerActions(app: App, deps: BotDeps): void {
  const asking = managerAsking(deps);
  for (const answer of MANAGER_ANSWERS)
    app.action<BlockAction<ButtonAction>>(
      MANAGER_ACTION_IDS[answer],
      async ({ ack, body, action, client }) => {
        await ack();
        const workflowId = action.value ?? '';
        const lang = await languageOfUser(deps, body.user.id);
        let state;
        try {
          state = await asking(workflowId);
        } catch (err) {
          if (err instanceof InterviewNotFoundError) return tellUser(client, body, t(lang, 'manager.gone'));
          return unreachable(deps, client, body, err);
        }
        if (state.phase !== 'awaiting_manager' || !state.managerAsked)
          return tellUser(client, body, t(lang, 'manager.closed'));
        if (state.managerAsked !== body.user.id) {
          await deps.audit(workflowId, `click:${body.user.id}:${action.action_ts}`, {
            actor: body.user.id,
            kind: 'unauthorized_click',
            button: action.action_id,
          });
          return tellUser(client, body, t(lang, 'manager.notYours'));
        }
        let delivery: Delivery;
        try {
          // Slack redelivering the click, or the manager pressing again, is the same answer to the same message.
          const where = body.container?.message_ts ?? action.action_ts;
          delivery = await deps.held.deliverOrHold(workflowId, {
            signal: 'managerResponse',
            payload: {
              responseId: `manager-${answer}:${body.user.id}:${where}`,
              slackUserId: body.user.id,
              answer,
            },
          });
        } catch (err) {
          return unreachable(deps, client, body, err); // the interview ended between the check and the answer
        }
        if (delivery !== 'sent')
          return tellUser(
            client,
            body,
            delivery === 'held'
              ? `:hourglass: ${t(lang, 'reply.held')}`
              : `:warning: ${t(lang, 'reply.notSaved')}`,
          );
        await tellUser(
          client,
          body,
          t(lang, answer === 'does_not_know' ? 'manager.thanksAlerted' : 'manager.thanks'),
        );
      },
    );
}
