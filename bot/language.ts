import { DEFAULT_LANGUAGE, type Language, languageOfLocale } from '../shared/i18n';
import { employeeCache } from '../store/employee-cache';
import type { BotDeps } from './deps';

/**
 * The language of the person who clicked: the Slack locale the worker keeps with their profile, so a
 * modal opens within its 3 s without asking Slack. English for someone Vouch has not written to yet.
 */
export async function languageOfUser(deps: BotDeps, slackUserId: string): Promise<Language> {
  try {
    return languageOfLocale((await employeeCache(deps.collections).locale(slackUserId))?.locale);
  } catch (err) {
    deps.logger.warn({ err, user: slackUserId }, 'could not read the language of a user: English');
    return DEFAULT_LANGUAGE;
  }
}
