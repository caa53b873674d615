import { directoryStore } from '../store/directory';
import { employeeCache } from '../store/employee-cache';
import { teamsDirectory } from '../store/teams-directory';
import { managerQuestion, managerQuestionClosed } from '../slack-blocks/manager';
import type { ActivityContext, MessageRef } from './context';
import { directMessages } from './direct-messages';
import { employeeLanguages } from './employee-language';
import { type SlackEmployee, createEmployeeResolver } from './employees';
import { slackCall, slackSurelyNotSent } from './slack-client';
import { type ManagerQuestionEnd, createTeamsManagerActivities } from './channels/teams-manager';

/** Slack message metadata's event type on every manager question, to find one an attempt left unrecorded. */
const MANAGER_DM_EVENT = 'vouch_manager_question';

export type ManagerLookup =
  | { manager: SlackEmployee }
  /** A manager asked in Teams: the directory lists their Entra object id, and Slack cannot reach them. */
  | { teamsManager: { email: string; aadObjectId: string } }
  | { skipped: 'no_manager' | 'manager_not_found' };

/** The ladder's manager step: who the manager is (from the directory, else Microsoft Graph), their DM, and its end. */
export function createManagerActivities(ctx: ActivityContext) {
  const { slack } = ctx;
  const directory = directoryStore(ctx.c);
  const resolve = createEmployeeResolver(ctx.c, ctx.deps.slack, ctx.slackMissing);

  /**
   * The manager Microsoft Graph names for an employee the directory gives none (VOUCH_GRAPH_LOOKUP):
   * in Slack when Slack knows them, as before Teams; else in Teams. Kept like any Graph answer, so the
   * Teams bot knows them when they answer.
   */
  const managerInEntra = async (input: {
    employeeSlackId?: string;
    employeeEmail?: string;
  }): Promise<ManagerLookup | undefined> => {
    const graph = ctx.deps.teams?.graph;
    if (!graph) return undefined;
    const oid = await teamsDirectory(ctx.c).aadObjectIdOf({
      email: input.employeeEmail,
      slackUserId: input.employeeSlackId,
    });
    const manager = oid ? await graph.managerOf(oid) : null;
    if (!manager) return undefined;
    await employeeCache(ctx.c).saveEntra(manager, ctx.now());
    const inSlack = ctx.deps.slack ? await resolve({ email: manager.email }, ctx.now()) : null;
    return inSlack?.slackUserId
      ? { manager: { ...inSlack, slackUserId: inSlack.slackUserId } }
      : { teamsManager: { email: manager.email, aadObjectId: manager.aadObjectId } };
  };

  const { openDm, findByMetadata } = directMessages(ctx);
  const { languageOf, languageOfDm } = employeeLanguages(ctx);

  return {
    ...createTeamsManagerActivities(ctx),

    /**
     * The employee's manager as the directory names them (an alert never says who someone's manager is),
     * else, for an interview that can ask in Teams, as Microsoft Graph names them; resolved to a Slack
     * user like any employee.
     */
    async findManager(input: {
      employeeSlackId?: string;
      employeeEmail?: string;
      /** Interviews that can ask a manager in Teams (only they understand `teamsManager`). */
      orTeams?: boolean;
    }): Promise<ManagerLookup> {
      const entry =
        (input.employeeSlackId ? await directory.bySlackId(input.employeeSlackId) : null) ??
        (input.employeeEmail ? await directory.byEmail(input.employeeEmail) : null);
      if (!entry?.manager)
        return (input.orTeams ? await managerInEntra(input) : undefined) ?? { skipped: 'no_manager' };
      if (input.orTeams && ctx.deps.teams) {
        const listed = await directory.byEmail(entry.manager);
        // Slack first, as before Teams; Teams when Slack cannot reach them.
        if (listed?.aadObjectId && (!listed.slackUserId || !ctx.deps.slack))
          return { teamsManager: { email: listed.email, aadObjectId: listed.aadObjectId.toLowerCase() } };
      }
      const manager = await resolve({ email: entry.manager }, ctx.now());
      return manager?.slackUserId
        ? { manager: { ...manager, slackUserId: manager.slackUserId } }
        : { skipped: 'manager_not_found' };
    },

    /** The question to the manager, sent once (claimed first, found again by its metadata). */
    async askManager(input: {
      workflowId: string;
      alertId: string;
      managerSlackId: string;
      /** Absent for an employee Slack does not know: the question names their email. */
      employeeSlackId?: string;
      employeeEmail?: string;
      waitUntil: string;
    }): Promise<MessageRef> {
      const alert = await ctx.loadAlert(input.alertId);
      const lang = await languageOf(input.managerSlackId);
      return ctx.onceClaimed(
        `${input.workflowId}:manager:${input.managerSlackId}`,
        async () => {
          const channel = await openDm(input.managerSlackId);
          const res = await slackCall('chat.postMessage', () =>
            slack().chat.postMessage({
              channel,
              ...managerQuestion(
                alert,
                input.workflowId,
                input.employeeSlackId
                  ? `<@${input.employeeSlackId}>`
                  : (input.employeeEmail ?? 'the employee'),
                input.waitUntil,
                ctx.deps.linkHosts,
                lang,
              ),
              metadata: { event_type: MANAGER_DM_EVENT, event_payload: { workflow_id: input.workflowId } },
            }),
          );
          return { channel: res.channel ?? channel, ts: res.ts ?? '' };
        },
        async (since) =>
          findByMetadata(await openDm(input.managerSlackId), MANAGER_DM_EVENT, input.workflowId, since),
        slackSurelyNotSent,
      );
    },

    /** The manager's DM loses its buttons: answered, or the ladder moved on. */
    async closeManagerQuestion(input: ManagerQuestionEnd): Promise<void> {
      const alert = await ctx.loadAlert(input.alertId);
      const lang = await languageOfDm(input.dm.channel);
      await ctx.once(`${input.workflowId}:manager-closed:${input.dm.ts}`, async () => {
        await slackCall('chat.update', () =>
          slack().chat.update({
            channel: input.dm.channel,
            ts: input.dm.ts,
            ...managerQuestionClosed(alert, input.answer, lang),
          }),
        );
        return { closed: true };
      });
    },
  };
}
