import type { Collections, HeldAnswerDoc, HeldSignal } from './collections';
import { insertOnce } from './mongo';

/** The signal's own id: what makes it applied once, and what the held answer is kept under. */
export function heldSignalId(held: HeldSignal): string {
  return held.signal === 'employeeReply' ? held.payload.replyId : held.payload.responseId;
}

/**
 * Answers the bot took while Temporal was unreachable, kept until the interview has them
 * (bot/held-answers.ts delivers them). Only ever a few: a document lives from an outage until
 * the first delivery after it.
 */
export function heldAnswerStore(c: Pick<Collections, 'heldAnswers'>) {
  return {
    /** Keeps an answer; the same one held again (Slack or Teams redelivers it) stays one document. */
    async hold(workflowId: string, held: HeldSignal, now: Date): Promise<void> {
      await insertOnce(c.heldAnswers, {
        ...held,
        _id: heldSignalId(held),
        workflowId,
        heldAt: now,
        attempts: 0,
      } as HeldAnswerDoc);
    },

    /** The answers held longest, first. */
    oldest: (limit: number): Promise<HeldAnswerDoc[]> =>
      c.heldAnswers.find().sort({ heldAt: 1 }).limit(limit).toArray(),

    /** The interview has it (or has ended, and takes no answers): nothing left to deliver. */
    async delivered(id: string): Promise<void> {
      await c.heldAnswers.deleteOne({ _id: id });
    },

    async stillHeld(id: string): Promise<void> {
      await c.heldAnswers.updateOne({ _id: id }, { $inc: { attempts: 1 } });
    },
  };
}

export type HeldAnswerStore = ReturnType<typeof heldAnswerStore>;
