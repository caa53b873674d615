import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import { fromStoredInput, toStoredInput } from './alert-details';
import type { AlertDoc, AuditEntry, Collections, ModelCallRecord, StoredAlertDoc } from './collections';
import { DuplicateKeyError, insertOnce, rethrowDuplicate } from './mongo';

/** How many of an employee's latest alerts /vouch status and the App Home look at. */
const RECENT_SCAN = 40;

/** What `vouch stats` needs of one alert. */
export interface StatsRow {
  type: string;
  outcome: Outcome | null;
  transcript: TranscriptEntry[];
}

/** A stored alert with its details back in the producer's form. */
function readAlert(doc: StoredAlertDoc): AlertDoc {
  return { ...doc, input: fromStoredInput(doc.input) };
}

/** The alerts collection: one document per alert id, with its phase, outcome and transcript. */
export function alertStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    /** Inserts a new alert; a second insert of the same id (or workflow id) throws DuplicateKeyError. */
    async insert(input: AlertInput, workflowId: string): Promise<AlertDoc> {
      const at = now();
      const doc: AlertDoc = {
        _id: input.id,
        workflowId,
        input,
        phase: 'starting',
        outcome: null,
        createdAt: at,
        updatedAt: at,
        transcript: [],
      };
      await rethrowDuplicate('alerts', 'alert id', () =>
        c.alerts.insertOne({ ...doc, input: toStoredInput(input) }),
      );
      return doc;
    },

    /**
     * Creates the alert if missing, otherwise returns the stored one unchanged: safe to retry.
     * (An insert, not an upsert: FerretDB v1 drops empty arrays from an upsert's $setOnInsert, and
     * the transcript must start as an array for recordProgress to write positions into it.)
     */
    async createOnce(input: AlertInput, workflowId: string): Promise<AlertDoc> {
      try {
        return await this.insert(input, workflowId);
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
        const existing = await c.alerts.findOne({ _id: input.id });
        if (!existing) throw err; // the duplicate was on workflowId: another alert claims this workflow
        return readAlert(existing);
      }
    },

    /**
     * Records who is asked. `employee_alerts` lists each employee's alert ids (the bot reads them by _id for
     * /vouch status and the App Home: a filter on the alerts would make FerretDB scan them all);
     * $addToSet keeps a retry from listing an alert twice.
     */
    async setEmployee(alertId: string, slackUserId: string): Promise<void> {
      await c.employeeAlerts.updateOne(
        { _id: slackUserId },
        { $addToSet: { alertIds: alertId } },
        { upsert: true },
      );
      await c.alerts.updateOne({ _id: alertId }, { $set: { employeeSlackId: slackUserId } });
    },

    /** An employee's most recent interviews, newest first, split into open and closed. */
    async ofEmployee(slackUserId: string, limit = 10): Promise<{ open: AlertDoc[]; closed: AlertDoc[] }> {
      const ids = (await c.employeeAlerts.findOne({ _id: slackUserId }))?.alertIds ?? [];
      const docs = (await Promise.all(ids.slice(-RECENT_SCAN).map((id) => c.alerts.findOne({ _id: id }))))
        .filter((d): d is StoredAlertDoc => d !== null)
        .map(readAlert)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      return {
        open: docs.filter((d) => d.outcome === null).slice(0, limit),
        closed: docs.filter((d) => d.outcome !== null).slice(0, limit),
      };
    },

    /**
     * The alert; `withAudit` adds its audit trail (kept in `audit`, see appendAudit), for reports only:
     * reading it is a filter on `alertId`, which FerretDB answers by scanning the audit collection.
     */
    async get(alertId: string, opts: { withAudit?: boolean } = {}): Promise<AlertDoc | null> {
      const stored = await c.alerts.findOne({ _id: alertId });
      const doc = stored && readAlert(stored);
      if (!doc || !opts.withAudit) return doc;
      const audit = await this.auditOf(alertId);
      return audit.length ? { ...doc, audit } : doc;
    },

    /**
     * Records the workflow's progress in one write by _id: the phase, the outcome, and the transcript
     * entries the workflow made since its last call, each written at its own position (entry n of the
     * workflow is transcript[n-1]). Writing a position twice writes the same entry, so a retried call
     * never duplicates one. (Filters on other fields than _id make FerretDB scan the collection.)
     */
    async recordProgress(
      alertId: string,
      progress: {
        phase: InterviewPhase;
        outcome: Outcome | null;
        entries: (TranscriptEntry & { key: string })[];
        persistedBefore: number;
      },
    ): Promise<void> {
      const at = now();
      const set: Record<string, unknown> = {
        phase: progress.phase,
        outcome: progress.outcome,
        updatedAt: at,
      };
      progress.entries.forEach((entry, i) => (set[`transcript.${progress.persistedBefore + i}`] = entry));
      // closedAt is the moment of the outcome: later writes (follow-ups, an escalation closed) keep it.
      // Without an outcome, a write never lands on an alert that has one: a stale attempt arriving late
      // would reopen it (its entries are written again by the workflow's next write).
      await c.alerts.updateOne(
        progress.outcome ? { _id: alertId } : { _id: alertId, outcome: null },
        progress.outcome ? { $set: set, $min: { closedAt: at } } : { $set: set },
      );
    },

    /**
     * Appends an entry to the alert's audit trail from outside the workflow (the bot recording a click
     * by someone else, say), once per key. Each entry is a document of its own in `audit`, whose _id
     * (`<alertId>:<key>`) makes a redelivered entry a duplicate: the alert document itself is written
     * only by the workflow, because FerretDB v1 loses concurrent updates of one document (an audit
     * $push racing a transcript write lost one or the other).
     */
    async appendAudit(
      alertId: string,
      key: string,
      entry: TranscriptEntry,
      modelCall?: ModelCallRecord,
    ): Promise<boolean> {
      return insertOnce(c.audit, {
        _id: `${alertId}:${key}`,
        alertId,
        ...entry,
        key,
        ...(modelCall ? { modelCall } : {}),
      });
    },

    /** The alert's audit trail, oldest first. */
    async auditOf(alertId: string): Promise<AuditEntry[]> {
      const docs = await c.audit.find({ alertId }).toArray();
      return docs.map(({ _id, alertId: _alert, ...entry }) => entry).sort((x, y) => x.at.localeCompare(y.at));
    },

    /**
     * Walks the alerts created since `since` (of one type, if given) with only the fields the numbers
     * need. FerretDB scans the collection for this filter; `onProgress`, when given, hears how far
     * the walk is (at the price of one more scan, to count).
     */
    async *forStats(
      filter: { since: Date; type?: string },
      onProgress?: (done: number, total: number) => void,
    ): AsyncGenerator<StatsRow> {
      const query = {
        createdAt: { $gte: filter.since },
        ...(filter.type ? { 'input.type': filter.type } : {}),
      };
      const total = onProgress ? await c.alerts.countDocuments(query) : 0;
      const cursor = c.alerts
        .find(query, {
          projection: {
            _id: 0,
            'input.type': 1,
            outcome: 1,
            'transcript.kind': 1,
            'transcript.at': 1,
            'transcript.answer': 1,
          },
        })
        .batchSize(500);
      let done = 0;
      for await (const doc of cursor) {
        yield {
          type: doc.input.type,
          outcome: doc.outcome,
          transcript: doc.transcript,
        };
        if (onProgress && (++done % 100 === 0 || done === total)) onProgress(done, total);
      }
    },
  };
}

export type AlertStore = ReturnType<typeof alertStore>;
