import type { ManagerAnswer } from '../../shared/messages';
import { managerQuestionCard, managerQuestionClosedCard } from '../../teams/operator-cards';
import { alertFacts } from '../../web/alert-facts';
import { formatTime } from '../../web/interview-mail';
import type { ActivityContext, MessageRef } from '../context';
import { sendInChat, updateCard } from './teams';

/** How a manager question ends: answered (`answer`), or expired. */
export interface ManagerQuestionEnd {
  workflowId: string;
  alertId: string;
  dm: MessageRef;
  answer?: ManagerAnswer;
}

/**
 * The ladder's manager question in Teams, for a manager the directory reaches there (by Entra object
 * id) and Slack does not: a card in the bot's 1:1 chat with them, closed once answered or expired.
 */
export function createTeamsManagerActivities(ctx: ActivityContext) {
  return {
    /** The question, sent once; its chat and activity as a message reference. */
    async askManagerInTeams(input: {
      workflowId: string;
      alertId: string;
      managerAadObjectId: string;
      /** How the question names the employee (their email). */
      employee: string;
      waitUntil: string;
    }): Promise<MessageRef> {
      const aadObjectId = input.managerAadObjectId;
      const alert = await ctx.loadAlert(input.alertId);
      const card = managerQuestionCard(
        alertFacts(alert),
        input.workflowId,
        input.employee,
        formatTime(input.waitUntil),
      );
      const sent = await ctx.once(`${input.workflowId}:teams-manager:${aadObjectId}`, () =>
        sendInChat(ctx, aadObjectId, card),
      );
      return { channel: sent.conversationId, ts: sent.activityId };
    },

    /** The card loses its buttons: what the manager answered, or that the question expired. */
    async closeManagerQuestionInTeams(input: ManagerQuestionEnd): Promise<void> {
      const alert = await ctx.loadAlert(input.alertId);
      await ctx.once(`${input.workflowId}:teams-manager-closed:${input.dm.ts}`, async () => {
        await updateCard(
          ctx,
          input.dm.channel,
          input.dm.ts,
          managerQuestionClosedCard(alertFacts(alert), input.answer),
        );
        return {};
      });
    },
  };
}
