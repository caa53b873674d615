import { snoozeAnnouncementCard, snoozeApprovalCard } from '../../teams/snooze-cards';
import { alertFacts } from '../../web/alert-facts';
import type { ActivityContext } from '../context';
import { employeeOfDoc, postForOperators, updatePosted } from './teams';

/** What the operators read about an asked snooze. */
interface Asked {
  workflowId: string;
  alertId: string;
  duration: string;
  reason?: string;
}

/**
 * The snooze in the operators' Teams channel, when one is set: the request with Approve / Refuse,
 * the request once decided, and the announcement. Each posted once per interview.
 */
export function teamsSnoozePosts(ctx: ActivityContext) {
  const inTeams = () => Boolean(ctx.deps.teams?.operatorsConversation);
  const approvalKey = (workflowId: string) => `${workflowId}:teams-snooze-approval`;
  const askedOf = async (input: Asked) => {
    const doc = await ctx.loadAlertDoc(input.alertId);
    return {
      f: alertFacts(doc.input),
      employee: employeeOfDoc(doc),
      duration: input.duration,
      ...(input.reason ? { reason: input.reason } : {}),
      uiLink: ctx.uiLink(input.workflowId),
    };
  };
  const refOf = (posted: { conversationId: string; activityId: string }) => ({
    channel: posted.conversationId,
    ts: posted.activityId,
  });

  return {
    async postApproval(input: Asked): Promise<{ channel: string; ts: string } | undefined> {
      if (!inTeams()) return undefined;
      const card = snoozeApprovalCard(await askedOf(input), { workflowId: input.workflowId });
      return refOf(await postForOperators(ctx, approvalKey(input.workflowId), card));
    },

    /** False when the request was never posted in Teams. */
    async markDecided(input: Asked & { decision: string; by?: string }): Promise<boolean> {
      return updatePosted(ctx, approvalKey(input.workflowId), 'decided', async () =>
        snoozeApprovalCard(await askedOf(input), { decision: input.decision, by: input.by }),
      );
    },

    async announce(
      input: Asked & { suppressionId: string; expiresAt: string; approvedBy?: string },
    ): Promise<{ channel: string; ts: string } | undefined> {
      if (!inTeams()) return undefined;
      const { suppressionId, expiresAt, approvedBy } = input;
      const card = snoozeAnnouncementCard({
        ...(await askedOf(input)),
        suppressionId,
        expiresAt,
        ...(approvedBy ? { approvedBy } : {}),
      });
      return refOf(await postForOperators(ctx, `${input.workflowId}:teams-snooze-announced`, card));
    },
  };
}
