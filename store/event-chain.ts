import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * Tamper evidence for an alert's record. Each stored event carries
 * `hash = SHA-256(previous hash ‖ RFC 8785 canonical JSON of the event without its hash)`, the alert
 * keeps the last hash and the count as its head, and a SIEM that keeps the head can tell a record
 * rewritten wholesale. The first event's previous hash is derived from the alert id, so an event
 * cannot be moved to another alert.
 *
 * Audit entries are written concurrently from outside the workflow (the bot, the CLI), so they cannot
 * be chained without a lock: each one is hashed on its own with the alert's genesis as its previous
 * hash. An edited or moved audit entry is detected; a deleted one is not.
 */

/** The head of a record: the last event's hash and how many events the chain holds. */
export interface ChainHead {
  hash: string;
  count: number;
}

/** A stored event as the chain sees it: any object; only `key`, `kind`, `at` and `hash` are read. */
export type ChainedEvent = Record<string, unknown> & { hash?: string };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The "previous hash" of an alert's first event. */
export function genesisHash(alertId: string): string {
  return sha256(`vouch-record:${alertId}`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The event as MongoDB will hold it and hand it back: plain JSON (no undefined fields, which the
 * driver would store as null; no Dates) with well-formed strings (RFC 8785 refuses lone surrogates,
 * which a pasted Slack message can hold). Hash and store this form, never the original.
 */
export function storable<T extends object>(event: T): T {
  return JSON.parse(
    JSON.stringify(event, (_key, value: unknown) =>
      typeof value === 'string' ? value.replace(LONE_SURROGATE, '\uFFFD') : value,
    ),
  ) as T;
}

/** The hash of `event` chained to `previous`; the event's own `hash` field is left out. */
export function eventHash(previous: string, event: object): string {
  const { hash: _own, ...content } = event as ChainedEvent;
  const json = canonicalize(content);
  if (json === undefined) throw new Error('an event must be a JSON object to be hashed');
  return sha256(`${previous}${json}`);
}

/** Hashes events in order after `previous`: the events with their hashes, and the last hash. */
export function chainEvents<T extends object>(
  previous: string,
  events: readonly T[],
): { events: (T & { hash: string })[]; last: string } {
  let last = previous;
  const hashed = events.map((e) => {
    const plain = storable(e);
    last = eventHash(last, plain);
    return { ...plain, hash: last };
  });
  return { events: hashed, last };
}

/** An audit entry's hash: on its own, after the alert's genesis. */
export function auditHash(alertId: string, entry: object): string {
  return eventHash(genesisHash(alertId), entry);
}

/**
 * A record written before events were typed and hashed: old prose entries (a string `text` that is
 * not a `legacy_note`) without a hash. `vouch migrate` upgrades them.
 */
export function isLegacyEntry(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const x = e as ChainedEvent;
  return typeof x.hash !== 'string' && typeof x.text === 'string' && x.kind !== 'legacy_note';
}

export type ChainProblem =
  /** The event's content or hash was changed. */
  | 'edited'
  /** An event was deleted (or its position emptied). */
  | 'missing'
  /** Events are not in the order they were recorded in. */
  | 'reordered'
  /** An event without a hash among hashed ones. */
  | 'unhashed'
  /** The events verify but do not end where the alert's head says. */
  | 'head_mismatch'
  /** A record from before hashing: not tampered, not yet migrated. */
  | 'not_migrated';

/** The first event that does not match, and why. */
export interface ChainBreak {
  problem: ChainProblem;
  /** Where: `transcript` (the workflow's record) or `audit`. */
  record: 'transcript' | 'audit';
  /** 0-based position in the stored record (for the head: the record's length). */
  position: number;
  key?: string;
  kind?: string;
  at?: string;
  detail: string;
}

export type ChainResult = { ok: true; count: number; head: string } | { ok: false; break: ChainBreak };

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function describe(e: ChainedEvent | null | undefined) {
  return e ? { key: str(e.key), kind: str(e.kind), at: str(e.at) } : {};
}

/**
 * Recomputes an alert's transcript chain and names the first event that does not match. Entry n of
 * the workflow is stored at position n-1 with key `n`: a key out of place tells a deleted event from
 * reordered ones.
 */
export function verifyChain(
  alertId: string,
  stored: readonly (ChainedEvent | null | undefined)[],
  head: ChainHead | null | undefined,
): ChainResult {
  const fail = (b: Omit<ChainBreak, 'record'>): ChainResult => ({
    ok: false,
    break: { record: 'transcript', ...b },
  });
  let previous = genesisHash(alertId);
  for (let position = 0; position < stored.length; position += 1) {
    const e = stored[position];
    const expectedKey = String(position + 1);
    if (!e || typeof e !== 'object')
      return fail({
        problem: 'missing',
        position,
        key: expectedKey,
        detail: `event ${expectedKey} is missing (its position is empty)`,
      });
    if (typeof e.hash !== 'string')
      return fail({
        problem: isLegacyEntry(e) ? 'not_migrated' : 'unhashed',
        position,
        ...describe(e),
        detail: isLegacyEntry(e) ? 'stored before events were hashed' : 'the event carries no hash',
      });
    if (eventHash(previous, e) === e.hash) {
      previous = e.hash;
      continue;
    }
    const key = str(e.key);
    if (key !== expectedKey && eventHash(previous, { ...e, key: expectedKey }) !== e.hash) {
      const elsewhere = stored.findIndex((x) => x && str(x.key) === expectedKey);
      return elsewhere >= 0
        ? fail({
            problem: 'reordered',
            position,
            ...describe(e),
            detail: `event ${key ?? '?'} is at position ${position + 1}, where event ${expectedKey} belongs (now at ${elsewhere + 1})`,
          })
        : fail({
            problem: 'missing',
            position,
            key: expectedKey,
            detail: `event ${expectedKey} is missing (deleted); position ${position + 1} holds event ${key ?? '?'}`,
          });
    }
    return fail({
      problem: 'edited',
      position,
      ...describe(e),
      detail:
        position === 0
          ? 'its content or hash was changed'
          : `its content or hash was changed (or the event before it was rewritten with a new hash)`,
    });
  }
  if (!head)
    return stored.length === 0
      ? { ok: true, count: 0, head: previous }
      : fail({
          problem: 'not_migrated',
          position: stored.length,
          detail: 'the alert has no head hash: stored before events were hashed',
        });
  if (head.count !== stored.length)
    return fail({
      problem: head.count > stored.length ? 'missing' : 'head_mismatch',
      position: stored.length,
      key: String(Math.min(head.count, stored.length) + 1),
      detail:
        head.count > stored.length
          ? `the record ends after ${stored.length} event(s) but its head counts ${head.count}: the last ${head.count - stored.length} were deleted`
          : `the record holds ${stored.length} event(s) but its head counts ${head.count}`,
    });
  if (head.hash !== previous)
    return fail({
      problem: 'head_mismatch',
      position: stored.length,
      detail: `the last event's hash ${previous} is not the alert's head ${head.hash}`,
    });
  return { ok: true, count: stored.length, head: previous };
}

/**
 * Checks each audit entry against its own hash. Entries from before hashing are `not_migrated`;
 * an entry with a hash that does not match was edited or moved from another alert.
 */
export function verifyAudit(alertId: string, entries: readonly ChainedEvent[]): ChainResult {
  const genesis = genesisHash(alertId);
  for (let position = 0; position < entries.length; position += 1) {
    const e = entries[position]!;
    if (typeof e.hash !== 'string')
      return {
        ok: false,
        break: {
          record: 'audit',
          problem: isLegacyEntry(e) ? 'not_migrated' : 'unhashed',
          position,
          ...describe(e),
          detail: isLegacyEntry(e) ? 'stored before events were hashed' : 'the audit entry carries no hash',
        },
      };
    if (eventHash(genesis, e) !== e.hash)
      return {
        ok: false,
        break: {
          record: 'audit',
          problem: 'edited',
          position,
          ...describe(e),
          detail: 'its content or hash was changed, or it was moved from another alert',
        },
      };
  }
  return { ok: true, count: entries.length, head: genesis };
}

/** One line naming the break, for people: `audit entry 3 (key …, kind …, at …): edited: …`. */
export function describeBreak(b: ChainBreak): string {
  const where = b.record === 'audit' ? 'audit entry' : 'event';
  const names = [b.key && `key ${b.key}`, b.kind && `kind ${b.kind}`, b.at && `at ${b.at}`].filter(Boolean);
  const what = b.problem === 'head_mismatch' ? 'the head' : `${where} ${b.position + 1}`;
  return `${what}${names.length ? ` (${names.join(', ')})` : ''}: ${b.problem.replace('_', ' ')}: ${b.detail}`;
}
