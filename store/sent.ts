import type { Collections } from './collections';

/**
 * Side effects already performed (a DM sent, a report posted), keyed `<workflowId>:<step>`, with what
 * they returned. An activity checks here first, so a retry returns the recorded result instead of
 * sending again; if two attempts race, the first recorded result wins and both return it.
 */
export function sentStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    async get(key: string): Promise<Record<string, unknown> | null> {
      return (await c.sent.findOne({ _id: key }))?.result ?? null;
    },

    async record(key: string, result: Record<string, unknown>): Promise<Record<string, unknown>> {
      const doc = await c.sent.findOneAndUpdate(
        { _id: key },
        { $setOnInsert: { at: now(), result } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc?.result ?? result;
    },
  };
}
