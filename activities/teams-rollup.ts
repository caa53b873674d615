import { rolledUpInterviewCard } from '../teams/rollup-cards';
import { alertFacts } from '../web/alert-facts';
import { formatTime } from '../web/interview-mail';
import type { ActivityContext } from './context';
import { updateCard } from './channels/teams';
import type { ChannelRef } from './channels';

/** Alert storms in Teams: the leading interview's card lists the alerts its one answer covers. */
export function createTeamsRollupActivities(ctx: ActivityContext) {
  return {
    /**
     * The leading interview's card, replaced by one that lists the alerts it covers (the leader's and
     * the first members', by `alertIds`) and counts the rest. Idempotent: the same input gives the same card.
     */
    async updateRolledUpTeamsCard(input: {
      leaderWorkflowId: string;
      ref: ChannelRef;
      alertIds: string[];
      covers: number;
      answerDueAt: string;
      employeeName?: string;
    }): Promise<void> {
      if (input.ref.channel !== 'teams') throw new Error('not a Teams chat');
      const [leaderId] = input.alertIds;
      const leader = await ctx.loadAlert(leaderId!);
      const listed = await ctx.c.alerts
        .find({ _id: { $in: input.alertIds } }, { projection: { 'input.title': 1, 'input.occurredAt': 1 } })
        .toArray();
      const byId = new Map(listed.map((d) => [d._id, d.input]));
      const covered = input.alertIds.flatMap((id) => {
        const a = byId.get(id);
        return a ? [{ title: a.title, occurredAt: a.occurredAt }] : [];
      });
      const card = rolledUpInterviewCard(
        alertFacts(leader),
        covered,
        input.covers,
        input.leaderWorkflowId,
        formatTime(input.answerDueAt),
        input.employeeName,
      );
      await updateCard(ctx, input.ref.conversationId, input.ref.activityId, card);
    },
  };
}
