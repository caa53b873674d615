import type { BlockAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { t } from '../../shared/i18n';
import type { BotDeps } from '../deps';
import { languageOfUser } from '../language';

/** Short ephemeral replies to the person who clicked, where they clicked. */
export async function tellUser(client: WebClient, body: BlockAction, text: string): Promise<void> {
  const channel = body.channel?.id ?? body.container?.channel_id;
  if (!channel) return;
  await client.chat.postEphemeral({ channel, user: body.user.id, text });
}

/** Temporal could not be reached: nothing was recorded, so the person can simply try again. */
export async function unreachable(
  deps: BotDeps,
  client: WebClient,
  body: BlockAction,
  err: unknown,
): Promise<void> {
  deps.logger.error({ err, user: body.user.id }, 'could not reach the interview');
  const lang = await languageOfUser(deps, body.user.id);
  await tellUser(client, body, `:warning: ${t(lang, 'reply.notSaved')}`);
}
