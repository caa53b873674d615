import { type Catalogue, type MessageKey, type PluralKey } from './catalogue';
import { de } from './de';
import { en } from './en';

/**
 * The languages Vouch speaks to employees, chosen by their Slack locale. Pure, so any module may use it;
 * operator-facing text (the security channel, the CLI) stays English and does not come from here.
 */
export const CATALOGUES = { en, de } satisfies Record<string, Catalogue>;
export type Language = keyof typeof CATALOGUES;
export const LANGUAGES = Object.keys(CATALOGUES) as Language[];
export const DEFAULT_LANGUAGE: Language = 'en';
export type { MessageKey, PluralKey };

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as string[]).includes(value);
}

/** A Slack locale (`de-DE`, `en-GB`, `pt-BR`) as a language Vouch has; English for any other or none. */
export function languageOfLocale(locale: string | undefined | null): Language {
  const primary = (locale ?? '').split(/[-_]/)[0]!.toLowerCase();
  return isLanguage(primary) ? primary : DEFAULT_LANGUAGE;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholders a message uses, e.g. ["title", "deadline"]. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** The message in `lang`, its `{name}` placeholders filled with `values` (which the caller made safe). */
export function t(lang: Language, key: MessageKey, values: Record<string, string | number> = {}): string {
  const text: string = CATALOGUES[lang][key];
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The plural form for `n` (`{n}` is filled with it). */
export function tn(
  lang: Language,
  key: PluralKey,
  n: number,
  values: Record<string, string | number> = {},
): string {
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? 'one' : 'other';
  return t(lang, `${key}.${form}` as MessageKey, { n, ...values });
}
