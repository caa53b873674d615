import type { KnownBlock } from '@slack/types';
import { SLACK_LIMITS as L, cutText, slackText } from '../shared/slack-text';
import type { AlertDoc } from '../store/collections';

/** An employee's interviews, as `/vouch status` text and as the App Home tab. */
const PHASE_TEXT: Partial<Record<AlertDoc['phase'], string>> = {
  starting: 'starting',
  awaiting_approval: 'waiting for the security team',
  awaiting_response: 'waiting for your answer',
  awaiting_second_factor: 'waiting for your code',
};

function line(doc: AlertDoc): string {
  const when = `<!date^${Math.floor(doc.createdAt.getTime() / 1000)}^{date_short_pretty} {time}|${doc.createdAt.toISOString()}>`;
  const status = doc.outcome ? doc.outcome.replace(/_/g, ' ') : (PHASE_TEXT[doc.phase] ?? doc.phase);
  return `• *${slackText(doc.input.title, 200)}* (${when}): ${status}`;
}

export function statusText(open: AlertDoc[], closed: AlertDoc[]): string {
  const parts = [
    open.length
      ? `*Open checks (${open.length})*\n${open.map(line).join('\n')}\nAnswer them in your DM with Vouch.`
      : 'You have no open checks.',
  ];
  if (closed.length) parts.push(`*Recent*\n${closed.map(line).join('\n')}`);
  return cutText(parts.join('\n\n'), L.messageText);
}

export function homeBlocks(open: AlertDoc[], closed: AlertDoc[], enrolled: boolean): KnownBlock[] {
  const section = (text: string): KnownBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: cutText(text, L.sectionText) },
  });
  return [
    { type: 'header', text: { type: 'plain_text', text: 'Vouch' } },
    section(
      'When a security alert is about your account, Vouch asks you here whether it was you, ' +
        'and checks it with a code from your authenticator app.',
    ),
    section(
      enrolled
        ? ':lock: Your second factor is set up.'
        : ':warning: You have no second factor yet: type `/vouch enroll` to set one up.',
    ),
    { type: 'divider' },
    section(open.length ? `*Open checks*\n${open.map(line).join('\n')}` : '*Open checks*\nNone.'),
    section(closed.length ? `*Recent*\n${closed.map(line).join('\n')}` : '*Recent*\nNone yet.'),
  ];
}
