import type { Outcome } from '../../shared/constants';
import { interviewMessage, reminderMessage } from '../../slack-blocks/interview';
import { outcomeForEmployee } from '../../slack-blocks/outcome';
import type { LocalizedTemplate } from '../../shared/templates';
import { threadStore } from '../../store/threads';
import type { ActivityContext, MessageRef } from '../context';
import { directMessages } from '../direct-messages';
import { employeeLanguages } from '../employee-language';
import { slackCall, slackSurelyNotSent } from '../slack-client';
import type { AskInput, EmployeeChannel, RemindInput, TellOutcomeInput } from './employee-channel';

/** Slack message metadata's event type on every interview DM. */
const INTERVIEW_DM_EVENT = 'vouch_interview';

/** The Slack channel: a DM with the answer buttons, reminders in its thread, the DM updated at the end. */
export function slackChannel(ctx: ActivityContext) {
  const { deps, slack, once, loadAlert } = ctx;
  const threads = threadStore(ctx.c, ctx.now);
  const { openDm, findByMetadata } = directMessages(ctx);
  const { languageOf, languageOfAlert } = employeeLanguages(ctx);
  const findInterviewDm = (channel: string, workflowId: string, since: Date) =>
    findByMetadata(channel, INTERVIEW_DM_EVENT, workflowId, since);

  const sendDm = async (input: {
    workflowId: string;
    alertId: string;
    slackUserId: string;
    /** The policy's `messages.intro` template, and the name it may use. */
    intro?: LocalizedTemplate;
    employeeName?: string;
  }): Promise<MessageRef> => {
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
  };

  const sendReminder = async (input: {
    workflowId: string;
    alertId: string;
    dm: MessageRef;
    n: number;
    deadlineAt: string;
    template?: LocalizedTemplate;
  }): Promise<void> => {
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
  };

  const updateDm = async (input: {
    workflowId: string;
    alertId: string;
    dm: MessageRef;
    outcome: Outcome;
    snoozeOffer?: { approval: boolean };
  }): Promise<void> => {
    const alert = await loadAlert(input.alertId);
    const lang = await languageOfAlert(input.alertId);
    const { dm } = input;
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
  };

  const channel: EmployeeChannel = {
    async ask(input: AskInput) {
      if (!input.slackUserId) throw new Error("the Slack channel needs the employee's Slack user id");
      return { channel: 'slack', dm: await sendDm({ ...input, slackUserId: input.slackUserId }) };
    },
    async remind(input: RemindInput) {
      if (input.ref.channel !== 'slack') throw new Error('not a Slack DM');
      await sendReminder({ ...input, dm: input.ref.dm });
    },
    async tellOutcome(input: TellOutcomeInput) {
      if (input.ref.channel !== 'slack') throw new Error('not a Slack DM');
      await updateDm({ ...input, dm: input.ref.dm });
    },
  };
  return { channel, sendDm, sendReminder, updateDm };
}
