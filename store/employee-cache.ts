import type { Collections, EmployeeDoc } from './collections';

/** An Entra user as Microsoft Graph gave them, kept under `aad:<object id>`. */
export interface CachedEntraUser {
  aadObjectId: string;
  email: string;
  addresses: string[];
  name?: string;
}

/**
 * Slack's profiles of users and Microsoft Graph's answers about Entra users, kept in `employees` so a
 * burst of alerts does not hit either service's rate limits.
 */
export function employeeCache(c: Collections) {
  return {
    /** The profile by Slack id or email, if it was fetched after `fetchedAfter`. */
    async fresh(
      ref: { slackUserId: string } | { email: string },
      fetchedAfter: Date,
    ): Promise<EmployeeDoc | null> {
      // By Slack id the filter is _id alone and freshness is checked here: FerretDB scans the
      // collection for any other filter (by email it still does: that needs a key of its own).
      if ('slackUserId' in ref) {
        const doc = await c.employees.findOne({ _id: ref.slackUserId });
        return doc?.resolvedAt && doc.resolvedAt > fetchedAfter ? doc : null;
      }
      return c.employees.findOne({ email: ref.email, resolvedAt: { $gt: fetchedAfter } });
    },

    /** Keeps a profile just fetched from Slack; `withLocale` when Slack was asked for the locale too. */
    async save(
      profile: Pick<EmployeeDoc, 'email' | 'name' | 'timeZone' | 'locale'> & { slackUserId: string },
      fetchedAt: Date,
      withLocale = false,
    ): Promise<void> {
      await c.employees.updateOne(
        { _id: profile.slackUserId },
        {
          $set: {
            email: profile.email,
            name: profile.name,
            timeZone: profile.timeZone,
            resolvedAt: fetchedAt,
            updatedAt: fetchedAt,
            ...(withLocale ? localeFields(profile.locale, fetchedAt) : {}),
          },
        },
        { upsert: true },
      );
    },

    /** The user's Slack locale as last asked (`at` undefined: never asked), or null without a profile. */
    async locale(slackUserId: string): Promise<{ locale?: string; at?: Date } | null> {
      const doc = await c.employees.findOne({ _id: slackUserId }, { projection: { locale: 1, localeAt: 1 } });
      return doc ? { locale: doc.locale ?? undefined, at: doc.localeAt } : null;
    },

    /** Keeps the locale Slack gave for a user (none: English), whether or not their profile is kept. */
    async saveLocale(slackUserId: string, locale: string | undefined, at: Date): Promise<void> {
      await c.employees.updateOne(
        { _id: slackUserId },
        { $set: { ...localeFields(locale, at), updatedAt: at } },
        { upsert: true },
      );
    },

    /**
     * The locale Teams last put on an activity of this Entra user (`de-DE`), kept under `aad:<object id>`:
     * the cards Vouch sends them later, unprompted, are written in it.
     */
    async teamsLocale(aadObjectId: string): Promise<string | undefined> {
      const doc = await c.employees.findOne({ _id: teamsKey(aadObjectId) }, { projection: { locale: 1 } });
      return doc?.locale ?? undefined;
    },

    /** Keeps the locale of a Teams activity; written only when it changed, so each activity costs one read. */
    async saveTeamsLocale(aadObjectId: string, locale: string, at: Date): Promise<void> {
      const fields = localeFields(locale, at);
      if (!fields.locale) return;
      const known = await c.employees.findOne({ _id: teamsKey(aadObjectId) }, { projection: { locale: 1 } });
      if (known?.locale === fields.locale) return;
      await c.employees.updateOne(
        { _id: teamsKey(aadObjectId) },
        { $set: { ...fields, updatedAt: at } },
        { upsert: true },
      );
    },

    /** The Entra user Graph gave for this address (mail or UPN), if it was fetched after `fetchedAfter`. */
    async freshEntra(address: string, fetchedAfter: Date): Promise<CachedEntraUser | null> {
      const doc = await c.employees.findOne({
        entraAddresses: address.toLowerCase(),
        entraAt: { $gt: fetchedAfter },
      });
      return doc ? entraUserOf(doc) : null;
    },

    /** Who Graph last said this Entra user is, however long ago: the Teams bot names them by it. */
    async entraUser(aadObjectId: string): Promise<CachedEntraUser | null> {
      const doc = await c.employees.findOne({ _id: teamsKey(aadObjectId) });
      return doc ? entraUserOf(doc) : null;
    },

    /** Whom Graph named by this email (as an interview keeps them), however long ago. */
    async entraUserByEmail(email: string): Promise<CachedEntraUser | null> {
      const doc = await c.employees.findOne({ entraEmail: email.toLowerCase() });
      return doc ? entraUserOf(doc) : null;
    },

    /**
     * Keeps what Graph gave; its `preferredLanguage` becomes the Teams locale until Teams gives one
     * (Teams' own, from the user's activities, always wins), so the first card is in their language.
     */
    async saveEntra(user: CachedEntraUser & { preferredLanguage?: string }, fetchedAt: Date): Promise<void> {
      const _id = teamsKey(user.aadObjectId);
      const known = await c.employees.findOne({ _id }, { projection: { locale: 1 } });
      const locale = known?.locale ? undefined : localeFields(user.preferredLanguage, fetchedAt);
      await c.employees.updateOne(
        { _id },
        {
          $set: {
            entraEmail: user.email.toLowerCase(),
            entraAddresses: user.addresses.map((a) => a.toLowerCase()),
            ...(user.name ? { entraName: user.name } : {}),
            entraAt: fetchedAt,
            updatedAt: fetchedAt,
            ...(locale?.locale ? locale : {}),
          },
        },
        { upsert: true },
      );
    },

    /** The DM channel opened with this user before, if any. */
    async dmChannel(slackUserId: string): Promise<string | undefined> {
      const doc = await c.employees.findOne({ _id: slackUserId }, { projection: { dmChannel: 1 } });
      return doc?.dmChannel;
    },

    /** Whose DM channel this is (indexed; FerretDB v1 still scans: only for the rare message that knows no more). */
    async userOfDmChannel(channel: string): Promise<string | undefined> {
      const doc = await c.employees.findOne({ dmChannel: channel }, { projection: { _id: 1 } });
      return doc?._id;
    },

    /** Keeps the DM channel Slack opened, for users whose profile is kept (no document is created). */
    async saveDmChannel(slackUserId: string, channel: string, at: Date): Promise<void> {
      await c.employees.updateOne({ _id: slackUserId }, { $set: { dmChannel: channel, updatedAt: at } });
    },
  };
}

function entraUserOf(doc: EmployeeDoc): CachedEntraUser | null {
  if (!doc.entraEmail) return null;
  return {
    aadObjectId: doc._id.slice('aad:'.length),
    email: doc.entraEmail,
    addresses: doc.entraAddresses ?? [],
    ...(doc.entraName ? { name: doc.entraName } : {}),
  };
}

/** Teams users' entries sit beside Slack's profiles (Slack ids never start with `aad:`). */
const teamsKey = (aadObjectId: string) => `aad:${aadObjectId.toLowerCase()}`;

/** Slack locales are short tags (`de-DE`, `zh-Hant`): anything else is not kept. */
const LOCALE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$/;

function localeFields(locale: string | undefined, at: Date): Pick<EmployeeDoc, 'locale' | 'localeAt'> {
  return { locale: locale && LOCALE.test(locale) ? locale : undefined, localeAt: at };
}
