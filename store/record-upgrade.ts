import { type LegacyContext, type LegacyEntry, upgradeEntry } from '../shared/record/legacy';
import { fromStoredInput } from './alert-details';
import type { AlertDoc, Collections, StoredAlertDoc } from './collections';
import { type ChainedEvent, eventHash, genesisHash, isLegacyEntry, storable } from './event-chain';

/**
 * Records stored before events were typed and hashed, brought up to date: by `vouch migrate`, and by
 * recordProgress for an interview in flight across the upgrade. Both build the same context from the
 * same stored data, so they write the same events and hashes whichever comes first.
 */

type Stored = ChainedEvent | null | undefined;

/** Old kinds whose typed event names a suppression, which only the suppressions collection knows. */
const NEEDS_SUPPRESSIONS = new Set(['suppressed', 'suppression']);

/** The DM of an alert: its field, or where alerts stored before it kept it. */
export async function storedDm(
  c: Collections,
  doc: Pick<StoredAlertDoc, 'dm' | 'slack' | 'workflowId'>,
): Promise<{ channel: string; ts: string } | undefined> {
  if (doc.dm) return doc.dm;
  const ref =
    doc.slack?.channel && doc.slack.ts
      ? doc.slack
      : (await c.sent.findOne({ _id: `${doc.workflowId}:dm` }))?.result;
  return typeof ref?.channel === 'string' && typeof ref.ts === 'string'
    ? { channel: ref.channel, ts: ref.ts }
    : undefined;
}

/** What the legacy module needs from the alert document to type an old entry. */
export async function legacyContext(
  c: Collections,
  doc: StoredAlertDoc,
  entries: readonly Stored[],
): Promise<LegacyContext> {
  const alert: AlertDoc['input'] = fromStoredInput(doc.input);
  let suppressions: Map<string, string> | undefined;
  if (entries.some((e) => isLegacyEntry(e) && NEEDS_SUPPRESSIONS.has(String(e!.kind)))) {
    // Rare (an alert that was suppressed or created a suppression), and the collection is small.
    const all = await c.suppressions.find({}, { projection: { _id: 1, createdByAlertId: 1 } }).toArray();
    suppressions = new Map(all.map((s) => [s.createdByAlertId, s._id]));
  }
  return {
    alertId: doc._id,
    alert: {
      type: alert.type,
      title: alert.title,
      severity: alert.severity,
      source: alert.source,
      employee: alert.employee,
    },
    dm: await storedDm(c, doc),
    suppressionCreatedBy: (id) => suppressions?.get(id),
  };
}

/**
 * The stored transcript's first `upTo` positions with its legacy entries typed and hashed: the
 * positions to write (from the first legacy entry on) and the hash the next event chains to.
 * Hashed entries are never re-hashed: migrating must not launder an edit.
 */
export function upgradeTranscriptPrefix(
  alertId: string,
  stored: readonly Stored[],
  upTo: number,
  /** Needed only when the prefix holds legacy entries (legacyContext). */
  ctx: LegacyContext | undefined,
): { writes: Map<number, ChainedEvent>; previous: string } {
  const prefix = stored.slice(0, upTo);
  const firstLegacy = prefix.findIndex(isLegacyEntry);
  const writes = new Map<number, ChainedEvent>();
  const lastHashBefore = (end: number) => {
    for (let i = end - 1; i >= 0; i -= 1) {
      const h = prefix[i]?.hash;
      if (typeof h === 'string') return h;
    }
    return genesisHash(alertId);
  };
  if (firstLegacy < 0) return { writes, previous: lastHashBefore(prefix.length) };
  // Only a run of legacy entries up to the end is upgraded (hashed entries after one would be a record
  // no release writes: left as they are for verification to name).
  if (prefix.slice(firstLegacy).some((e) => e && !isLegacyEntry(e)))
    return { writes, previous: lastHashBefore(prefix.length) };
  if (!ctx) throw new Error('legacy entries need their alert (legacyContext) to be typed');
  let previous = lastHashBefore(firstLegacy);
  const kinds = prefix.slice(0, firstLegacy).map((e) => String(e?.legacyKind ?? e?.kind));
  for (let i = firstLegacy; i < prefix.length; i += 1) {
    const old = prefix[i];
    if (!old) continue; // an empty position stays empty: verification names it
    const typed = storable(
      upgradeEntry({ ...(old as unknown as LegacyEntry), key: String(old.key ?? i + 1) }, ctx, kinds),
    );
    kinds.push(String(old.kind));
    previous = eventHash(previous, typed);
    writes.set(i, { ...typed, hash: previous });
  }
  return { writes, previous };
}

/** Whether the stored transcript holds entries the migration types and hashes. */
export function hasLegacyEntries(stored: readonly Stored[] | undefined): boolean {
  return (stored ?? []).some(isLegacyEntry);
}

/** The version of the record layout `vouch migrate` brings alerts to (typed, hashed, facts as fields). */
export const RECORD_VERSION = 2;

export type AlertFacts = Pick<AlertDoc, 'employee' | 'policySource' | 'dm' | 'escalation'>;

/**
 * An alert's facts as fields, for alerts stored before it had them: from the typed events (the
 * policy's source), `employeeSlackId` and the cached Slack profile, and the `sent` records of the DM
 * and the escalation post. Fields the alert already holds are kept.
 */
export async function legacyFacts(
  c: Collections,
  doc: StoredAlertDoc,
  events: readonly Stored[],
): Promise<AlertFacts> {
  const facts: AlertFacts = {};
  const of = (kind: string) => events.find((e) => e?.kind === kind);
  const policyEvent = of('policy') ?? of('disabled_by_policy');
  const policySource = doc.policySource ?? policyEvent?.policySource;
  if (typeof policySource === 'string') facts.policySource = policySource;
  const fromEvent = (of('policy')?.employee as { slackUserId?: unknown } | undefined)?.slackUserId;
  const slackUserId = doc.employee?.slackUserId ?? doc.employeeSlackId ?? fromEvent;
  if (doc.employee) facts.employee = doc.employee;
  else if (typeof slackUserId === 'string') {
    const profile = await c.employees.findOne({ _id: slackUserId });
    facts.employee = storable({ slackUserId, email: profile?.email, name: profile?.name });
  }
  const dm = await storedDm(c, doc);
  if (dm) facts.dm = dm;
  if (doc.escalation) facts.escalation = doc.escalation;
  else {
    const posted = (await c.sent.findOne({ _id: `${doc.workflowId}:escalation` }))?.result;
    if (typeof posted?.channel === 'string' && typeof posted.ts === 'string')
      facts.escalation = {
        channel: posted.channel,
        ts: posted.ts,
        // Posts from before the flag was kept: the record says whether it waited for a close.
        awaitsClose:
          typeof posted.awaitsClose === 'boolean'
            ? posted.awaitsClose
            : events.some((e) => e?.kind === 'awaiting_close'),
      };
  }
  return facts;
}
