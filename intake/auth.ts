import type { FastifyRequest } from 'fastify';
import type { SourceStore, SourceSummary } from '../store/sources';

/**
 * The bearer token of a request: `Authorization: Bearer <token>`, or `?access_token=<token>` for
 * senders that cannot set a header (RFC 6750 §2.3; Splunk's webhook alert action is one).
 */
export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const query = req.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : undefined;
}

/** How long a token's answer is reused: a rotated or removed token stops working within this. */
export const TOKEN_CACHE_MS = 5_000;
const CACHE_ENTRIES = 10_000;

/** Looks up a token's source, remembering answers briefly so a busy SIEM does not cost a query each. */
export function sourceAuthenticator(
  store: Pick<SourceStore, 'byToken'>,
  now: () => number = Date.now,
): (token: string) => Promise<SourceSummary | null> {
  const cache = new Map<string, { source: SourceSummary | null; until: number }>();
  return async (token) => {
    const hit = cache.get(token);
    if (hit && hit.until > now()) return hit.source;
    const source = await store.byToken(token);
    if (cache.size >= CACHE_ENTRIES) cache.clear(); // random wrong tokens must not grow it without end
    cache.set(token, { source, until: now() + TOKEN_CACHE_MS });
    return source;
  };
}
