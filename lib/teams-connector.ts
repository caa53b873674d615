import { Client } from '@microsoft/teams.api';
import type { TeamsConfig } from './config';
import { appTokens } from './entra-token';

/**
 * The Bot Connector REST client of Microsoft's Teams SDK (`@microsoft/teams.api`), with the bot's
 * app-only tokens from the tenant's token endpoint (OAuth 2.0 client credentials, lib/entra-token.ts).
 */
export function teamsConnector(
  config: Pick<TeamsConfig, 'appId' | 'appPassword' | 'serviceUrl' | 'tokenUrl'>,
) {
  const getAppToken = appTokens(
    { tokenUrl: config.tokenUrl, clientId: config.appId, clientSecret: config.appPassword },
    "the Teams bot's credentials",
  );
  return new Client(config.serviceUrl, { timeout: 15_000 }, { tokenProvider: { getAppToken } });
}

export type TeamsConnector = ReturnType<typeof teamsConnector>;
