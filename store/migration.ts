import { type ChainedEvent, auditHash, isLegacyEntry, storable } from './event-chain';
import type { AuditDoc, Collections, StoredAlertDoc } from './collections';
import { type LegacyEntry, upgradeEntry } from '../shared/record/legacy';
import {
  RECORD_VERSION,
  hasLegacyEntries,
  legacyContext,
  legacyFacts,
  upgradeTranscriptPrefix,
} from './record-upgrade';

/**
 * `vouch migrate` (and the worker at start): brings alerts stored before typed, hashed events up to
 * date. Idempotent, and safe to run twice at once or beside running interviews: every write is
 * conditional on the alert being as it was read (its `updatedAt`, which every workflow write moves),
 * and two migrations of one alert write the same values.
 */

export interface MigrationCounts {
  /** Alerts looked at (those not yet at the current record version). */
  alerts: number;
  migrated: number;
  /** Alerts a running interview kept writing to: the next run (or its own next write) finishes them. */
  busy: number;
  auditEntries: number;
}

const ATTEMPTS = 5;

export function recordMigration(c: Collections) {
  /** The writes that bring one alert up to date. */
  async function plan(doc: StoredAlertDoc): Promise<Record<string, unknown>> {
    const set: Record<string, unknown> = { recordVersion: RECORD_VERSION };
    const stored = (doc.transcript ?? []) as unknown as (ChainedEvent | null)[];
    const events = [...stored];
    if (hasLegacyEntries(stored)) {
      const ctx = await legacyContext(c, doc, stored);
      const upgraded = upgradeTranscriptPrefix(doc._id, stored, stored.length, ctx);
      for (const [i, e] of upgraded.writes) {
        set[`transcript.${i}`] = e;
        events[i] = e;
      }
      if (upgraded.writes.size > 0) set.head = { hash: upgraded.previous, count: stored.length };
    }
    const facts = await legacyFacts(c, doc, events);
    for (const [field, value] of Object.entries(facts))
      if (value !== undefined && (doc as unknown as Record<string, unknown>)[field] === undefined)
        set[field] = value;
    return set;
  }

  async function migrateAlert(doc: StoredAlertDoc): Promise<'migrated' | 'busy'> {
    let current: StoredAlertDoc | null = doc;
    for (let attempt = 0; attempt < ATTEMPTS && current; attempt += 1) {
      const set = await plan(current);
      const res = await c.alerts.updateOne({ _id: current._id, updatedAt: current.updatedAt }, { $set: set });
      if (res.matchedCount > 0) return 'migrated';
      current = await c.alerts.findOne({ _id: doc._id });
    }
    return current ? 'busy' : 'migrated';
  }

  /** Audit entries from before hashing, typed and hashed; each is written once, so no race. */
  async function migrateAudit(): Promise<number> {
    let n = 0;
    for await (const doc of c.audit.find({ hash: { $exists: false } })) {
      const { _id, alertId, ...entry } = doc;
      if (!isLegacyEntry(entry)) continue;
      const typed = storable(
        upgradeEntry(entry as unknown as LegacyEntry, {
          alertId,
          // Audit kinds take nothing from the alert.
          alert: { type: '', title: '', severity: '', source: '', employee: {} },
        }),
      );
      const replacement = { _id, alertId, ...typed, hash: auditHash(alertId, typed) } as unknown as AuditDoc;
      const res = await c.audit.replaceOne({ _id, hash: { $exists: false } }, replacement);
      n += res.modifiedCount;
    }
    return n;
  }

  return {
    migrateAlert,

    /** Every alert not yet at the current record version, then the audit trail. */
    async migrateAll(
      onProgress?: (done: number, total: number) => void,
      /** Asked between alerts: true stops the walk (the worker shutting down); the next run goes on. */
      stopped: () => boolean = () => false,
    ): Promise<MigrationCounts> {
      const query = { recordVersion: { $ne: RECORD_VERSION } };
      // Counting is a second scan of the collection: only for someone watching the progress.
      const total = onProgress ? await c.alerts.countDocuments(query) : 0;
      const counts: MigrationCounts = { alerts: 0, migrated: 0, busy: 0, auditEntries: 0 };
      for await (const doc of c.alerts.find(query).batchSize(200)) {
        if (stopped()) return counts;
        counts.alerts += 1;
        counts[await migrateAlert(doc)] += 1;
        onProgress?.(counts.alerts, Math.max(total, counts.alerts));
      }
      counts.auditEntries = await migrateAudit();
      return counts;
    },
  };
}
