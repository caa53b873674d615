import type { Collection } from 'mongodb';
import type { ClaimDoc } from './collections';
import { insertOnce } from './mongo';

/**
 * Claims the first free of `max` numbered slots under `key` (`<key>:0` … `<key>:<max-1>`), each a unique
 * insert: its number, or null when all are taken. However many processes race, at most `max` claims
 * succeed. The search starts at the count of claimed slots, so a full key costs one count, not `max`
 * inserts.
 */
export async function claimSlot(
  claims: Collection<ClaimDoc>,
  key: string,
  max: number,
  now: Date,
): Promise<number | null> {
  const taken = await claims.countDocuments({ _id: { $gt: `${key}:`, $lt: `${key}:\uffff` } });
  for (let n = Math.min(taken, max); n < max; n++)
    if (await insertOnce(claims, { _id: `${key}:${n}`, at: now })) return n;
  return null;
}
