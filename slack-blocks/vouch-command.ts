import { type Language, t } from '../shared/i18n';
import { escapeMrkdwn } from '../shared/slack-text';

/** The ephemeral replies to `/vouch` (its status reply is ./home.ts statusText), in the person's language. */

/** Help, after saying which subcommand was not understood (shown in code, so it stays inert). */
export function helpReply(unknown?: string, lang: Language = 'en'): string {
  return unknown === undefined
    ? t(lang, 'help.text')
    : `${t(lang, 'help.unknown', { command: escapeMrkdwn(unknown.replace(/`/g, "'")) })}\n${t(lang, 'help.text')}`;
}

export const enrollNeedsOperator = (lang: Language = 'en') => t(lang, 'enroll.needsOperator');

/** The single-use enrollment link; never a secret. */
export function enrollLinkReply(url: string, ttlMinutes: number, lang: Language = 'en'): string {
  return t(lang, 'enroll.link', { url, minutes: ttlMinutes });
}
