import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InvalidAlertError } from '../shared/alert';
import type { Logger } from '../lib/logger';
import type { SourceSummary } from '../store/sources';
import { bearerToken } from './auth';
import { intakeError, temporalUnavailable } from './errors';
import { intakeOpenApi } from './openapi';
import { SourceRateLimiter } from './rate-limit';

/** What a source's own webhook body became under its mapping in sources.yml. */
export type MappedSourceBody =
  | { kind: 'unknown-source' }
  | { kind: 'bad-signature'; reason: string }
  | { kind: 'errors'; errors: { path: string; message: string }[] }
  | { kind: 'alert'; alert: unknown };

/** A source's webhook as received: its body parsed and raw (signatures are over the raw bytes). */
export interface SourceRequest {
  name: string;
  body: unknown;
  rawBody: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  receivedAt: Date;
}

export interface IntakeDeps {
  /** Starts the interview of an alert (throws InvalidAlertError, or Temporal's errors). */
  startAlert(alert: unknown, source: string): Promise<{ workflowId: string; alreadyExisted: boolean }>;
  /** The source a bearer token belongs to, or null. */
  authenticate(token: string): Promise<SourceSummary | null>;
  /** Checks and maps a source's webhook body; absent: no sources.yml, every source is unknown. */
  mapSource?(request: SourceRequest): Promise<MappedSourceBody>;
  /** Reachability of Temporal and MongoDB, each 'ok' or what failed. */
  health(): Promise<Record<string, string>>;
  bodyLimit: number;
  ratePerSecond: number;
  logger: Logger;
  now?: () => number;
}

const routesOf = new WeakMap<FastifyInstance, string[]>();
/** `METHOD /path` of every route the server holds (HEAD routes Fastify adds for GETs aside). */
export const servedRoutes = (app: FastifyInstance): string[] => [...(routesOf.get(app) ?? [])].sort();

/** Seconds a caller should wait when Temporal is unreachable: a restart usually takes about that. */
const UNAVAILABLE_RETRY_SECONDS = 5;

declare module 'fastify' {
  interface FastifyRequest {
    source?: SourceSummary;
    rawBody?: Buffer;
  }
}

/**
 * The HTTP intake: alerts from SIEMs and scripts in, interviews started. A request is answered 202 only
 * once its interview has started, so a caller that sees anything else still holds the alert and retries.
 */
export function buildIntakeServer(deps: IntakeDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimit, return503OnClosing: true });
  const routes: string[] = [];
  routesOf.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${r.url}`);
  });
  const limiter = new SourceRateLimiter(deps.ratePerSecond, deps.now);
  const log = deps.logger;
  // JSON only (Fastify would also take text/plain), kept raw as well for source signatures.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    req.rawBody = body;
    try {
      done(null, body.length === 0 ? undefined : JSON.parse(body.toString('utf8')));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });

  // Authenticated and rate-limited before the body is read: a stranger's large body costs nothing.
  const authenticated = async (req: FastifyRequest, reply: FastifyReply) => {
    const token = bearerToken(req);
    const source = token ? await deps.authenticate(token) : null;
    if (!source) {
      log.warn({ path: req.routeOptions.url, ip: req.ip, hadToken: Boolean(token) }, 'intake: refused token');
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="vouch-intake"')
        .send(
          intakeError(
            'unauthorized',
            token
              ? 'the bearer token is not valid (wrong, rotated or removed): use the token `vouch source add|rotate` printed'
              : 'send the source token as "Authorization: Bearer <token>" (or ?access_token=<token>)',
          ),
        );
    }
    const slot = limiter.take(source.name, source.ratePerSecond);
    if (!slot.ok)
      return reply
        .code(429)
        .header('retry-after', String(slot.retryAfter))
        .send(
          intakeError(
            'rate_limited',
            `source ${source.name} is over its rate limit; retry after ${slot.retryAfter} s`,
          ),
        );
    req.source = source;
  };

  const start = async (reply: FastifyReply, alert: unknown, source: string) => {
    try {
      const { workflowId, alreadyExisted } = await deps.startAlert(alert, source);
      log.info({ source, workflowId, alreadyExisted }, 'intake: alert');
      // Only these two: the starter's result may carry more (a handle) that is not the caller's business.
      return reply.code(alreadyExisted ? 200 : 202).send({ workflowId, alreadyExisted });
    } catch (err) {
      if (err instanceof InvalidAlertError)
        return reply.code(400).send(intakeError('invalid_alert', err.message.split('\n')[0]!, err.problems));
      if (temporalUnavailable(err)) {
        log.warn({ source, err }, 'intake: Temporal unreachable; nothing started');
        return reply
          .code(503)
          .header('retry-after', String(UNAVAILABLE_RETRY_SECONDS))
          .send(
            intakeError('temporal_unavailable', 'Temporal cannot be reached: nothing was started; retry'),
          );
      }
      log.error({ source, err }, 'intake: could not start the interview');
      return reply.code(500).send(intakeError('internal', 'the interview could not be started; retry'));
    }
  };

  app.post('/v1/alerts', { onRequest: authenticated }, async (req, reply) =>
    start(reply, withSourceName(req.body, req.source!.name), req.source!.name),
  );

  app.post<{ Params: { name: string } }>(
    '/v1/sources/:name',
    { onRequest: authenticated },
    async (req, reply) => {
      const { name } = req.params;
      if (req.source!.name !== name)
        return reply
          .code(403)
          .send(intakeError('wrong_source', `this token belongs to source ${req.source!.name}, not ${name}`));
      const mapped: MappedSourceBody = deps.mapSource
        ? await deps.mapSource({
            name,
            body: req.body,
            rawBody: req.rawBody ?? Buffer.alloc(0),
            headers: req.headers,
            receivedAt: new Date(deps.now?.() ?? Date.now()),
          })
        : { kind: 'unknown-source' };
      if (mapped.kind === 'bad-signature') {
        log.warn({ source: name, reason: mapped.reason }, 'intake: webhook signature refused');
        return reply
          .code(401)
          .send(intakeError('bad_signature', `the webhook signature is not valid: ${mapped.reason}`));
      }
      if (mapped.kind === 'unknown-source')
        return reply
          .code(404)
          .send(
            intakeError(
              'unknown_source',
              `no mapping for source ${name} in sources.yml: add one (README "Source mappings"), or send AlertInput to /v1/alerts`,
            ),
          );
      if (mapped.kind === 'errors')
        return reply.code(400).send(
          intakeError(
            'invalid_alert',
            `the body does not map to a valid alert under source ${name}'s mapping`,
            mapped.errors.map((e) => ({ field: e.path, problem: e.message })),
          ),
        );
      return start(reply, mapped.alert, name);
    },
  );

  app.get('/healthz', async (_req, reply) => {
    const checks = await deps.health();
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ok ? 200 : 503).send({ ok, ...checks });
  });

  app.get('/v1/openapi.json', async () => intakeOpenApi());

  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send(intakeError('not_found', `no ${req.method} ${req.url.split('?')[0]}: see /v1/openapi.json`)),
  );

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413)
      return reply
        .code(413)
        .send(intakeError('too_large', `the body is over ${deps.bodyLimit} bytes (VOUCH_INTAKE_BODY_LIMIT)`));
    if (status === 415)
      return reply
        .code(415)
        .send(
          intakeError('unsupported_media_type', 'send the alert as JSON: Content-Type: application/json'),
        );
    if (status === 400)
      return reply.code(400).send(intakeError('invalid_json', `the body is not valid JSON: ${err.message}`));
    log.error({ err, path: req.url.split('?')[0] }, 'intake: request failed');
    return reply.code(500).send(intakeError('internal', 'the request failed; retry'));
  });

  return app;
}

/** An alert posted without `source` (required by the schema) names the source whose token posted it. */
function withSourceName(body: unknown, sourceName: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || 'source' in body) return body;
  return { ...body, source: sourceName };
}
