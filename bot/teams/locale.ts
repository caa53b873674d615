import type { Logger } from '../../lib/logger';
import { DEFAULT_LANGUAGE, type Language, languageOfLocale } from '../../shared/i18n';
import type { employeeCache } from '../../store/employee-cache';

/** What Teams says about the person behind an activity that the language needs. */
export interface LocalizedActivity {
  from?: { aadObjectId?: string };
  /** The user's Teams locale (`de-DE`). */
  locale?: string;
}

export type TeamsLocales = Pick<ReturnType<typeof employeeCache>, 'teamsLocale' | 'saveTeamsLocale'>;

/**
 * The language of Teams users: the `locale` every activity carries, kept per Entra object id (in
 * `employees`, `aad:<object id>`) for the cards Vouch sends them later, unprompted. English before any
 * activity was seen, and whenever the kept locale cannot be read: an answer is never held back for it.
 */
export function teamsLanguages(locales: TeamsLocales | undefined, logger: Logger) {
  return {
    /** The activity's language; without a locale on it, the last Teams gave for this person. */
    async languageOf(activity: LocalizedActivity): Promise<Language> {
      if (activity.locale) return languageOfLocale(activity.locale);
      const oid = activity.from?.aadObjectId;
      if (!oid || !locales) return DEFAULT_LANGUAGE;
      try {
        return languageOfLocale(await locales.teamsLocale(oid));
      } catch (err) {
        logger.warn({ err }, 'could not read the Teams locale of a user: English');
        return DEFAULT_LANGUAGE;
      }
    },
    /** Keeps the activity's locale (written only when it changed). */
    async remember(activity: LocalizedActivity): Promise<void> {
      const oid = activity.from?.aadObjectId;
      if (!oid || !activity.locale || !locales) return;
      try {
        await locales.saveTeamsLocale(oid, activity.locale, new Date());
      } catch (err) {
        logger.warn({ err }, 'could not keep the Teams locale of a user');
      }
    },
  };
}
