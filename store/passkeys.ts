import { randomUUID } from 'node:crypto';
import type { Collections, FactorEventDoc, PasskeyDoc } from './collections';
import { profileOf } from './second-factors';

/**
 * Employees' passkeys (WebAuthn credentials), one document each in `passkeys`: the credential id, the
 * public key, the signature counter, the transports and who added it when. Nothing in it is secret: the
 * private key never leaves the authenticator. Adding and revoking are recorded in `factor_events`.
 * The ceremonies that add and use them are in store/passkey-ceremonies.ts.
 */
export interface PasskeyListing {
  factor: 'passkey';
  employee: string;
  slackUserId?: string;
  email?: string;
  name?: string;
  status: 'active';
  credentialId: string;
  transports: string[];
  enrolledAt: Date;
  enrolledBy: string;
  lastUsedAt?: Date;
}

export class PasskeyError extends Error {
  override readonly name = 'UsageError';
}

export function passkeyStore(c: Collections) {
  const record = (event: Omit<FactorEventDoc, '_id'>) =>
    c.factorEvents.insertOne({ _id: randomUUID(), ...event });
  return {
    async add(passkey: Omit<PasskeyDoc, 'lastUsedAt'>): Promise<void> {
      await c.passkeys.insertOne(passkey);
      await record({
        slackUserId: passkey.employee,
        action: 'passkey_added',
        actor: passkey.createdBy,
        at: passkey.createdAt,
        detail: `passkey ${shortId(passkey._id)}`,
      });
    },

    forEmployee(employee: string): Promise<PasskeyDoc[]> {
      return c.passkeys.find({ employee }).toArray();
    },

    async hasAny(employee: string): Promise<boolean> {
      return (await c.passkeys.countDocuments({ employee }, { limit: 1 })) > 0;
    },

    get(credentialId: string): Promise<PasskeyDoc | null> {
      return c.passkeys.findOne({ _id: credentialId });
    },

    /** Moves the counter forward, only from the value the check read (a racing use of the same key loses). */
    async recordUse(passkey: PasskeyDoc, newCounter: number, now: Date): Promise<boolean> {
      const done = await c.passkeys.updateOne(
        { _id: passkey._id, counter: passkey.counter },
        { $set: { counter: newCounter, lastUsedAt: now } },
      );
      return done.matchedCount === 1;
    },

    /**
     * Removes one passkey (by its credential id, or an unambiguous start of it as `vouch factor list`
     * shows it) or, with `which` = "all", every passkey of the employee. Returns the ids removed.
     */
    async revoke(
      employee: string,
      which: string,
      actor: string,
      now: Date,
      reason?: string,
    ): Promise<string[]> {
      const mine = await c.passkeys.find({ employee }).toArray();
      const chosen = which === 'all' ? mine : mine.filter((p) => p._id.startsWith(which));
      if (chosen.length === 0)
        throw new PasskeyError(
          mine.length === 0
            ? `${employee} has no passkey to revoke`
            : `${employee} has no passkey ${which}: pass one of ${mine.map((p) => shortId(p._id)).join(', ')} or "all"`,
        );
      if (which !== 'all' && chosen.length > 1)
        throw new PasskeyError(`"${which}" names ${chosen.length} passkeys: give more of the id`);
      for (const p of chosen) {
        await c.passkeys.deleteOne({ _id: p._id, employee });
        await record({
          slackUserId: employee,
          action: 'passkey_revoked',
          actor,
          at: now,
          detail: `passkey ${shortId(p._id)}${reason ? `: ${reason}` : ''}`,
        });
      }
      return chosen.map((p) => p._id);
    },

    async list(): Promise<PasskeyListing[]> {
      const docs = await c.passkeys.find({}).toArray();
      const profiles = new Map<string, Awaited<ReturnType<typeof profileOf>>>();
      for (const employee of new Set(docs.map((d) => d.employee)))
        profiles.set(employee, await profileOf(c, employee));
      return docs
        .map((d) => ({
          factor: 'passkey' as const,
          employee: d.employee,
          ...profiles.get(d.employee),
          status: 'active' as const,
          credentialId: d._id,
          transports: d.transports ?? [],
          enrolledAt: d.createdAt,
          enrolledBy: d.createdBy,
          ...(d.lastUsedAt ? { lastUsedAt: d.lastUsedAt } : {}),
        }))
        .sort(
          (a, b) =>
            (a.email ?? a.employee).localeCompare(b.email ?? b.employee) ||
            a.enrolledAt.getTime() - b.enrolledAt.getTime(),
        );
    },
  };
}

export type PasskeyStore = ReturnType<typeof passkeyStore>;

/** The start of a credential id, as lists and records show it (enough to tell one's keys apart). */
export function shortId(credentialId: string): string {
  return credentialId.slice(0, 12);
}
