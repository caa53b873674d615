import { type TeamsConfig, loadConfig } from '../../lib/config';
import type { Harness } from './interview-harness';
import { startTeamsBot } from './teams-bot-under-test';
import type { TeamsStandIn } from './teams-stand-in';

/** The Teams settings of a bot whose Microsoft side is `teams` (the stand-in), plus `over`. */
export function teamsConfigFor(teams: TeamsStandIn, over: Record<string, string> = {}): TeamsConfig {
  return loadConfig(teamsEnvFor(teams, over)).teams!;
}

/** The same settings as environment variables, for a bot whose config holds more than Teams. */
export function teamsEnvFor(teams: TeamsStandIn, over: Record<string, string> = {}): Record<string, string> {
  return {
    VOUCH_TEAMS_APP_ID: teams.app.appId,
    VOUCH_TEAMS_APP_PASSWORD: teams.app.appPassword,
    VOUCH_TEAMS_TENANT_ID: teams.app.tenantId,
    VOUCH_TEAMS_SERVICE_URL: teams.serviceUrl,
    VOUCH_TEAMS_OPENID_URL: teams.openIdUrl,
    VOUCH_TEAMS_TOKEN_URL: teams.tokenUrl,
    ...over,
  };
}

/**
 * The real Teams endpoint on a free local port, with the harness's Temporal and MongoDB; `post`
 * sends an activity signed as Bot Framework signs it and answers the HTTP status.
 */
export async function listenTeamsBot(h: Harness, teams: TeamsStandIn, config: TeamsConfig) {
  const { server, endpoint } = await startTeamsBot(h, config);
  return {
    endpoint,
    async post(body: unknown): Promise<number> {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
