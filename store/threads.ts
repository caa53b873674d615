import type { Collections } from './collections';

/** The interview DM of each alert, by the Slack thread it starts (`<channel>:<ts>`). */
export function threadStore(c: Collections, now: () => Date = () => new Date()) {
  return {
    /** The bot finds the interview behind a reply in a DM's thread by the thread's id; a repeat rewrites it. */
    async link(
      dm: { channel: string; ts: string },
      to: { workflowId: string; slackUserId: string },
    ): Promise<void> {
      await c.threads.updateOne(
        { _id: `${dm.channel}:${dm.ts}` },
        { $set: { workflowId: to.workflowId, slackUserId: to.slackUserId, createdAt: now() } },
        { upsert: true },
      );
    },
  };
}
