import type { Language } from './i18n';
import { slackText } from './slack-text';

/**
 * Message templates of a policy ("{{title}} was seen on your account…"). The template text is the
 * security team's own Slack mrkdwn; the placeholders are filled from alert data, which is untrusted:
 * every value is made inert (see `inertText`), so alert data cannot add a mention, a broadcast, a link
 * or a line of its own. Pure and deterministic: workflows, activities and the CLI use it.
 */
export const TEMPLATE_PLACEHOLDERS = [
  'title',
  'type',
  'severity',
  'source',
  'occurredAt',
  'employee',
  'deadline',
  'detail.<key>',
] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_.:-]+)?)\s*\}\}/g;
const MAX_VALUE = 300;

/** What is wrong with a template, or null: unknown placeholders, broadcast mentions, stray braces. */
export function templateProblem(template: string): string | null {
  const unknown = [...template.matchAll(PLACEHOLDER)]
    .map((m) => m[1]!)
    .filter((name) => !name.startsWith('detail.') && !TEMPLATE_PLACEHOLDERS.includes(name as never));
  if (unknown.length > 0)
    return `unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')}: use ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`;
  if (/\{\{|\}\}/.test(template.replace(PLACEHOLDER, '')))
    return 'has "{{" or "}}" that is not a placeholder: write placeholders as {{title}}';
  if (/<!(channel|here|everyone)/i.test(template))
    return 'must not notify a whole channel (<!channel>, <!here>, <!everyone>): remove it';
  return null;
}

/**
 * Alert data as text that Slack shows literally: `& < >` escaped (no `<@U…>` mention, `<!channel>`
 * broadcast or `<url|text>` link), URLs and domain names defanged (`https[:]//evil[.]example`, so Slack
 * does not make them links), no line breaks, at most 300 characters after all that.
 */
export function inertText(value: string): string {
  return slackText(value.replace(/\s+/g, ' ').trim(), MAX_VALUE);
}

/** Fills the placeholders with inert values; a placeholder without a value becomes "(unknown)". */
export function renderTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => inertText(values[name] ?? '(unknown)'));
}

/** A policy's template: one text for every language, or one per language (`{ en: "…", de: "…" }`). */
export type LocalizedTemplate = string | Partial<Record<Language, string>>;

/** The template for `lang`, or undefined when the policy has none for it (Vouch's own words apply). */
export function templateIn(template: LocalizedTemplate | undefined, lang: Language): string | undefined {
  return typeof template === 'object' ? template[lang] : template;
}
