import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../lib/config';
import { type TeamsConnector, teamsConnector } from '../../lib/teams-connector';
import type { Outcome } from '../../shared/constants';
import { type Language, languageOfLocale } from '../../shared/i18n';
import { employeeCache } from '../../store/employee-cache';
import { teamsDirectory } from '../../store/teams-directory';
import { approvalCard, escalationCard, interviewCard, outcomeCard, reminderText } from '../../teams/cards';
import { alertFacts } from '../../web/alert-facts';
import { formatTime } from '../../web/interview-mail';
import type { ActivityContext } from '../context';
import { type GraphUsers, graphUsers } from '../graph-users';
import type {
  AskInput,
  ChannelRef,
  EmployeeChannel,
  RemindInput,
  TellOutcomeInput,
} from './employee-channel';

/** The Teams channel's settings (VOUCH_TEAMS_*) and its Bot Connector client. */
export interface TeamsDeps {
  connector: TeamsConnector;
  appId: string;
  tenantId: string;
  /** The operators' Teams channel (VOUCH_TEAMS_OPERATORS_CONVERSATION): escalations are posted there. */
  operatorsConversation?: string;
  /** Microsoft Graph's users (VOUCH_GRAPH_LOOKUP): employees the directory gives no Entra object id. */
  graph?: GraphUsers;
}

/** The Teams channel's client and settings, from VOUCH_TEAMS_*; undefined when the app id is unset. */
export function createTeamsDeps(config: Pick<Config, 'teams'>): TeamsDeps | undefined {
  const { teams } = config;
  if (!teams) return undefined;
  return {
    connector: teamsConnector(teams),
    appId: teams.appId,
    tenantId: teams.tenantId,
    operatorsConversation: teams.operatorsConversation,
    ...(teams.graph ? { graph: graphUsers({ ...teams, graph: teams.graph }) } : {}),
  };
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const cardMessage = (content: unknown) => ({
  type: 'message' as const,
  attachments: [{ contentType: ADAPTIVE_CARD, content }],
});

/**
 * The Teams channel: a proactive 1:1 message from the bot with an Adaptive Card (Yes opens the code
 * dialog, No escalates), reminders as replies to it, and the card updated at the outcome. The
 * employee is reached by the Microsoft Entra object id the directory lists for them, or that Microsoft
 * Graph gave for their email when the interview looked them up.
 */
export function teamsChannel(ctx: ActivityContext): EmployeeChannel {
  const teams = (): TeamsDeps => teamsDeps(ctx);
  const refOf = (ref: ChannelRef) => {
    if (ref.channel !== 'teams') throw new Error('not a Teams chat');
    return ref;
  };
  const people = teamsDirectory(ctx.c);
  const aadObjectIdOf = async (input: AskInput): Promise<string> => {
    const aadObjectId = await people.aadObjectIdOf(input);
    if (!aadObjectId)
      throw ApplicationFailure.create({
        type: 'TeamsUserUnknown',
        message:
          'no Microsoft Entra object id is known for the employee (vouch directory set --aad-object-id, or VOUCH_GRAPH_LOOKUP)',
        nonRetryable: true,
      });
    return aadObjectId;
  };
  /** The language of the locale Teams last gave for this person (the bot keeps it); English before any. */
  const languageOf = async (aadObjectId: string | undefined): Promise<Language> =>
    languageOfLocale(aadObjectId ? await employeeCache(ctx.c).teamsLocale(aadObjectId) : undefined);
  /** The language of the employee an interview asked, for its reminders and outcome. */
  const languageOfAsked = async (doc: Awaited<ReturnType<ActivityContext['loadAlertDoc']>>) =>
    languageOf(await people.aadObjectIdOf({ ...doc.input.employee, ...doc.employee }));

  return {
    async ask(input: AskInput): Promise<ChannelRef> {
      const aadObjectId = await aadObjectIdOf(input);
      const alert = await ctx.loadAlert(input.alertId);
      const card = interviewCard(
        alertFacts(alert),
        input.workflowId,
        formatTime(input.answerDueAt),
        input.employeeName,
        await languageOf(aadObjectId),
      );
      const sent = await ctx.once(`${input.workflowId}:teams`, () => sendInChat(ctx, aadObjectId, card));
      return { channel: 'teams', conversationId: sent.conversationId, activityId: sent.activityId };
    },

    async remind(input: RemindInput): Promise<void> {
      const ref = refOf(input.ref);
      const doc = await ctx.loadAlertDoc(input.alertId);
      const lang = await languageOfAsked(doc);
      await ctx.once(`${input.workflowId}:teams-reminder:${input.n}`, async () => {
        const reply = await connectorCall(() =>
          teams().connector.conversations.replyToActivity(ref.conversationId, ref.activityId, {
            type: 'message',
            text: reminderText(input.n, doc.input.title, formatTime(input.deadlineAt), lang),
          } as never),
        );
        return { activityId: reply.id };
      });
    },

    async tellOutcome(input: TellOutcomeInput): Promise<void> {
      const ref = refOf(input.ref);
      const doc = await ctx.loadAlertDoc(input.alertId);
      const lang = await languageOfAsked(doc);
      await ctx.once(`${input.workflowId}:teams-outcome`, async () => {
        await updateCard(
          ctx,
          ref.conversationId,
          ref.activityId,
          outcomeCard(
            alertFacts(doc.input),
            input.outcome,
            lang,
            input.snoozeOffer && { workflowId: input.workflowId, ...input.snoozeOffer },
          ),
        );
        return {};
      });
    },
  };
}

/** A card in the bot's 1:1 chat with a person, by their Entra object id. */
export async function sendInChat(ctx: ActivityContext, aadObjectId: string, card: unknown) {
  const { connector, appId, tenantId } = teamsDeps(ctx);
  // Creating the 1:1 chat again with the same member gives the same conversation.
  const chat = await connectorCall(() =>
    connector.conversations.create({
      isGroup: false,
      bot: { id: `28:${appId}` },
      members: [{ id: `8:orgid:${aadObjectId}`, aadObjectId, role: 'user' }],
      tenantId,
      channelData: { tenant: { id: tenantId } },
    }),
  );
  const activity = await connectorCall(() =>
    connector.conversations.createActivity(chat.id, cardMessage(card) as never),
  );
  return { conversationId: chat.id, activityId: activity.id };
}

/** The escalation, posted in the operators' Teams channel when one is set; false when none is. */
export async function postTeamsEscalation(
  ctx: ActivityContext,
  input: { workflowId: string; alertId: string; outcome: Outcome; awaitsClose?: boolean },
): Promise<boolean> {
  if (!ctx.deps.teams?.operatorsConversation) return false;
  const close = input.awaitsClose ? { workflowId: input.workflowId } : undefined;
  await postForOperators(ctx, `${input.workflowId}:teams-escalation`, await escalationOf(ctx, input, close));
  return true;
}

/** When an operator closes a waiting escalation, its Teams card loses the Close button and says who. */
export async function markTeamsEscalationClosed(
  ctx: ActivityContext,
  input: { workflowId: string; alertId: string; outcome: Outcome; closedBy: string },
): Promise<void> {
  await updatePosted(ctx, `${input.workflowId}:teams-escalation`, 'closed', () =>
    escalationOf(ctx, input, { closedBy: input.closedBy }),
  );
}

/** The approval request, posted in the operators' Teams channel when one is set; its reference, or undefined. */
export async function postTeamsApprovalRequest(
  ctx: ActivityContext,
  input: { workflowId: string; alertId: string },
): Promise<{ channel: string; ts: string } | undefined> {
  if (!ctx.deps.teams?.operatorsConversation) return undefined;
  const card = await approvalOf(ctx, input, { workflowId: input.workflowId });
  const posted = await postForOperators(ctx, `${input.workflowId}:teams-approval`, card);
  return { channel: posted.conversationId, ts: posted.activityId };
}

/** Once decided, the Teams approval card loses its buttons and says who decided; false if never posted. */
export async function markTeamsApprovalDecided(
  ctx: ActivityContext,
  input: { workflowId: string; alertId: string; action: string; by?: string },
): Promise<boolean> {
  return updatePosted(ctx, `${input.workflowId}:teams-approval`, 'decided', () =>
    approvalOf(ctx, input, { decision: input.action, by: input.by }),
  );
}

/** A card posted once (under `key`) in the operators' channel. */
export async function postForOperators(ctx: ActivityContext, key: string, card: unknown) {
  const { connector, operatorsConversation } = teamsDeps(ctx);
  const conversation = operatorsConversation!;
  return ctx.once(key, async () => {
    const sent = await connectorCall(() =>
      connector.conversations.createActivity(conversation, cardMessage(card) as never),
    );
    return { conversationId: conversation, activityId: sent.id };
  });
}

/** The card posted under `key`, replaced once (`<key>-<step>`) by a new one; false if it was never posted. */
export async function updatePosted(
  ctx: ActivityContext,
  key: string,
  step: string,
  card: () => Promise<unknown>,
): Promise<boolean> {
  const posted = (await ctx.sentRecord(key)) as
    { conversationId?: string; activityId?: string } | null | undefined;
  if (!posted?.conversationId || !posted.activityId) return false;
  const { conversationId, activityId } = posted;
  const next = await card();
  await ctx.once(`${key}-${step}`, async () => {
    await updateCard(ctx, conversationId, activityId, next);
    return {};
  });
  return true;
}

export function updateCard(ctx: ActivityContext, conversationId: string, activityId: string, card: unknown) {
  return connectorCall(() =>
    teamsDeps(ctx).connector.conversations.updateActivity(conversationId, activityId, {
      ...cardMessage(card),
      id: activityId,
    } as never),
  );
}

async function approvalOf(
  ctx: ActivityContext,
  input: { workflowId: string; alertId: string },
  state: Parameters<typeof approvalCard>[3],
) {
  const doc = await ctx.loadAlertDoc(input.alertId);
  return approvalCard(alertFacts(doc.input), employeeOfDoc(doc), ctx.uiLink(input.workflowId), state);
}

export function employeeOfDoc(doc: Awaited<ReturnType<ActivityContext['loadAlertDoc']>>): string {
  return doc.employee?.email ?? doc.input.employee.email ?? doc.input.employee.username ?? '?';
}

async function escalationOf(
  ctx: ActivityContext,
  input: { workflowId: string; alertId: string; outcome: Outcome },
  close: Parameters<typeof escalationCard>[4],
) {
  const doc = await ctx.loadAlertDoc(input.alertId);
  return escalationCard(
    alertFacts(doc.input),
    input.outcome,
    employeeOfDoc(doc),
    ctx.uiLink(input.workflowId),
    close,
  );
}

export function teamsDeps(ctx: ActivityContext): TeamsDeps {
  if (!ctx.deps.teams)
    throw ApplicationFailure.create({
      type: 'TeamsNotConfigured',
      message:
        'the Teams channel needs VOUCH_TEAMS_APP_ID, VOUCH_TEAMS_APP_PASSWORD and VOUCH_TEAMS_TENANT_ID',
      nonRetryable: true,
    });
  return ctx.deps.teams;
}

/**
 * A Bot Connector call whose failure carries only its status: the SDK's HTTP errors hold the request,
 * with its bearer token, which must not reach Temporal's history. 401/403/404 mean the bot cannot
 * reach this person (not installed for them, blocked, no such user): final, and the interview moves to
 * its next channel. Anything else (429, 5xx, a dropped connection) is retried.
 */
export async function connectorCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const status = (err as { response?: { status?: number } }).response?.status;
    const code = (err as { response?: { data?: { error?: { code?: string } } } }).response?.data?.error?.code;
    const message = `the Bot Connector answered ${status ?? 'nothing'}${code ? ` ${code}` : ''}`;
    if (status === 401 || status === 403 || status === 404)
      throw ApplicationFailure.create({ type: 'TeamsRejected', message, nonRetryable: true });
    throw new Error(
      status === undefined ? `the Bot Connector could not be reached: ${(err as Error).message}` : message,
    );
  }
}
