import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../lib/logger';

/**
 * Temporal's remote codec protocol, for the Web UI and the `temporal` CLI: `POST /decode` and
 * `POST /encode` take and return `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`. Only an
 * operator holding the codec token gets plaintext: as `Authorization: Bearer <token>` (scripts, the
 * CLI's --codec-auth), or as the cookie `/login` sets (the Web UI, which sends cookies cross-origin
 * when "include cross-origin credentials" is on). CORS answers only the Web UI's own origin.
 */
export const SESSION_COOKIE = 'vouch_codec';
const SESSION_SECONDS = 12 * 3600;
// A decode batch is a page of history events; Temporal caps one payload at 2 MB and a query at 4 MB.
const BODY_LIMIT = 16 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** The namespace whose payloads this server decodes (the X-Namespace header, when sent, must match). */
  namespace: string;
  /** Browser origins allowed to call it: the Web UI's, e.g. "http://localhost:8233". */
  allowedOrigins: string[];
  logger: Logger;
}

interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

export function createCodecServer(opts: CodecServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  const tokenDigest = digest(opts.token);
  const isOperator = (req: FastifyRequest): boolean => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const presented = bearer ?? cookie(req.headers.cookie, SESSION_COOKIE);
    return presented !== undefined && timingSafeEqual(digest(presented), tokenDigest);
  };

  app.addHook('onRequest', async (req, reply) => {
    // Decoded payloads are secrets: never cached, never framed.
    reply
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; form-action 'self'; frame-ancestors 'none'");
    const origin = req.headers.origin;
    if (origin && opts.allowedOrigins.includes(origin))
      reply
        .header('Access-Control-Allow-Origin', origin)
        .header('Access-Control-Allow-Credentials', 'true')
        .header('Vary', 'Origin');
  });

  // The browser's preflight carries no credentials: it only learns what the real request may send.
  app.options('/*', async (req, reply) => {
    if (!req.headers.origin || !opts.allowedOrigins.includes(req.headers.origin))
      return reply.code(403).send({ error: 'origin not allowed: set TEMPORAL_UI_URL to the Web UI address' });
    return reply
      .code(204)
      .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
      .header('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace')
      .header('Access-Control-Max-Age', '600')
      .send();
  });

  const codecRoute = (name: 'encode' | 'decode') => async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isOperator(req))
      return reply.code(401).header('WWW-Authenticate', 'Bearer realm="vouch-codec"').send({
        error: 'operator credential required: sign in at /login, or send Authorization: Bearer <token>',
      });
    const namespace = req.headers['x-namespace'];
    if (typeof namespace === 'string' && namespace !== '' && namespace !== opts.namespace)
      return reply.code(403).send({ error: `this codec server serves namespace "${opts.namespace}" only` });
    let payloads: Payload[];
    try {
      payloads = parsePayloads(req.body);
    } catch (err) {
      if (err instanceof BadRequest) return reply.code(400).send({ error: err.message });
      throw err;
    }
    try {
      const result =
        name === 'decode' ? await opts.codec.decode(payloads) : await opts.codec.encode(payloads);
      opts.logger.info({ route: name, namespace, payloads: payloads.length }, 'codec request');
      return reply.send({ payloads: result.map(toWire) });
    } catch (err) {
      opts.logger.warn({ route: name, namespace, err }, 'codec request failed');
      return reply.code(422).send({ error: (err as Error).message });
    }
  };
  app.post('/decode', codecRoute('decode'));
  app.post('/encode', codecRoute('encode'));

  app.get('/healthz', async () => ({ ok: true }));

  // The Web UI cannot send a bearer token of ours, but sends cookies: /login turns the token into one.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.get('/login', async (_req, reply) => reply.type('text/html; charset=utf-8').send(loginPage()));
  app.post('/login', async (req, reply) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !timingSafeEqual(digest(token.trim()), tokenDigest))
      return reply.code(401).type('text/html; charset=utf-8').send(loginPage('That is not the codec token.'));
    opts.logger.info('codec session started');
    return reply
      .header(
        'Set-Cookie',
        `${SESSION_COOKIE}=${encodeURIComponent(token.trim())}; Max-Age=${SESSION_SECONDS}; Path=/; HttpOnly; Secure; SameSite=Strict`,
      )
      .type('text/html; charset=utf-8')
      .send(
        page(
          'Signed in',
          '<p>This browser may now decode Vouch payloads for 12 hours. In the Temporal Web UI, open the codec ' +
            'server settings and turn on <b>Include cross-origin credentials</b>, then reload.</p>',
        ),
      );
  });
  return app;
}

function parsePayloads(body: unknown): Payload[] {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads))
    throw new BadRequest(
      'payloads: expected a JSON body {"payloads": [{"metadata": {...}, "data": "<base64>"}]}',
    );
  return payloads.map((p: unknown, i) => {
    const { metadata = {}, data = '' } = (p ?? {}) as WirePayload;
    if (typeof metadata !== 'object' || metadata === null)
      throw new BadRequest(`payloads[${i}].metadata: expected an object of base64 strings`);
    for (const [key, value] of Object.entries(metadata))
      if (typeof value !== 'string' || !isBase64(value))
        throw new BadRequest(`payloads[${i}].metadata.${key}: expected a base64 string`);
    if (typeof data !== 'string' || !isBase64(data))
      throw new BadRequest(`payloads[${i}].data: expected a base64 string`);
    return {
      metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(data, 'base64'),
    };
  });
}

function toWire(payload: Payload): WirePayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function loginPage(error?: string): string {
  return page(
    'Vouch codec server',
    (error ? `<p role="alert"><b>${error}</b></p>` : '') +
      '<p>Paste the codec token (VOUCH_CODEC_TOKEN, or data/codec.token with <code>npm start</code>) so this ' +
      'browser can read encrypted Vouch payloads in the Temporal Web UI.</p>' +
      '<form method="post" action="/login"><input type="password" name="token" autocomplete="off" size="70" required> ' +
      '<button type="submit">Sign in</button></form>',
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}
