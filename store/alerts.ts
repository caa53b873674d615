import type { AlertInput } from '../shared/alert';
import type { Outcome } from '../shared/constants';
import type { InterviewPhase, TranscriptEntry } from '../shared/messages';
import type { AlertDoc, Collections } from './collections';
import { rethrowDuplicate } from './mongo';

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

    /** Creates the alert if missing, otherwise returns it unchanged: safe to retry. */
    async upsert(input: AlertInput, workflowId: string): Promise<AlertDoc> {
      const at = now();
      const doc = await c.alerts.findOneAndUpdate(
        { _id: input.id },
        {
          $setOnInsert: {
            workflowId,
            input,
            phase: 'starting',
            outcome: null,
            createdAt: at,
            updatedAt: at,
            transcript: [],
          },
        },
        { upsert: true, returnDocument: 'after' },
      );
      if (!doc) throw new Error(`upsert of alert ${input.id} returned nothing`);
      return doc;
    },

    async get(alertId: string): Promise<AlertDoc | null> {
      return c.alerts.findOne({ _id: alertId });
    },

    async setPhase(
      alertId: string,
      phase: InterviewPhase,
      outcome: Outcome | null = null,
    ): Promise<AlertDoc | null> {
      const at = now();
      return c.alerts.findOneAndUpdate(
        { _id: alertId },
        { $set: { phase, outcome, updatedAt: at, ...(outcome ? { closedAt: at } : {}) } },
        { returnDocument: 'after' },
      );
    },

    /** Appends a transcript entry once: an entry with the same key is never written twice. */
    async appendTranscript(alertId: string, key: string, entry: TranscriptEntry): Promise<boolean> {
      const result = await c.alerts.updateOne(
        { _id: alertId, 'transcript.key': { $ne: key } },
        { $push: { transcript: { ...entry, key } }, $set: { updatedAt: now() } },
      );
      return result.modifiedCount === 1;
    },
  };
}

export type AlertStore = ReturnType<typeof alertStore>;
