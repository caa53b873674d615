import type { KnownBlock } from '@slack/types';
import { ApplicationFailure } from '@temporalio/common';
import type { SnoozeDecision } from '../shared/record/events';
import { snoozeAnnouncement, snoozeApprovalRequest, snoozeDecidedPost } from '../slack-blocks/snooze';
import { employeeOf } from '../slack-blocks/record-format';
import type { SnoozeFacts } from '../store/collections';
import { suppressionStore } from '../store/suppressions';
import type { ActivityContext, MessageRef } from './context';
import { teamsSnoozePosts } from './channels/teams-snooze';
import { slackCall } from './slack-client';
import { type ScopedSuppression, putSuppression } from './suppressions';

/** The snooze an employee asked for after a verified "yes": its approval post, the suppression, the announcement. */
export function createSnoozeActivities(ctx: ActivityContext) {
  const { deps, slack, once, uiLink, loadAlertDoc } = ctx;
  const suppressions = suppressionStore(ctx.c, ctx.now);
  const inTeams = teamsSnoozePosts(ctx);

  function channelOf(channel: string | undefined): string {
    const to = slackChannelOf(channel);
    if (!to)
      throw ApplicationFailure.create({
        type: 'NoSecurityChannel',
        message: 'the snooze needs the security channel but VOUCH_SECURITY_CHANNEL is not set',
        nonRetryable: true,
      });
    return to;
  }
  const slackChannelOf = (channel: string | undefined) => channel ?? deps.securityChannel;

  /** One post in the security channel per interview and `step`, whatever the retries. */
  function postOnce(
    workflowId: string,
    step: string,
    channel: string,
    message: { text: string; blocks: KnownBlock[] },
  ): Promise<MessageRef> {
    return once(`${workflowId}:${step}`, async () => {
      const res = await slackCall('chat.postMessage', () =>
        slack().chat.postMessage({ channel, ...message }),
      );
      return { channel: res.channel ?? channel, ts: res.ts ?? '' };
    });
  }

  async function asked(alertId: string, workflowId: string, facts: { duration: string; reason?: string }) {
    const doc = await loadAlertDoc(alertId);
    return { alert: doc.input, employee: employeeOf(doc), uiLink: uiLink(workflowId), ...facts };
  }

  return {
    /** The suppression of the alert's scope, as the employee's snooze; a retry returns the first one. */
    async createSnooze(
      input: ScopedSuppression & { snooze: SnoozeFacts },
    ): Promise<{ id: string; expiresAt: string }> {
      const { snooze, ...scope } = input;
      return once(`${input.workflowId}:snooze`, () => putSuppression(suppressions, ctx.now(), scope, snooze));
    },

    /** Approve / Refuse in the security channel, for operators; in their Teams channel too when one is set. */
    async postSnoozeApproval(input: {
      workflowId: string;
      alertId: string;
      channel?: string;
      duration: string;
      reason?: string;
    }): Promise<MessageRef> {
      const posted = await inTeams.postApproval(input);
      // An organisation on Teams alone decides there.
      if (!slackChannelOf(input.channel) && posted) return posted;
      const channel = channelOf(input.channel);
      const facts = await asked(input.alertId, input.workflowId, input);
      const message = snoozeApprovalRequest({ ...facts, workflowId: input.workflowId });
      return postOnce(input.workflowId, 'snooze-approval', channel, message);
    },

    /** The approval request loses its buttons and says who decided, wherever it was posted. */
    async markSnoozeDecided(input: {
      workflowId: string;
      alertId: string;
      post: MessageRef;
      duration: string;
      reason?: string;
      decision: SnoozeDecision;
      by?: string;
    }): Promise<void> {
      await inTeams.markDecided(input);
      if (!(await ctx.sentRecord(`${input.workflowId}:snooze-approval`))) return; // not posted in Slack
      const facts = await asked(input.alertId, input.workflowId, input);
      await once(`${input.workflowId}:snooze-decided`, async () => {
        await slackCall('chat.update', () =>
          slack().chat.update({
            channel: input.post.channel,
            ts: input.post.ts,
            ...snoozeDecidedPost({ ...facts, decision: input.decision, by: input.by }),
          }),
        );
        return {};
      });
    },

    /** The security channel (and the operators' Teams channel, when set) hears of every snooze, with how to end it. */
    async announceSnooze(input: {
      workflowId: string;
      alertId: string;
      channel?: string;
      suppressionId: string;
      expiresAt: string;
      duration: string;
      reason?: string;
      approvedBy?: string;
    }): Promise<MessageRef> {
      const posted = await inTeams.announce(input);
      if (!slackChannelOf(input.channel) && posted) return posted;
      const channel = channelOf(input.channel);
      const facts = await asked(input.alertId, input.workflowId, input);
      const { suppressionId, expiresAt, approvedBy } = input;
      const message = snoozeAnnouncement({ ...facts, suppressionId, expiresAt, approvedBy });
      return postOnce(input.workflowId, 'snooze-announced', channel, message);
    },
  };
}
