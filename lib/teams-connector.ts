import { Client } from '@microsoft/teams.api';
import type { TeamsConfig } from './config';

/** Renewed this long before it expires, so a token never lapses on its way to the connector. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export class TeamsTokenError extends Error {
  override readonly name = 'TeamsTokenError';
}

/**
 * The Bot Connector REST client of Microsoft's Teams SDK (`@microsoft/teams.api`), with the bot's
 * app-only tokens from the tenant's token endpoint (OAuth 2.0 client credentials), kept until
 * shortly before they expire. The client secret goes only to that endpoint.
 */
export function teamsConnector(
  config: Pick<TeamsConfig, 'appId' | 'appPassword' | 'serviceUrl' | 'tokenUrl'>,
) {
  let cached: { token: string; scope: string; renewAt: number } | undefined;
  const getAppToken = async (scope: string): Promise<string> => {
    if (cached && cached.scope === scope && Date.now() < cached.renewAt) return cached.token;
    const res = await fetch(config.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: config.appId,
        client_secret: config.appPassword,
        scope,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (!res.ok || !body.access_token)
      throw new TeamsTokenError(
        `the token endpoint refused the Teams bot's credentials: ${res.status} ${body.error ?? ''}`.trim(),
      );
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    cached = { token: body.access_token, scope, renewAt: Date.now() + lifetimeMs - EXPIRY_MARGIN_MS };
    return cached.token;
  };
  return new Client(config.serviceUrl, { timeout: 15_000 }, { tokenProvider: { getAppToken } });
}

export type TeamsConnector = ReturnType<typeof teamsConnector>;
