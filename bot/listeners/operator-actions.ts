import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { OperatorActionKind } from '../../shared/messages';
import { ACTION_IDS } from '../../shared/slack-ids';
import type { BotDeps } from '../deps';
import { InterviewNotFoundError } from '../interviews';
import { mayDecideAsOperator } from './operator-check';
import { tellUser, unreachable } from './replies';

const BUTTONS: Record<string, OperatorActionKind> = {
  [ACTION_IDS.approve]: 'approve',
  [ACTION_IDS.skip]: 'skip',
  [ACTION_IDS.escalate]: 'escalate',
  [ACTION_IDS.close]: 'close',
};

/** The security channel's buttons: only configured operators (user ids, or members of user groups). */
export function registerOperatorActions(app: App, deps: BotDeps): void {
  for (const [actionId, kind] of Object.entries(BUTTONS)) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const workflowId = action.value ?? '';
      try {
        const aboutYou = 'This alert is about you, so another operator must decide it.';
        if (!(await mayDecideAsOperator(deps, client, body, action, kind, aboutYou))) return;
        await deps.interviews.act(workflowId, {
          actionId: `${kind}:${body.user.id}:${action.action_ts}`,
          operator: body.user.id,
          action: kind,
        });
      } catch (err) {
        if (err instanceof InterviewNotFoundError)
          return tellUser(client, body, "This check doesn't exist any more.");
        return unreachable(deps, client, body, err);
      }
      await tellUser(client, body, `Done: ${kind}.`);
    });
  }
}
