import type { Collection } from 'mongodb';
import type { ClaimDoc } from './collections';
import { insertOnce } from './mongo';

/**
 * Claims the first free of `max` numbered slots under `key` (`<key>:0` … `<key>:<max-1>`), each a unique
 * insert: its number, or null when all are taken. However many processes race, at most `max` claims
 * succeed. Slots are tried in order, each by _id: the usual first claim is one insert, and a full key
 * costs `max` refused inserts, still far less than counting the taken ones (a range on _id makes
 * FerretDB scan the whole collection).
 */
export async function claimSlot(
  claims: Collection<ClaimDoc>,
  key: string,
  max: number,
  now: Date,
): Promise<number | null> {
  for (let n = 0; n < max; n++) if (await insertOnce(claims, { _id: `${key}:${n}`, at: now })) return n;
  return null;
}
