import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import type { InterviewEvent } from '../shared/record/events';
import { fromStoredInput, toStoredInput } from './alert-details';
import type {
  AlertDoc,
  AlertEmployee,
  AuditDoc,
  AuditEntry,
  Collections,
  ModelCallRecord,
  StoredAlertDoc,
} from './collections';
import {
  type ChainBreak,
  type ChainedEvent,
  auditHash,
  chainEvents,
  storable,
  verifyAudit,
  verifyChain,
} from './event-chain';
import { DuplicateKeyError, insertOnce, rethrowDuplicate } from './mongo';
import {
  type AlertFacts,
  RECORD_VERSION,
  hasLegacyEntries,
  legacyContext,
  legacyFacts,
  upgradeTranscriptPrefix,
} from './record-upgrade';

/** How many of an employee's latest alerts /vouch status and the App Home look at. */
const RECENT_SCAN = 40;

/** What `vouch stats` needs of one alert. */
export interface StatsRow {
  type: string;
  outcome: Outcome | null;
  transcript: TranscriptEntry[];
}

/** The outcome of verifying one alert's record. */
export interface AlertVerification {
  alertId: string;
  /** `holds`; `broken` names the first bad event; `not_migrated` is a record from before hashing. */
  status: 'holds' | 'broken' | 'not_migrated';
  /** Transcript events in the chain, and its head hash (when it holds). */
  count: number;
  head?: string;
  auditEntries: number;
  break?: ChainBreak;
}

/** Audit entries by time, then key: entries of one moment come back in no fixed order from the store. */
function auditOrder(x: object, y: object): number {
  const [a, b] = [x as { at?: unknown; key?: unknown }, y as { at?: unknown; key?: unknown }];
  return String(a.at).localeCompare(String(b.at)) || String(a.key).localeCompare(String(b.key));
}

function verifyStored(
  doc: Pick<StoredAlertDoc, '_id' | 'transcript' | 'head'>,
  auditDocs: AuditDoc[],
): AlertVerification {
  const audit = auditDocs
    .map(({ _id, alertId: _alert, ...entry }) => entry as unknown as ChainedEvent)
    .sort(auditOrder);
  const chain = verifyChain(doc._id, (doc.transcript ?? []) as unknown as ChainedEvent[], doc.head);
  const entries = verifyAudit(doc._id, audit);
  const failed = !chain.ok ? chain.break : !entries.ok ? entries.break : undefined;
  return {
    alertId: doc._id,
    status: !failed ? 'holds' : failed.problem === 'not_migrated' ? 'not_migrated' : 'broken',
    count: chain.ok ? chain.count : (doc.transcript ?? []).length,
    ...(chain.ok ? { head: chain.head } : {}),
    auditEntries: audit.length,
    ...(failed ? { break: failed } : {}),
  };
}

/** What an interview's preparation learns about its alert. */
export interface PreparationFacts {
  policySource: string;
  employee?: AlertEmployee | null;
}

function preparationFields(
  facts: PreparationFacts,
): Pick<AlertDoc, 'policySource' | 'employee' | 'employeeSlackId'> {
  const e = facts.employee;
  const employee = e && storable({ slackUserId: e.slackUserId, email: e.email, name: e.name });
  return {
    policySource: facts.policySource,
    ...(employee ? { employee, employeeSlackId: employee.slackUserId } : {}),
  };
}

/** A stored alert with its details back in the producer's form. */
function readAlert(doc: StoredAlertDoc): AlertDoc {
  return { ...doc, input: fromStoredInput(doc.input) };
}

/** The alerts collection: one document per alert id, with its phase, outcome and transcript. */
export function alertStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    /**
     * Inserts a new alert, with what its preparation learned when given; a second insert of the same
     * id (or workflow id) throws DuplicateKeyError.
     */
    async insert(input: AlertInput, workflowId: string, facts?: PreparationFacts): Promise<AlertDoc> {
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
        recordVersion: RECORD_VERSION,
        ...(facts ? preparationFields(facts) : {}),
      };
      await rethrowDuplicate('alerts', 'alert id', () =>
        c.alerts.insertOne({ ...doc, input: toStoredInput(input) }),
      );
      return doc;
    },

    /**
     * Creates the alert if missing, otherwise returns the stored one unchanged but for `facts`, which
     * a retry (or a later interview of the same alert id) writes again: safe to retry.
     * (An insert, not an upsert: FerretDB v1 drops empty arrays from an upsert's $setOnInsert, and
     * the transcript must start as an array for recordProgress to write positions into it.)
     */
    async createOnce(input: AlertInput, workflowId: string, facts?: PreparationFacts): Promise<AlertDoc> {
      try {
        return await this.insert(input, workflowId, facts);
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
        const existing = await c.alerts.findOne({ _id: input.id });
        if (!existing) throw err; // the duplicate was on workflowId: another alert claims this workflow
        if (facts) await this.recordPreparation(input.id, facts);
        return { ...readAlert(existing), ...(facts ? preparationFields(facts) : {}) };
      }
    },

    /**
     * The facts the preparation learned: the policy's source and, once resolved, the employee asked.
     * A retry writes the same values.
     */
    async recordPreparation(alertId: string, facts: PreparationFacts): Promise<void> {
      await c.alerts.updateOne({ _id: alertId }, { $set: preparationFields(facts) });
    },

    /**
     * Lists the alert among its employee's (`employee_alerts`, which the bot reads by _id for /vouch
     * status and the App Home: a filter on the alerts would make FerretDB scan them all); $addToSet
     * keeps a retry from listing an alert twice.
     */
    async listForEmployee(slackUserId: string, alertId: string): Promise<void> {
      await c.employeeAlerts.updateOne(
        { _id: slackUserId },
        { $addToSet: { alertIds: alertId } },
        { upsert: true },
      );
    },

    /** The interview DM, once sent. */
    async setDm(alertId: string, dm: { channel: string; ts: string }): Promise<void> {
      await c.alerts.updateOne(
        { _id: alertId },
        { $set: { dm: { channel: dm.channel, ts: dm.ts }, updatedAt: now() } },
      );
    },

    /** The escalation post in the security channel, once posted. */
    async setEscalation(
      alertId: string,
      post: { channel: string; ts: string; awaitsClose: boolean },
    ): Promise<void> {
      const escalation = { channel: post.channel, ts: post.ts, awaitsClose: Boolean(post.awaitsClose) };
      await c.alerts.updateOne({ _id: alertId }, { $set: { escalation, updatedAt: now() } });
    },

    /**
     * The alert's facts (employee, policy source, DM, escalation post). An alert stored before they
     * were fields, and not yet migrated, has them read from where it kept them, without a write.
     */
    /**
     * Who may answer the alert and where its interview stands, as last recorded: one read by _id of
     * four fields (the bot's check before it opens the second-factor modal, within a click's seconds).
     */
    async answerGate(
      alertId: string,
    ): Promise<
      (Pick<AlertDoc, 'employeeSlackId' | 'phase' | 'outcome'> & { title: string | undefined }) | null
    > {
      const doc = await c.alerts.findOne(
        { _id: alertId },
        { projection: { employeeSlackId: 1, phase: 1, outcome: 1, 'input.title': 1 } },
      );
      if (!doc) return null;
      const { employeeSlackId, phase, outcome } = doc;
      return {
        employeeSlackId,
        phase,
        outcome: outcome ?? null,
        title: doc.input?.title,
      };
    },

    /** What the answer page shows and checks: the alert as sent, who is asked, and where it stands. */
    async answerPageView(
      alertId: string,
    ): Promise<Pick<AlertDoc, 'input' | 'employeeSlackId' | 'phase' | 'outcome'> | null> {
      const doc = await c.alerts.findOne(
        { _id: alertId },
        { projection: { input: 1, employeeSlackId: 1, phase: 1, outcome: 1 } },
      );
      if (!doc) return null;
      const { input, employeeSlackId, phase, outcome } = doc;
      return { input: fromStoredInput(input), employeeSlackId, phase, outcome: outcome ?? null };
    },

    async factsOf(alertId: string): Promise<AlertFacts | null> {
      const doc = await c.alerts.findOne({ _id: alertId });
      if (!doc) return null;
      const { employee, policySource, dm, escalation } = doc;
      if (doc.recordVersion === RECORD_VERSION) return { employee, policySource, dm, escalation };
      return legacyFacts(c, doc, (doc.transcript ?? []) as unknown as ChainedEvent[]);
    },

    /**
     * Recomputes the alert's hash chain (transcript and audit entries): the first event that does not
     * match, or the head it ends at. Null when there is no such alert.
     */
    async verify(alertId: string): Promise<AlertVerification | null> {
      const doc = await c.alerts.findOne({ _id: alertId });
      if (!doc) return null;
      return verifyStored(doc, await c.audit.find({ alertId }).toArray());
    },

    /**
     * Verifies the alerts created since `since` (of one type, if given), one after the other. Their
     * audit entries are gathered in one walk of the audit trail first (a filter on `alertId` per alert
     * would make FerretDB scan it for each; a filter on the entries' time would let an entry whose time
     * was edited escape).
     */
    async *verifyMany(
      filter: { since: Date; type?: string },
      onProgress?: (done: number, total: number) => void,
    ): AsyncGenerator<AlertVerification> {
      const query = {
        createdAt: { $gte: filter.since },
        ...(filter.type ? { 'input.type': filter.type } : {}),
      };
      const ids = new Set(
        (await c.alerts.find(query, { projection: { _id: 1 } }).toArray()).map((d) => d._id),
      );
      const audit = new Map<string, AuditDoc[]>();
      for await (const a of c.audit.find({}))
        if (ids.has(a.alertId)) audit.set(a.alertId, [...(audit.get(a.alertId) ?? []), a]);
      let done = 0;
      for await (const doc of c.alerts
        .find(query, { projection: { input: 0 } })
        .sort({ createdAt: 1 })
        .batchSize(200)) {
        yield verifyStored(doc, audit.get(doc._id) ?? []);
        done += 1;
        if (onProgress && (done % 20 === 0 || done === ids.size)) onProgress(done, Math.max(ids.size, done));
      }
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
     * Records the workflow's progress in one write by _id: the phase, the outcome, and the events the
     * workflow made since its last call, each written at its own position (event n of the workflow is
     * transcript[n-1]) with its hash chained from the one before (store/event-chain.ts), and the
     * chain's head. Writing a position twice writes the same event and hash, so a retried call never
     * duplicates one. Entries stored before events were hashed (an interview in flight across the
     * upgrade) are typed and hashed in the same write. (Filters on other fields than _id make FerretDB
     * scan the collection.)
     */
    async recordProgress(
      alertId: string,
      progress: {
        phase: InterviewPhase;
        outcome: Outcome | null;
        entries: (InterviewEvent & { key: string })[];
        persistedBefore: number;
      },
    ): Promise<void> {
      const at = now();
      const set: Record<string, unknown> = {
        phase: progress.phase,
        // Written only with an outcome: a write without one leaves the field as it is (see below).
        ...(progress.outcome ? { outcome: progress.outcome } : {}),
        updatedAt: at,
      };
      // Only the record is read (an alert's details can be large); the whole alert only to type old entries.
      const doc = await c.alerts.findOne({ _id: alertId }, { projection: { transcript: 1, outcome: 1 } });
      // Without an outcome, a write never lands on an alert that has one: a stale attempt arriving late
      // would move it back (its entries are written again by the workflow's next write). The guard is
      // this read, not the update's filter (FerretDB scans the collection for any filter but _id): a
      // stale write slipping in between this read and the outcome's write cannot reopen the alert (it
      // writes no outcome), at worst it leaves an earlier phase beside the outcome.
      if (doc?.outcome && !progress.outcome) return;
      if (doc) {
        const stored = (doc.transcript ?? []) as unknown as (ChainedEvent | null)[];
        const before = stored.slice(0, progress.persistedBefore);
        const whole = hasLegacyEntries(before) ? await c.alerts.findOne({ _id: alertId }) : null;
        const upgraded = upgradeTranscriptPrefix(
          alertId,
          stored,
          progress.persistedBefore,
          whole ? await legacyContext(c, whole, before) : undefined,
        );
        for (const [i, e] of upgraded.writes) set[`transcript.${i}`] = e;
        const { events, last } = chainEvents(upgraded.previous, progress.entries);
        events.forEach((e, i) => (set[`transcript.${progress.persistedBefore + i}`] = e));
        const count = progress.persistedBefore + events.length;
        // A late retry of an earlier call leaves the head of the longer record as it is.
        if ((events.length > 0 || upgraded.writes.size > 0) && count >= stored.length)
          set.head = { hash: last, count };
      }
      // closedAt is the moment of the outcome: later writes (follow-ups, an escalation closed) keep it.
      await c.alerts.updateOne(
        { _id: alertId },
        progress.outcome ? { $set: set, $min: { closedAt: at } } : { $set: set },
      );
    },

    /**
     * Appends an entry to the alert's audit trail from outside the workflow (the bot recording a click
     * by someone else, say), once per key. Each entry is a document of its own in `audit`, whose _id
     * (`<alertId>:<key>`) makes a redelivered entry a duplicate: the alert document itself is written
     * only by the workflow, because FerretDB v1 loses concurrent updates of one document (an audit
     * $push racing a transcript write lost one or the other). For the same reason audit entries are
     * not chained: each carries a hash of its own, after the alert's genesis (store/event-chain.ts).
     */
    async appendAudit(
      alertId: string,
      key: string,
      entry: InterviewEvent,
      modelCall?: ModelCallRecord,
    ): Promise<boolean> {
      const content = storable({ ...entry, key, ...(modelCall ? { modelCall } : {}) });
      return insertOnce(c.audit, {
        _id: `${alertId}:${key}`,
        alertId,
        ...(content as AuditEntry),
        hash: auditHash(alertId, content),
      });
    },

    /** The alert's audit trail, oldest first. */
    async auditOf(alertId: string): Promise<AuditEntry[]> {
      const docs = await c.audit.find({ alertId }).toArray();
      return docs.map(({ _id, alertId: _alert, ...entry }) => entry).sort(auditOrder);
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
