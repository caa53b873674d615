import type { KnownBlock } from '@slack/types';
import { type Language, t } from '../shared/i18n';
import { SLACK_LIMITS as L, cutText, escapeMrkdwn } from '../shared/slack-text';

/** The small pieces every message and view is made of; their text must already be safe mrkdwn. */

/** A section of mrkdwn, cut to Slack's limit. */
export function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: cutText(text, L.sectionText) } };
}

/** A line of small grey mrkdwn, cut to Slack's limit. */
export function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: cutText(text, L.sectionText) }] };
}

/** The "are you sure?" dialog of a button. */
export function confirmDialog(title: string, text: string, confirm: string, lang: Language = 'en') {
  return {
    title: { type: 'plain_text' as const, text: title },
    text: { type: 'plain_text' as const, text },
    confirm: { type: 'plain_text' as const, text: confirm },
    deny: { type: 'plain_text' as const, text: t(lang, 'dialog.goBack') },
  };
}

/** A time Slack shows in the reader's own time zone, with the ISO text for clients that cannot. */
export function slackDate(iso: string, format: string): string {
  return `<!date^${Math.floor(Date.parse(iso) / 1000)}^${format}|${escapeMrkdwn(iso)}>`;
}

/** The link to the interview in Temporal's Web UI (Vouch builds the URL itself). */
export function temporalLink(uiLink: string, label = 'Open in Temporal'): KnownBlock {
  return context(`<${uiLink}|${label}>`);
}
