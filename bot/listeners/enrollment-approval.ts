import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION_IDS, VIEW_IDS } from '../../shared/slack-ids';
import type { BotDeps } from '../deps';
import {
  PAIRING_BLOCK,
  enrollmentDecidedNotice,
  pairingModal,
  pairingResultModal,
  wrongPairingCodeError,
} from '../../slack-blocks/enrollment';
import { tellUser } from './replies';
import { linkEmployee } from '../../store/enrollment-links';

/**
 * An operator approves a `/vouch enroll` link: the button opens a modal asking for the pairing code the
 * employee's page shows; only the right code approves it, and too many wrong ones refuse the link.
 */
export function registerEnrollmentApproval(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.enrollApprove, async ({ ack, body, action, client }) => {
    await ack();
    if (!(await deps.isOperator(client, body.user.id)))
      return tellUser(
        client,
        body,
        ':no_entry: Only the security team’s operators can approve an enrollment.',
      );
    const link = await deps.links.get(action.value ?? '');
    if (!link || link.state !== 'awaiting_approval' || link.expiresAt <= new Date())
      return tellUser(client, body, 'This enrollment is no longer waiting for approval.');
    if (link.slackUserId === body.user.id)
      return tellUser(client, body, ':no_entry: Another operator must approve your own enrollment.');
    await client.views.open({
      trigger_id: body.trigger_id,
      view: pairingModal(link._id, linkEmployee(link)),
    });
  });

  app.view(VIEW_IDS.enrollPairing, async ({ ack, body, view, client }) => {
    const operator = body.user.id;
    if (!(await deps.isOperator(client, operator)))
      return ack({ response_action: 'errors', errors: { [PAIRING_BLOCK]: 'Only operators can approve.' } });
    const code = view.state.values[PAIRING_BLOCK]?.value?.value ?? '';
    const { result, attemptsLeft } = await deps.links.approve(
      view.private_metadata,
      code,
      operator,
      new Date(),
    );
    if (result === 'wrong_code')
      return ack({
        response_action: 'errors',
        errors: { [PAIRING_BLOCK]: wrongPairingCodeError(attemptsLeft) },
      });
    await ack({ response_action: 'update', view: pairingResultModal(result) });
    if ((result === 'approved' || result === 'denied') && deps.securityChannel) {
      const link = await deps.links.get(view.private_metadata);
      await client.chat.postMessage({
        channel: deps.securityChannel,
        ...enrollmentDecidedNotice(link ? linkEmployee(link) : undefined, result, operator),
      });
    }
  });
}
