import type { App } from '@slack/bolt';
import { homeView, statusText } from '../../slack-blocks/home';
import { enrollLinkReply, enrollNeedsOperator, helpReply } from '../../slack-blocks/vouch-command';
import { LINK_TTL_MS } from '../../store/enrollment-links';
import type { BotDeps } from '../deps';
import { languageOfUser } from '../language';

/**
 * `/vouch status|enroll|help` and the App Home tab. Replies are ephemeral: only the person who typed
 * the command sees them. `/vouch enroll` answers with a single-use link, never with a secret.
 */
export function registerVouchCommand(app: App, deps: BotDeps): void {
  app.command('/vouch', async ({ ack, command }) => {
    const [sub = 'help'] = command.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const user = command.user_id;
    const lang = await languageOfUser(deps, user);
    if (sub === 'status') {
      const { open, closed } = await deps.alerts.ofEmployee(user, 5);
      return ack({ response_type: 'ephemeral', text: statusText(open, closed, lang) });
    }
    if (sub === 'enroll') {
      if (!deps.securityChannel && !(await deps.factors.isActive(user)))
        return ack({ response_type: 'ephemeral', text: enrollNeedsOperator(lang) });
      const { token } = await deps.links.create(user, new Date());
      const url = `${deps.publicUrl}/enroll/${token}`;
      return ack({ response_type: 'ephemeral', text: enrollLinkReply(url, LINK_TTL_MS / 60_000, lang) });
    }
    return ack({ response_type: 'ephemeral', text: helpReply(sub === 'help' ? undefined : sub, lang) });
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const { open, closed } = await deps.alerts.ofEmployee(event.user);
    await client.views.publish({
      user_id: event.user,
      view: homeView(
        open,
        closed,
        await deps.factors.hasAny(event.user),
        await languageOfUser(deps, event.user),
      ),
    });
  });
}
