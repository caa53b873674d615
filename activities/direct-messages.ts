import { BoundedCache } from '../lib/bounded-cache';
import { employeeCache } from '../store/employee-cache';
import type { ActivityContext } from './context';
import { slackCall } from './slack-client';

/** Users whose DM channel this worker keeps: a user's DM channel with the app never changes. */
const DM_CHANNEL_CACHE = 10_000;

/**
 * Direct messages to people: the DM channel with a user (opened once, then remembered), and a message
 * found again by its Slack metadata when the attempt that sent it died before recording it.
 */
export function directMessages(ctx: ActivityContext) {
  const { slack } = ctx;
  const employees = employeeCache(ctx.c);
  const dmChannels = new BoundedCache<string, string>(DM_CHANNEL_CACHE);

  async function openDm(slackUserId: string): Promise<string> {
    const known = dmChannels.get(slackUserId) ?? (await employees.dmChannel(slackUserId));
    if (known) {
      dmChannels.set(slackUserId, known);
      return known;
    }
    const opened = await slackCall('conversations.open', () =>
      slack().conversations.open({ users: slackUserId }),
    );
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    await employees.saveDmChannel(slackUserId, channel, ctx.now());
    dmChannels.set(slackUserId, channel);
    return channel;
  }

  /** The message of `eventType` for `workflowId` among the channel's messages since `since`. */
  async function findByMetadata(
    channel: string,
    eventType: string,
    workflowId: string,
    since: Date,
  ): Promise<{ channel: string; ts: string } | undefined> {
    const res = await slackCall('conversations.history', () =>
      slack().conversations.history({
        channel,
        // A minute before the claim: the clocks of the worker and Slack may differ a little.
        oldest: ((since.getTime() - 60_000) / 1000).toFixed(6),
        include_all_metadata: true,
        limit: 200,
      }),
    );
    const found = (res.messages ?? []).find(
      (m) =>
        m.metadata?.event_type === eventType &&
        (m.metadata.event_payload as { workflow_id?: unknown } | undefined)?.workflow_id === workflowId,
    );
    return found?.ts ? { channel, ts: found.ts } : undefined;
  }

  return { openDm, findByMetadata };
}
