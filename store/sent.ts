import type { Collections } from './collections';
import { insertOnce } from './mongo';

/** A claim on a side effect whose result is not recorded yet: an attempt is performing it, or died doing so. */
export interface SentClaim {
  claimedAt: Date;
}

/**
 * Side effects already performed (a DM sent, a report posted), keyed `<workflowId>:<step>`, with what
 * they returned. An activity checks here first, so a retry returns the recorded result instead of
 * sending again; if two attempts race, the first recorded result wins and both return it. A step that
 * must not be repeated even when an attempt dies between sending and recording claims its key first.
 */
export function sentStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    async get(key: string): Promise<Record<string, unknown> | null> {
      return (await c.sent.findOne({ _id: key }))?.result ?? null;
    },

    /**
     * Records what a step returned; a result already there is kept and returned (both racing attempts
     * return the first). A unique insert, so the common case is one write by _id (FerretDB scans the
     * collection for any other filter).
     */
    async record(key: string, result: Record<string, unknown>): Promise<Record<string, unknown>> {
      if (await insertOnce(c.sent, { _id: key, at: now(), result })) return result;
      const doc = await c.sent.findOne({ _id: key });
      if (doc?.result) return doc.result; // recorded by the other attempt
      return this.fill(key, result);
    },

    /**
     * Fills the claim this attempt holds with its result. Only the holder sends, so a result written
     * meanwhile can only be this same message, found in Slack by an attempt that saw the claim: the
     * read-free write by _id overwrites it with the same reference.
     */
    async fill(key: string, result: Record<string, unknown>): Promise<Record<string, unknown>> {
      await c.sent.updateOne({ _id: key }, { $set: { at: now(), result } });
      return result;
    },

    /**
     * Claims `key` for this attempt: `{ result }` when it was done already, `{ claimed: true }` when
     * this attempt may perform it, or the earlier attempt's claim.
     */
    async claim(
      key: string,
    ): Promise<{ result: Record<string, unknown> } | { claimed: true } | { heldSince: Date }> {
      try {
        await c.sent.insertOne({ _id: key, claimedAt: now() });
        return { claimed: true };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
      const doc = await c.sent.findOne({ _id: key });
      if (doc?.result) return { result: doc.result };
      return { heldSince: doc?.claimedAt ?? new Date(0) };
    },

    /** Gives up this attempt's claim: the step was surely not performed, and the next attempt may at once. */
    async release(key: string): Promise<void> {
      await c.sent.deleteOne({ _id: key, result: { $exists: false } });
    },

    /** Takes over a claim held since `heldSince` whose attempt is gone; false when another attempt took it. */
    async takeOver(key: string, heldSince: Date): Promise<boolean> {
      const res = await c.sent.updateOne(
        { _id: key, claimedAt: heldSince, result: { $exists: false } },
        { $set: { claimedAt: now() } },
      );
      return res.modifiedCount === 1;
    },
  };
}
