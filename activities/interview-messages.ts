import { ApplicationFailure } from '@temporalio/common';
import { type Outcome, isEscalation } from '../shared/constants';
import { buildReport } from '../report/investigation';
import type { ActivityContext, MessageRef } from './context';
import type { ChannelRef } from './channels/employee-channel';
import { employeeChannels } from './channels';
import { slackChannel } from './channels/slack';
import { markTeamsEscalationClosed, postTeamsEscalation } from './channels/teams';
import { slackCall } from './slack-client';
import { escalationReport } from '../slack-blocks/escalation';
import { answerLinks } from '../store/answer-links';

/** The escalation's post in the security channel. */
export type EscalationPost = {
  channel: string;
  ts: string;
  /** The post has a Close button: the escalation stays open until an operator closes it. */
  awaitsClose: boolean;
};

/** The interview's messages: the DM and its reminders, the outcome, and the escalation post. */
export function createInterviewMessageActivities(ctx: ActivityContext) {
  const { deps, slack, once, uiLink, loadAlertDoc } = ctx;
  const viaSlack = slackChannel(ctx);
  const channels = employeeChannels(ctx);

  return {
    /** The interview DM with its buttons (the Slack channel's question, for policies that name no channels). */
    async sendInterview(input: Parameters<typeof viaSlack.sendDm>[0]): Promise<MessageRef> {
      return viaSlack.sendDm(input);
    },

    async sendReminder(input: Parameters<typeof viaSlack.sendReminder>[0]): Promise<void> {
      await viaSlack.sendReminder(input);
    },

    /** At the outcome: the DM loses its buttons and shows the outcome; escalations go to the security channel. */
    async finishInterview(input: {
      workflowId: string;
      alertId: string;
      outcome: Outcome;
      /** Not read: the employee is named from the record's fields (interviews in flight still send it). */
      employeeLabel: string;
      dm: MessageRef | null;
      escalationChannel?: string;
      /** The escalation stays open until an operator closes it: the post gets a Close button. */
      awaitsClose?: boolean;
      /** A verified "yes" the employee may snooze: the note offers it. */
      snoozeOffer?: { approval: boolean };
      /** Where the employee was asked, when the policy chose the channel; told there. */
      contact?: ChannelRef;
      /** Where they were asked besides (the email after no answer in Slack); told there too. */
      alsoAsked?: ChannelRef[];
    }): Promise<{ reportPosted: boolean; escalation?: EscalationPost }> {
      // Whatever the channels: no answer link of the interview works once it has an outcome.
      await answerLinks(ctx.c).closeAll(input.workflowId, ctx.now());
      if (input.contact) {
        for (const ref of [input.contact, ...(input.alsoAsked ?? [])])
          await channels.get(ref.channel).tellOutcome({ ...input, ref });
      } else {
        // A DM sent while the interview was cancelled or failed is known only to the alert: it loses its buttons too.
        const dm = input.dm ?? (await ctx.alerts.factsOf(input.alertId))?.dm ?? null;
        if (dm?.channel && dm.ts) await viaSlack.updateDm({ ...input, dm });
      }
      const alert = await ctx.loadAlert(input.alertId);
      if (!isEscalation(input.outcome)) return { reportPosted: false };
      const postedInTeams = await postTeamsEscalation(ctx, input);
      const channel = input.escalationChannel ?? deps.securityChannel;
      // An organisation on Teams alone is told there.
      if (!channel && postedInTeams) return { reportPosted: true };
      if (!channel)
        // Nobody would be told: the interview fails closed, and its notice waits, visibly, for a channel.
        throw ApplicationFailure.create({
          type: 'NoSecurityChannel',
          message: 'escalation not posted: VOUCH_SECURITY_CHANNEL is not set and the policy names no channel',
          nonRetryable: true,
        });
      const doc = await loadAlertDoc(input.alertId);
      const escalation = await once(`${input.workflowId}:escalation`, async (): Promise<EscalationPost> => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel,
            ...escalationReport({
              linkHosts: deps.linkHosts,
              alert,
              outcome: input.outcome,
              transcript: doc.transcript,
              uiLink: uiLink(input.workflowId),
              facts: buildReport(doc),
              closeButtonFor: input.awaitsClose ? input.workflowId : undefined,
              employeeSlackId: doc.employeeSlackId,
            }),
          }),
        );
        // awaitsClose: a later update of this post (the AI interviewer's) keeps the Close button.
        return { channel, ts: res.ts ?? '', awaitsClose: Boolean(input.awaitsClose) };
      });
      await ctx.alerts.setEscalation(input.alertId, escalation);
      return { reportPosted: true, escalation };
    },

    /** When an operator closes a waiting escalation, its post in the channel loses the Close button and says who. */
    async markEscalationClosed(input: {
      workflowId: string;
      alertId: string;
      outcome: Outcome;
      /** Not read: the employee is named from the record's fields (interviews in flight still send it). */
      employeeLabel: string;
      closedBy: string;
    }): Promise<void> {
      await markTeamsEscalationClosed(ctx, input);
      const posted = (await ctx.alerts.factsOf(input.alertId))?.escalation;
      if (!posted?.channel || !posted.ts) return; // never posted (no security channel)
      const { channel, ts } = posted;
      const doc = await loadAlertDoc(input.alertId);
      const report = buildReport(doc, { link: uiLink(input.workflowId) });
      await once(`${input.workflowId}:escalation-closed`, async () => {
        await slackCall('chat.update', () =>
          slack().chat.update({
            channel,
            ts,
            ...escalationReport({
              linkHosts: deps.linkHosts,
              alert: doc.input,
              outcome: input.outcome,
              transcript: doc.transcript,
              uiLink: uiLink(input.workflowId),
              summary: doc.summary,
              facts: report,
              closedBy: input.closedBy,
              employeeSlackId: doc.employeeSlackId,
            }),
          }),
        );
        return {};
      });
    },
  };
}
