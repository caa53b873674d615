import type { App, BlockAction, ButtonAction, SlackViewAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { withoutCodes } from '../../shared/sealed-code';
import { eventsOfKind } from '../../shared/record/events';
import { ACTION_IDS, VIEW_IDS } from '../../shared/slack-ids';
import type { SnoozeRequestResult } from '../../shared/snooze';
import { SNOOZE_BLOCKS, snoozeAskingModal, snoozeModal, snoozeResultModal } from '../../slack-blocks/snooze';
import { t } from '../../shared/i18n';
import { languageOfUser } from '../language';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError, InterviewRefusedError } from '../interviews';
import { mayDecideAsOperator } from './operator-check';
import { tellUser, unreachable } from './replies';

/**
 * The snooze after a verified "yes": the outcome note's button opens the modal (for the interviewed
 * employee only), its submission asks the interview, which takes or refuses it; Approve and Refuse in
 * the security channel are for operators other than the employee. The interview decides; a request
 * it can no longer hear (it ended without an offer) is refused here and recorded in the audit trail.
 */
export function registerSnoozeActions(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.snooze, async ({ ack, body, action, client }) => {
    await ack();
    const workflowId = action.value ?? '';
    const lang = await languageOfUser(deps, body.user.id);
    let state;
    try {
      state = await deps.interviews.state(workflowId);
    } catch (err) {
      if (err instanceof InterviewNotFoundError) return tellUser(client, body, t(lang, 'reply.checkGone'));
      return unreachable(deps, client, body, err);
    }
    const key = `snooze-click:${body.user.id}:${action.action_ts}`;
    if (state.employee !== body.user.id) {
      await deps.audit(workflowId, key, {
        actor: body.user.id,
        kind: 'unauthorized_click',
        button: action.action_id,
      });
      return tellUser(client, body, t(lang, 'snooze.notYours'));
    }
    const offer = eventsOfKind(state.transcript, 'snooze_offered').at(-1);
    if (!offer) {
      const verified = eventsOfKind(state.transcript, 'second_factor_attempt').some(
        (e) => e.result === 'accepted',
      );
      await deps.audit(workflowId, key, {
        actor: body.user.id,
        kind: 'snooze_refused',
        reason: verified ? 'not_offered' : 'second_factor_not_verified',
      });
      return tellUser(client, body, t(lang, 'snooze.onlyAfterVerified'));
    }
    if (Date.parse(offer.until) < Date.now()) {
      await deps.audit(workflowId, key, {
        actor: body.user.id,
        kind: 'snooze_refused',
        reason: 'offer_expired',
      });
      return tellUser(client, body, t(lang, 'snooze.offerExpired'));
    }
    const title = eventsOfKind(state.transcript, 'alert_received')[0]?.title ?? t(lang, 'alert.untitled');
    await client.views.open({
      trigger_id: body.trigger_id,
      view: snoozeModal(workflowId, title, offer.choices, lang),
    });
  });

  app.view<SlackViewAction>(VIEW_IDS.snooze, async ({ ack, body, view, client }) => {
    // The answer follows in views.update: Slack gives 3 s, Temporal may take longer.
    const lang = await languageOfUser(deps, body.user.id);
    await ack({ response_action: 'update', view: snoozeAskingModal(lang) });
    const workflowId = view.private_metadata;
    const values = view.state.values;
    const duration = values[SNOOZE_BLOCKS.duration]?.value?.selected_option?.value ?? '';
    const reason = withoutCodes(values[SNOOZE_BLOCKS.reason]?.value?.value ?? '').slice(0, 300);
    let result: SnoozeRequestResult | string;
    try {
      result = await deps.interviews.requestSnooze(workflowId, {
        requestId: `snooze:${view.id}`, // one request per modal, however often it is resubmitted
        slackUserId: body.user.id,
        duration,
        ...(reason ? { reason } : {}),
      });
    } catch (err) {
      if (err instanceof InterviewRefusedError || err instanceof InterviewNotFoundError) {
        // The interview ended (the offer expired with it): refused here, and recorded.
        await deps.audit(workflowId, `snooze-request:${view.id}`, {
          actor: body.user.id,
          kind: 'snooze_refused',
          reason: 'offer_expired',
          duration,
        });
        result = { accepted: false, refusal: 'offer_expired' };
      } else {
        deps.logger.error({ err, workflowId }, 'could not ask for the snooze');
        result = t(lang, 'reply.notSaved');
      }
    }
    await client.views.update({ view_id: view.id, view: snoozeResultModal(result, lang) });
  });

  for (const [actionId, decision] of [
    [ACTION_IDS.snoozeApprove, 'approve'],
    [ACTION_IDS.snoozeRefuse, 'refuse'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      await decide(deps, client, body, action, decision);
    });
  }
}

async function decide(
  deps: BotDeps,
  client: WebClient,
  body: BlockAction,
  action: ButtonAction,
  decision: 'approve' | 'refuse',
): Promise<void> {
  const workflowId = action.value ?? '';
  try {
    const aboutYou = 'This snooze is yours, so another operator must decide it.';
    if (!(await mayDecideAsOperator(deps, client, body, action, `${decision} snooze`, aboutYou))) return;
    await deps.interviews.decideSnooze(workflowId, {
      decisionId: `${decision}:${body.user.id}:${action.action_ts}`,
      operator: body.user.id,
      decision,
    });
  } catch (err) {
    if (err instanceof InterviewNotFoundError)
      return tellUser(client, body, "This check doesn't exist any more.");
    return unreachable(deps, client, body, err);
  }
  await tellUser(client, body, `Done: snooze ${decision === 'approve' ? 'approved' : 'refused'}.`);
}
