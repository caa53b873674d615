import type { App } from '@slack/bolt';
import { VIEW_IDS } from '../../shared/slack-ids';
import { LINK_TTL_MS } from '../../store/enrollment-links';
import type { BotDeps } from '../deps';
import { homeBlocks, statusText } from '../my-interviews';

/**
 * `/vouch status|enroll|help` and the App Home tab. Replies are ephemeral: only the person who typed
 * the command sees them. `/vouch enroll` answers with a single-use link, never with a secret.
 */
export const HELP = [
  '*Vouch* asks you to confirm security alerts about your account.',
  '• `/vouch status`: your open checks and recent outcomes',
  '• `/vouch enroll`: set up (or replace) your second factor, through a link that works once',
  '• `/vouch help`: this message',
].join('\n');

export function registerVouchCommand(app: App, deps: BotDeps): void {
  app.command('/vouch', async ({ ack, command }) => {
    const [sub = 'help'] = command.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const user = command.user_id;
    if (sub === 'status') {
      const { open, closed } = await deps.alerts.ofEmployee(user, 5);
      return ack({ response_type: 'ephemeral', text: statusText(open, closed) });
    }
    if (sub === 'enroll') {
      if (!deps.securityChannel && !(await deps.factors.isActive(user)))
        return ack({
          response_type: 'ephemeral',
          text: 'Setting up a second factor from Slack needs a security operator, and none is configured here. Ask your security team to enroll you in person (`vouch enroll`).',
        });
      const { token } = await deps.links.create(user, new Date());
      const url = `${deps.publicUrl}/enroll/${token}`;
      return ack({
        response_type: 'ephemeral',
        text:
          `Open this link in your browser to set up your second factor: ${url}\n` +
          `It works once, in one browser, for ${LINK_TTL_MS / 60_000} minutes. A security operator will ` +
          'contact you on a trusted channel (a call or a video meeting) to check a pairing code shown on that ' +
          'page before the key appears. Never share that page or the key with anyone.',
      });
    }
    const unknown = sub === 'help' ? '' : `I don't know \`${sub}\`.\n`;
    return ack({ response_type: 'ephemeral', text: `${unknown}${HELP}` });
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const { open, closed } = await deps.alerts.ofEmployee(event.user);
    await client.views.publish({
      user_id: event.user,
      view: {
        type: 'home',
        callback_id: VIEW_IDS.home,
        blocks: homeBlocks(open, closed, await deps.factors.isActive(event.user)),
      },
    });
  });
}
