/** Renewed this long before it expires, so a token never lapses on its way to the service. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** The token endpoint refused or failed: its status and OAuth error code only, never a secret or token. */
export class EntraTokenError extends Error {
  override readonly name = 'EntraTokenError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    whose: string,
  ) {
    super(`the token endpoint refused ${whose}: ${status} ${code ?? ''}`.trim());
  }
}

export interface ClientCredentials {
  /** The tenant's OAuth 2.0 token endpoint (`https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/**
 * App-only access tokens from a Microsoft Entra tenant (OAuth 2.0 client credentials), one per scope
 * (`https://api.botframework.com/.default`, `https://graph.microsoft.com/.default`), kept until shortly
 * before they expire; callers that need one at the same time share a single request. The client
 * secret goes only to the token endpoint. `whose` names the credentials in errors.
 */
export function appTokens(credentials: ClientCredentials, whose: string) {
  const cached = new Map<string, { token: string; renewAt: number }>();
  const pending = new Map<string, Promise<string>>();

  const request = async (scope: string): Promise<string> => {
    const res = await fetch(credentials.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        scope,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (!res.ok || !body.access_token) throw new EntraTokenError(res.status, body.error, whose);
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    cached.set(scope, { token: body.access_token, renewAt: Date.now() + lifetimeMs - EXPIRY_MARGIN_MS });
    return body.access_token;
  };

  return (scope: string): Promise<string> => {
    const hit = cached.get(scope);
    if (hit && Date.now() < hit.renewAt) return Promise.resolve(hit.token);
    let inFlight = pending.get(scope);
    if (!inFlight) {
      inFlight = request(scope).finally(() => pending.delete(scope));
      pending.set(scope, inFlight);
    }
    return inFlight;
  };
}

export type AppTokens = ReturnType<typeof appTokens>;
