import { ApplicationFailure } from '@temporalio/common';
import { type Outcome, isEscalation } from '../shared/constants';
import { threadStore } from '../store/threads';
import { buildReport } from '../report/investigation';
import type { ActivityContext, MessageRef } from './context';
import { directMessages } from './direct-messages';
import { employeeLanguages } from './employee-language';
import { slackCall, slackSurelyNotSent } from './slack-client';
import { escalationReport } from '../slack-blocks/escalation';
import { interviewMessage, reminderMessage } from '../slack-blocks/interview';
import { outcomeForEmployee } from '../slack-blocks/outcome';
import type { LocalizedTemplate } from '../shared/templates';

/** The escalation's post in the security channel. */
export type EscalationPost = {
  channel: string;
  ts: string;
  /** The post has a Close button: the escalation stays open until an operator closes it. */
  awaitsClose: boolean;
};

/** Slack message metadata's event type on every interview DM. */
const INTERVIEW_DM_EVENT = 'vouch_interview';

/** The interview's messages: the DM and its reminders, the outcome, and the escalation post. */
export function createInterviewMessageActivities(ctx: ActivityContext) {
  const { deps, slack, once, uiLink, loadAlert, loadAlertDoc } = ctx;
  const threads = threadStore(ctx.c, ctx.now);

  const { openDm, findByMetadata } = directMessages(ctx);
  const { languageOf, languageOfAlert } = employeeLanguages(ctx);
  const findInterviewDm = (channel: string, workflowId: string, since: Date) =>
    findByMetadata(channel, INTERVIEW_DM_EVENT, workflowId, since);

  return {
    /** The interview DM with its buttons. */
    async sendInterview(input: {
      workflowId: string;
      alertId: string;
      slackUserId: string;
      /** The policy's `messages.intro` template, and the name it may use. */
      intro?: LocalizedTemplate;
      employeeName?: string;
    }): Promise<MessageRef> {
      const alert = await loadAlert(input.alertId);
      const lang = await languageOf(input.slackUserId);
      const ref = await ctx.onceClaimed(
        `${input.workflowId}:dm`,
        async () => {
          const channel = await openDm(input.slackUserId);
          const res = await slackCall('chat.postMessage', () =>
            slack().chat.postMessage({
              channel,
              ...interviewMessage(alert, input.workflowId, {
                intro: input.intro,
                employeeName: input.employeeName,
                linkHosts: deps.linkHosts,
                lang,
              }),
              // What finds this DM again if the attempt that sent it dies before recording it.
              metadata: { event_type: INTERVIEW_DM_EVENT, event_payload: { workflow_id: input.workflowId } },
            }),
          );
          return { channel: res.channel ?? channel, ts: res.ts ?? '' };
        },
        async (since) => findInterviewDm(await openDm(input.slackUserId), input.workflowId, since),
        slackSurelyNotSent,
      );
      await ctx.alerts.setDm(input.alertId, ref);
      await threads.link(ref, { workflowId: input.workflowId, slackUserId: input.slackUserId });
      return ref;
    },

    async sendReminder(input: {
      workflowId: string;
      alertId: string;
      dm: MessageRef;
      n: number;
      deadlineAt: string;
      template?: LocalizedTemplate;
    }): Promise<void> {
      const alert = await loadAlert(input.alertId);
      const lang = await languageOfAlert(input.alertId);
      await once(`${input.workflowId}:reminder:${input.n}`, async () => {
        const res = await slackCall('chat.postMessage', () =>
          slack().chat.postMessage({
            channel: input.dm.channel,
            thread_ts: input.dm.ts,
            reply_broadcast: true,
            ...reminderMessage(alert, input.n, input.deadlineAt, { template: input.template, lang }),
          }),
        );
        return { ts: res.ts ?? '' };
      });
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
    }): Promise<{ reportPosted: boolean; escalation?: EscalationPost }> {
      const alert = await loadAlert(input.alertId);
      // A DM sent while the interview was cancelled or failed is known only to the alert: it loses its buttons too.
      const dm = input.dm ?? (await ctx.alerts.factsOf(input.alertId))?.dm ?? null;
      if (dm?.channel && dm.ts) {
        const lang = await languageOfAlert(input.alertId);
        await once(`${input.workflowId}:dm-outcome`, async () => {
          await slackCall('chat.update', () =>
            slack().chat.update({
              channel: dm.channel,
              ts: dm.ts,
              ...outcomeForEmployee(
                alert,
                input.outcome,
                deps.linkHosts,
                input.snoozeOffer && { workflowId: input.workflowId, ...input.snoozeOffer },
                lang,
              ),
            }),
          );
          return {};
        });
      }
      if (!isEscalation(input.outcome)) return { reportPosted: false };
      const channel = input.escalationChannel ?? deps.securityChannel;
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
