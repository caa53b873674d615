import type { KnownBlock, View } from '@slack/types';
import { SLACK_LIMITS as L, cutText, slackText } from '../shared/slack-text';
import { VIEW_IDS } from '../shared/slack-ids';
import type { AlertDoc } from '../store/collections';
import { section, slackDate } from './parts';

/** An employee's interviews, as `/vouch status` text and as the App Home tab, from the alerts' fields. */

const PHASE_TEXT: Partial<Record<AlertDoc['phase'], string>> = {
  starting: 'starting',
  awaiting_approval: 'waiting for the security team',
  awaiting_response: 'waiting for your answer',
  awaiting_second_factor: 'waiting for your code',
  queued: 'waiting: you have other open checks',
  awaiting_leader: 'answered together with a similar check',
};

function line(doc: AlertDoc): string {
  const when = slackDate(doc.createdAt.toISOString(), '{date_short_pretty} {time}');
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

export function homeView(open: AlertDoc[], closed: AlertDoc[], enrolled: boolean): View {
  return { type: 'home', callback_id: VIEW_IDS.home, blocks: homeBlocks(open, closed, enrolled) };
}
