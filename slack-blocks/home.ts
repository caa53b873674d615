import type { KnownBlock, View } from '@slack/types';
import { type Language, t } from '../shared/i18n';
import { statusWords } from '../shared/interview-status';
import { SLACK_LIMITS as L, cutText, slackText } from '../shared/slack-text';
import { VIEW_IDS } from '../shared/slack-ids';
import type { AlertDoc } from '../store/collections';
import { section, slackDate } from './parts';

/**
 * An employee's interviews, as `/vouch status` text and as the App Home tab, from the alerts' fields,
 * in the employee's language.
 */

function line(doc: AlertDoc, lang: Language): string {
  const when = slackDate(doc.createdAt.toISOString(), '{date_short_pretty} {time}');
  return `• *${slackText(doc.input.title, 200)}* (${when}): ${statusWords(doc, lang)}`;
}

const lines = (docs: AlertDoc[], lang: Language) => docs.map((d) => line(d, lang)).join('\n');

export function statusText(open: AlertDoc[], closed: AlertDoc[], lang: Language = 'en'): string {
  const parts = [
    open.length
      ? t(lang, 'status.open', { count: open.length, lines: lines(open, lang) })
      : t(lang, 'status.noneOpen'),
  ];
  if (closed.length) parts.push(t(lang, 'status.recent', { lines: lines(closed, lang) }));
  return cutText(parts.join('\n\n'), L.messageText);
}

export function homeBlocks(
  open: AlertDoc[],
  closed: AlertDoc[],
  enrolled: boolean,
  lang: Language = 'en',
): KnownBlock[] {
  return [
    { type: 'header', text: { type: 'plain_text', text: 'Vouch' } },
    section(t(lang, 'home.about')),
    section(t(lang, enrolled ? 'home.enrolled' : 'home.notEnrolled')),
    { type: 'divider' },
    section(open.length ? t(lang, 'home.open', { lines: lines(open, lang) }) : t(lang, 'home.openNone')),
    section(
      closed.length ? t(lang, 'status.recent', { lines: lines(closed, lang) }) : t(lang, 'home.recentNone'),
    ),
  ];
}

export function homeView(
  open: AlertDoc[],
  closed: AlertDoc[],
  enrolled: boolean,
  lang: Language = 'en',
): View {
  return { type: 'home', callback_id: VIEW_IDS.home, blocks: homeBlocks(open, closed, enrolled, lang) };
}
