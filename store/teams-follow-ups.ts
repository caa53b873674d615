import type { Collections, TeamsFollowUpDoc } from './collections';

/**
 * The follow-up questions waiting in employees' Teams chats, one per interview. Teams' 1:1 chat has no
 * threads: the bot takes the employee's next message in the chat as the answer to the question that has
 * waited there longest. Documents live only while a question waits (the conversation's end removes its
 * own), so the bot's lookup by chat reads a handful of documents even where the store scans.
 */
export function teamsFollowUpStore(c: Pick<Collections, 'teamsFollowUps'>) {
  return {
    /** Question `n` of the interview now waits in the chat; it replaces the interview's earlier one. */
    async waitFor(q: TeamsFollowUpDoc): Promise<void> {
      const { _id, ...fields } = q;
      await c.teamsFollowUps.updateOne({ _id }, { $set: fields }, { upsert: true });
    },

    /** The question that has waited longest in this chat and has not timed out, if any. */
    async waitingIn(conversationId: string, now: Date): Promise<TeamsFollowUpDoc | undefined> {
      const docs = await c.teamsFollowUps.find({ conversationId }).toArray();
      return docs.filter((d) => d.until > now).sort((a, b) => a.askedAt.getTime() - b.askedAt.getTime())[0];
    },

    /** Question `n` has its answer: the next message is not for it (a later question is kept). */
    async answered(workflowId: string, n: number): Promise<void> {
      await c.teamsFollowUps.deleteOne({ _id: workflowId, n });
    },

    /** The interview's conversation is over: nothing it asked waits any more. */
    async close(workflowId: string): Promise<void> {
      await c.teamsFollowUps.deleteOne({ _id: workflowId });
    },
  };
}

export type TeamsFollowUpStore = ReturnType<typeof teamsFollowUpStore>;
