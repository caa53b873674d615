import { parseDuration } from '../../shared/duration';
import { type Language, languageOfLocale } from '../../shared/i18n';
import { directoryStore } from '../../store/directory';
import { employeeCache } from '../../store/employee-cache';
import { teamsFollowUpStore } from '../../store/teams-follow-ups';
import { cardActivity } from '../../teams/card-message';
import { followUpQuestionCard, followUpThanksText } from '../../teams/follow-up-cards';
import type { ActivityContext } from '../context';
import type { FollowUpQuestion } from '../interviewer';
import { connectorCall, teamsDeps } from './teams';

type TeamsChat = { conversationId: string; activityId: string };

/**
 * The AI interviewer's conversation in the employee's Teams chat: each question a reply to the
 * interview's card, the bot told which question waits there (store/teams-follow-ups.ts) so that it
 * takes the employee's next message as the answer, and the thanks at the end, in the employee's
 * language. Idempotent per step.
 */
export function createTeamsFollowUpActivities(ctx: ActivityContext) {
  const waiting = teamsFollowUpStore(ctx.c);
  const directory = directoryStore(ctx.c);
  /** The asked employee's language: the locale Teams last gave for them (the bot keeps it); English before any. */
  const languageOfAsked = async (alertId: string): Promise<Language> => {
    const { input, employee, employeeSlackId } = await ctx.loadAlertDoc(alertId);
    const email = employee?.email ?? input.employee.email;
    const entry = email
      ? await directory.byEmail(email)
      : employeeSlackId
        ? await directory.bySlackId(employeeSlackId)
        : null;
    return languageOfLocale(
      entry?.aadObjectId ? await employeeCache(ctx.c).teamsLocale(entry.aadObjectId) : undefined,
    );
  };
  const replyToCard = (ref: TeamsChat, message: unknown) =>
    connectorCall(() =>
      teamsDeps(ctx).connector.conversations.replyToActivity(
        ref.conversationId,
        ref.activityId,
        message as never,
      ),
    );

  return {
    async postTeamsFollowUpQuestion(input: {
      workflowId: string;
      alertId: string;
      ref: TeamsChat;
      /** The interviewed employee, as the signals name them: only their message answers. */
      employee: string;
      n: number;
      question: FollowUpQuestion;
      answerTimeout: string;
    }): Promise<{ activityId: string }> {
      const now = ctx.now();
      // Waiting before the question shows: an answer written at once finds it.
      await waiting.waitFor({
        _id: input.workflowId,
        conversationId: input.ref.conversationId,
        employee: input.employee,
        n: input.n,
        askedAt: now,
        until: new Date(now.getTime() + parseDuration(input.answerTimeout)),
      });
      const { title } = await ctx.loadAlert(input.alertId);
      const lang = await languageOfAsked(input.alertId);
      return ctx.once(`${input.workflowId}:teams-follow-up:${input.n}`, async () => {
        const card = followUpQuestionCard(input.question.text, input.question.machineWritten, title, lang);
        const reply = await replyToCard(input.ref, cardActivity(card));
        return { activityId: reply.id };
      });
    },

    /** The conversation is over: no message is taken as an answer any more, and thanks if any was given. */
    async closeTeamsFollowUps(input: { workflowId: string; ref: TeamsChat; thank: boolean }): Promise<void> {
      await waiting.close(input.workflowId);
      if (!input.thank) return;
      const lang = await languageOfAsked(input.workflowId.replace(/^alert-/, ''));
      await ctx.once(`${input.workflowId}:teams-follow-up:thanks`, async () => {
        const reply = await replyToCard(input.ref, {
          type: 'message',
          textFormat: 'plain',
          text: followUpThanksText(lang),
        });
        return { activityId: reply.id };
      });
    },
  };
}
