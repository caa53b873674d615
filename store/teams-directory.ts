import type { DirectoryEntry } from '../shared/directory-entry';
import type { Collections } from './collections';
import { directoryStore } from './directory';
import { employeeCache } from './employee-cache';

/**
 * The people Teams names by Entra object id: the directory operators maintain, then those Microsoft
 * Graph named when an interview looked them up by email (activities/employees.ts). The Teams bot
 * knows its senders by it, so someone Graph found answers as the interview asked them.
 */
export function teamsDirectory(c: Collections) {
  const directory = directoryStore(c);
  const cache = employeeCache(c);
  return {
    /** The Entra object id the Teams channel reaches someone by: the directory's, else Graph's for their email. */
    async aadObjectIdOf(who: { email?: string; slackUserId?: string }): Promise<string | undefined> {
      const entry =
        (who.email ? await directory.byEmail(who.email) : null) ??
        (who.slackUserId ? await directory.bySlackId(who.slackUserId) : null);
      if (entry?.aadObjectId) return entry.aadObjectId;
      const email = entry?.email ?? who.email;
      return email ? (await cache.entraUserByEmail(email))?.aadObjectId : undefined;
    },

    async byAadObjectId(aadObjectId: string): Promise<DirectoryEntry | null> {
      const listed = await directory.byAadObjectId(aadObjectId);
      if (listed) return listed;
      const found = await cache.entraUser(aadObjectId);
      if (!found) return null;
      return {
        email: found.email,
        aadObjectId: found.aadObjectId,
        aliases: [],
        ...(found.name ? { name: found.name } : {}),
      };
    },
  };
}
