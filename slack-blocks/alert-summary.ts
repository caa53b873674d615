import type { KnownBlock } from '@slack/types';
import type { AlertInput } from '../shared/alert';
import { type Language, t } from '../shared/i18n';
import { SLACK_LIMITS as L, keyText, slackText } from '../shared/slack-text';
import { context, section, slackDate } from './parts';

/**
 * The alert as every message shows it. Alert data is always escaped and defanged, so a title or
 * detail can never become a mention, a link or a formatting trick in Slack, and every text is cut to
 * Slack's limit after that (shared/slack-text.ts), so no alert makes Slack refuse a message.
 */

/** How many details a message shows: two sections of fields; the report has them all. */
const SHOWN_DETAILS = 2 * L.sectionFields;

/**
 * The alert's own link, as the target of a Slack link: normalised by the URL parser (which
 * percent-encodes `<` and `>`) and with `|` encoded too, so it cannot close the link early and add a
 * mention or a label of its own.
 */
function linkTarget(url: string): string {
  return new URL(url).href.replace(/\|/g, '%7C');
}

function visibleDetails(alert: AlertInput): [string, string][] {
  const hidden = new Set(alert.sensitiveKeys);
  return Object.entries(alert.details)
    .filter(([k]) => !hidden.has(k))
    .map(([k, v]) => [k, String(v)]);
}

/** The values a policy's message template may use; alert data, so `renderTemplate` makes them inert. */
export function templateValues(alert: AlertInput, extra: { employee?: string; deadline?: string }) {
  return {
    title: alert.title,
    type: alert.type,
    severity: alert.severity,
    source: alert.source,
    occurredAt: alert.occurredAt,
    ...extra,
    ...Object.fromEntries(visibleDetails(alert).map(([k, v]) => [`detail.${k}`, v])),
  };
}

/** The alert's title as mrkdwn, short enough for a message's first line. */
export function alertTitle(alert: AlertInput): string {
  return slackText(alert.title, 600);
}

export function alertSummaryBlocks(
  alert: AlertInput,
  linkHosts: readonly string[],
  lang: Language = 'en',
): KnownBlock[] {
  const details = visibleDetails(alert);
  const blocks: KnownBlock[] = [section(`*${alertTitle(alert)}*`)];
  if (alert.description) blocks.push(section(slackText(alert.description, L.sectionText)));
  blocks.push(
    context(
      t(lang, 'alert.facts', {
        when: slackDate(alert.occurredAt, '{date_short_pretty} {time}'),
        source: slackText(alert.source, 600),
        severity: t(lang, `severity.${alert.severity}`),
      }),
    ),
  );
  for (let i = 0; i < Math.min(details.length, SHOWN_DETAILS); i += L.sectionFields)
    blocks.push({
      type: 'section',
      fields: details.slice(i, i + L.sectionFields).map(([k, v]) => ({
        type: 'mrkdwn' as const,
        text: `*${keyText(k, 400)}*\n${slackText(v, 900)}`,
      })),
    });
  if (details.length > SHOWN_DETAILS)
    blocks.push(context(t(lang, 'alert.moreDetails', { count: details.length - SHOWN_DETAILS })));
  if (alert.url) blocks.push(section(alertLink(alert.url, linkHosts, lang)));
  return blocks;
}

/**
 * The alert's link back to its source: live only for https URLs on hosts the security team listed
 * (VOUCH_LINK_HOSTS); any other is shown defanged, so an alert cannot hand the employee a link to a
 * look-alike sign-in page.
 */
export function alertLink(url: string, linkHosts: readonly string[], lang: Language = 'en'): string {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' && linkHosts.includes(parsed.hostname.toLowerCase())
    ? `<${linkTarget(url)}|${t(lang, 'alert.link')}>`
    : t(lang, 'alert.linkNotLive', { url: slackText(url, 600) });
}
