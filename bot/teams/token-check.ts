import { type JWK, type JWTPayload, createLocalJWKSet, errors, jwtVerify } from 'jose';

/** Bot Framework allows this much clock skew between its servers and the bot. */
const CLOCK_TOLERANCE_S = 300;
/** How long the metadata and keys are kept; Microsoft rolls its keys with overlap, announced in them. */
const KEYS_TTL_MS = 24 * 3600_000;
/** An unknown key id makes the keys be fetched again, at most this often. */
const REFETCH_MIN_MS = 60_000;

export class TokenRefused extends Error {
  override readonly name = 'TokenRefused';
}

interface Metadata {
  issuer: string;
  keys: (JWK & { endorsements?: string[] })[];
  fetchedAt: number;
}

/**
 * Checks the token on each activity Teams sends, as Bot Framework documents for bots: a bearer JWT
 * signed (RS256) by a key the OpenID metadata publishes and endorses for the activity's channel,
 * issued by the metadata's issuer, for this bot (audience = the app id), unexpired, and naming the
 * activity's `serviceUrl` in its `serviceurl` claim. Anything else is refused.
 */
export function botFrameworkTokenCheck(config: { appId: string; openIdUrl: string }) {
  let cached: Metadata | undefined;
  let loading: Promise<Metadata> | undefined;

  const fetchJson = async (url: string): Promise<Record<string, unknown>> => {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const load = async (): Promise<Metadata> => {
    const meta = await fetchJson(config.openIdUrl);
    if (typeof meta.issuer !== 'string' || typeof meta.jwks_uri !== 'string')
      throw new Error('the OpenID metadata names no issuer or jwks_uri');
    const jwks = await fetchJson(meta.jwks_uri);
    return { issuer: meta.issuer, keys: (jwks.keys ?? []) as Metadata['keys'], fetchedAt: Date.now() };
  };
  const metadata = async (refresh = false): Promise<Metadata> => {
    const stale = !cached || Date.now() - cached.fetchedAt > KEYS_TTL_MS;
    const mayRefetch = !cached || Date.now() - cached.fetchedAt > REFETCH_MIN_MS;
    if (stale || (refresh && mayRefetch)) {
      loading ??= load().finally(() => (loading = undefined));
      cached = await loading;
    }
    return cached!;
  };

  const verifyWith = async (meta: Metadata, token: string, channelId: string) => {
    // Only keys endorsed for the channel the activity claims to come from.
    const keys = meta.keys.filter((k) => !k.endorsements || k.endorsements.includes(channelId));
    return jwtVerify(token, createLocalJWKSet({ keys }), {
      issuer: meta.issuer,
      audience: config.appId,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp'],
    });
  };

  return async function check(
    authorization: string | undefined,
    activity: { channelId?: unknown; serviceUrl?: unknown },
  ): Promise<JWTPayload> {
    const token = /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new TokenRefused('no bearer token');
    if (typeof activity.channelId !== 'string' || typeof activity.serviceUrl !== 'string')
      throw new TokenRefused('the activity names no channelId or serviceUrl');
    let payload: JWTPayload;
    try {
      payload = (await verifyWith(await metadata(), token, activity.channelId)).payload;
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw refused(err);
      // A key Microsoft added since the keys were fetched.
      try {
        payload = (await verifyWith(await metadata(true), token, activity.channelId)).payload;
      } catch (again) {
        throw refused(again);
      }
    }
    if (payload.serviceurl !== activity.serviceUrl)
      throw new TokenRefused("the token's serviceurl is not the activity's serviceUrl");
    return payload;
  };
}

function refused(err: unknown): Error {
  if (err instanceof errors.JOSEError) return new TokenRefused(`${err.code}: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

export type BotFrameworkTokenCheck = ReturnType<typeof botFrameworkTokenCheck>;
