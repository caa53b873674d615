import { DEFAULT_LANGUAGE, type Language, languageOfLocale } from '../shared/i18n';
import { employeeCache } from '../store/employee-cache';
import type { ActivityContext } from './context';
import { EMPLOYEE_CACHE_MS } from './employees';
import { slackCall, slackHasRoomFor } from './slack-client';

/**
 * The language a person's messages are written in: their Slack locale (users.info with
 * include_locale), kept in `employees` for a day like the rest of Slack's profile, so the bot can
 * write its modals in it without asking Slack. A locale Slack does not give, or that Vouch has no
 * catalogue for, is English; so is any failure to ask: a message is never held back for its language.
 * Nor does it wait for users.info's budget: in a storm of alerts for people Vouch has not asked yet,
 * the lookups beyond Slack's tier would hold each DM until its attempt ran out; those people read
 * their last known language (or English) until a later message finds budget to ask.
 */
export function employeeLanguages(ctx: ActivityContext) {
  const cache = employeeCache(ctx.c);

  async function languageOf(slackUserId: string): Promise<Language> {
    const known = await cache.locale(slackUserId);
    if (known?.at && ctx.now().getTime() - known.at.getTime() < EMPLOYEE_CACHE_MS)
      return languageOfLocale(known.locale);
    const fallback = known?.at ? languageOfLocale(known.locale) : DEFAULT_LANGUAGE;
    if (!slackHasRoomFor(ctx.slack(), 'users.info')) return fallback;
    try {
      const res = await slackCall('users.info', () =>
        ctx.slack().users.info({ user: slackUserId, include_locale: true }),
      );
      const locale = (res.user as { locale?: string } | undefined)?.locale;
      await cache.saveLocale(slackUserId, locale, ctx.now());
      return languageOfLocale(locale);
    } catch (err) {
      ctx.log.warn({ err, slackUserId }, "could not ask Slack for the user's locale: last known, or English");
      return fallback;
    }
  }

  return {
    languageOf,
    /** The language of the person whose DM channel this is (English when Vouch does not know them). */
    async languageOfDm(channel: string): Promise<Language> {
      const slackUserId = await cache.userOfDmChannel(channel);
      return slackUserId ? languageOf(slackUserId) : DEFAULT_LANGUAGE;
    },
    /** The language of the employee an alert asks (English before the employee is resolved). */
    async languageOfAlert(alertId: string): Promise<Language> {
      const slackUserId = (await ctx.alerts.factsOf(alertId))?.employee?.slackUserId;
      return slackUserId ? languageOf(slackUserId) : DEFAULT_LANGUAGE;
    },
  };
}
