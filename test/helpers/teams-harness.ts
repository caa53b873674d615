import { createTeamsDeps } from '../../activities/channels/teams';
import type { ActivityDeps } from '../../activities';
import type { TeamsConfig } from '../../lib/config';
import { ANA, type Harness, createDevServerHarness } from './interview-harness';
import { listInDirectory, startTeamsBot } from './teams-bot-under-test';
import { teamsConfigFor } from './teams-endpoint';
import { type ConnectorActivity, TeamsStandIn } from './teams-stand-in';

export const TEAMS_APP = {
  appId: '6f2c1d7e-8a4b-4c3d-9e5f-0a1b2c3d4e5f',
  appPassword: 'teams-client-secret',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
};
export const OPS = '19:vouch-operators@thread.tacv2';
export const CAROL_OID = '1c9f8b2e-3d4a-4b5c-8d6e-7f8091a2b3c4';
export const ANA_OID = '2d0a9c3f-4e5b-4c6d-9e7f-8091a2b3c4d5';
export const MALLORY_OID = '3e1b0d4a-5f6c-4d7e-8f9a-91a2b3c4d5e6';
export const OPERATOR_OID = '4f2c1e5b-6a7d-4e8f-9a0b-a2b3c4d5e6f7';

/**
 * The Teams channel end to end, for a test file: the real workflow and worker on Temporal, the real Teams
 * endpoint (`POST /api/messages`) fed activities signed with a key the OpenID stand-in publishes, and
 * the Bot Connector stand-in receiving the cards, replies and updates. The directory lists Carol (Teams
 * only), Ana (Slack and Teams) and Mallory (Teams only, never the one asked).
 */
export async function startTeamsHarness(
  opts: {
    activityDeps?: Partial<ActivityDeps>;
    /** VOUCH_PUBLIC_URL for the endpoint: where its passkey links point (the answer page). */
    publicUrl?: string;
    /** VOUCH_GRAPH_LOOKUP, with Microsoft Graph at the stand-in (`teams.graph` holds its users). */
    graph?: boolean;
  } = {},
) {
  const teams = await new TeamsStandIn(TEAMS_APP).start();
  teams.addChannel(OPS);
  const config = teamsConfigFor(teams, {
    VOUCH_TEAMS_OPERATORS_CONVERSATION: OPS,
    VOUCH_TEAMS_OPERATORS: OPERATOR_OID,
    ...(opts.graph ? { VOUCH_GRAPH_LOOKUP: 'true', VOUCH_GRAPH_URL: teams.graphUrl } : {}),
  });
  let h: Harness | undefined;
  try {
    h = await createDevServerHarness({
      activityDeps: { teams: createTeamsDeps({ teams: config }), ...opts.activityDeps },
    });
    const bot = await startTeamsBot(h, config, opts.publicUrl);
    await listInDirectory(h, [
      { email: 'carol@example.com', name: 'Carol Contractor', aadObjectId: CAROL_OID },
      { email: ANA.email, slackUserId: ANA.id, name: ANA.name, aadObjectId: ANA_OID },
      { email: 'mallory@example.com', aadObjectId: MALLORY_OID },
    ]);
    return teamsHarnessOf(h, teams, bot, config);
  } catch (err) {
    await h?.teardown();
    await teams.stop();
    throw err;
  }
}

function teamsHarnessOf(
  h: Harness,
  teams: TeamsStandIn,
  bot: Awaited<ReturnType<typeof startTeamsBot>>,
  config: TeamsConfig,
) {
  const activity = (from: string, conversationId: string, over: Record<string, unknown>) =>
    teams.userActivity(from, conversationId, over);
  /** An activity posted to the endpoint with a token the OpenID stand-in's key signed. */
  const signedPost = async (body: unknown) => {
    const res = await fetch(bot.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  /** The card that asks about this interview, once the Bot Connector has it. */
  const cardFor = async (workflowId: string) => {
    const ofThis = (a: ConnectorActivity) => JSON.stringify(a.body).includes(workflowId);
    await teams.waitFor(() => teams.activities.some(ofThis));
    return teams.activities.find(ofThis)!;
  };
  /** A card's button pressed: Action.Submit in a card sends a message activity carrying its data. */
  const press = (from: string, card: ConnectorActivity, vouch: string, workflowId: string, over = {}) =>
    activity(from, card.conversationId, { type: 'message', value: { vouch, workflowId }, ...over });
  /** An invoke of the dialog: `task/fetch` opens it, `task/submit` sends what it holds. */
  const invoke = (
    from: string,
    card: ConnectorActivity,
    name: 'task/fetch' | 'task/submit',
    data: Record<string, unknown>,
    over = {},
  ) =>
    activity(from, card.conversationId, {
      type: 'invoke',
      name,
      value: { data, context: { theme: 'default' } },
      ...over,
    });
  return {
    h,
    teams,
    config,
    activity,
    signedPost,
    press,
    invoke,
    cardFor,
    cardText: (a: unknown) => JSON.stringify(a),
    async stop() {
      await new Promise((r) => bot.server.close(r));
      await h.teardown();
      await teams.stop();
    },
  };
}

export type TeamsHarness = Awaited<ReturnType<typeof startTeamsHarness>>;
