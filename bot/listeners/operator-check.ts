import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { BotDeps } from '../deps';
import { tellUser } from './replies';

/**
 * Whether the clicker of a security channel button may decide for the alert: a configured operator,
 * and not the person the alert is about (the interview refuses that too, whoever signals). A refusal
 * goes into the alert's audit trail and the clicker is told why. `label` names the decision.
 */
export async function mayDecideAsOperator(
  deps: BotDeps,
  client: WebClient,
  body: BlockAction,
  action: ButtonAction,
  label: string,
  aboutYou: string,
): Promise<boolean> {
  const workflowId = action.value ?? '';
  const key = `operator-click:${body.user.id}:${action.action_ts}`;
  if (!(await deps.isOperator(client, body.user.id))) {
    await deps.audit(workflowId, key, {
      actor: body.user.id,
      kind: 'unauthorized_operator_action',
      button: label,
    });
    await tellUser(client, body, ':no_entry: Only the security team’s operators can do that.');
    return false;
  }
  if ((await deps.interviews.state(workflowId)).employee !== body.user.id) return true;
  await deps.audit(workflowId, key, {
    actor: body.user.id,
    kind: 'self_action_refused',
    operator: body.user.id,
    action: label,
  });
  await tellUser(client, body, `:no_entry: ${aboutYou}`);
  return false;
}
