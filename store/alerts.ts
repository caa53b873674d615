import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import type { AlertDoc, Collections, ModelCallRecord } from './collections';
import { DuplicateKeyError, rethrowDuplicate } from './mongo';

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
      await rethrowDuplicate('alerts', 'alert id', () => c.alerts.insertOne(doc));
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
        return existing;
      }
    },

    async get(alertId: string): Promise<AlertDoc | null> {
      return c.alerts.findOne({ _id: alertId });
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
      if (progress.outcome) set.closedAt = at;
      progress.entries.forEach((entry, i) => (set[`transcript.${progress.persistedBefore + i}`] = entry));
      await c.alerts.updateOne({ _id: alertId }, { $set: set });
    },

    /**
     * Appends an entry to the alert's audit trail from outside the workflow (the bot recording a click
     * by someone else, say), once per key. Kept apart from `transcript`, whose positions the workflow owns.
     */
    async appendAudit(
      alertId: string,
      key: string,
      entry: TranscriptEntry,
      modelCall?: ModelCallRecord,
    ): Promise<boolean> {
      const result = await c.alerts.updateOne(
        { _id: alertId, 'audit.key': { $ne: key } },
        {
          $push: { audit: { ...entry, key, ...(modelCall ? { modelCall } : {}) } },
          $set: { updatedAt: now() },
        },
      );
      return result.modifiedCount === 1;
    },
  };
}

export type AlertStore = ReturnType<typeof alertStore>;
