import type { Collections, EmployeeDoc } from './collections';

/** Slack's profiles of users, kept in `employees` so a burst of alerts does not hit Slack's rate limits. */
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

    /** Keeps a profile just fetched from Slack. */
    async save(
      profile: Pick<EmployeeDoc, 'email' | 'name' | 'timeZone'> & { slackUserId: string },
      fetchedAt: Date,
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

    /** Keeps the DM channel Slack opened, for users whose profile is kept (no document is created). */
    async saveDmChannel(slackUserId: string, channel: string, at: Date): Promise<void> {
      await c.employees.updateOne({ _id: slackUserId }, { $set: { dmChannel: channel, updatedAt: at } });
    },
  };
}
