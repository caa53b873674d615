import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { createCodecServer, SESSION_COOKIE } from '../../codec-server/server';
import { EncryptionCodec } from '../../lib/payload-codec';
import { createLogger } from '../../lib/logger';

/** The codec server over real HTTP, as the Temporal Web UI and the `temporal` CLI call it. */
describe('codec server', () => {
  const UI = 'http://localhost:8233';
  const token = randomBytes(32).toString('hex');
  const codec = new EncryptionCodec({ current: randomBytes(32) });
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = createCodecServer({
      codec,
      token,
      namespace: 'default',
      allowedOrigins: [UI],
      logger: createLogger('test', 'silent'),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => app?.close());

  const sealedJustification = async () => {
    const [sealed] = await codec.encode([
      defaultPayloadConverter.toPayload({ justification: 'it was me, for INC-42' }),
    ]);
    return {
      metadata: Object.fromEntries(
        Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
      ),
      data: Buffer.from(sealed!.data!).toString('base64'),
    };
  };
  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: UI, 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });

  it("/decode returns the plaintext to the operator's bearer token, and 401 without it", async () => {
    const payloads = [await sealedJustification()];
    const ok = await post('/decode', { payloads }, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const [decoded] = (
      (await ok.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }
    ).payloads;
    expect(Buffer.from(decoded!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded!.data, 'base64').toString())).toEqual({
      justification: 'it was me, for INC-42',
    });

    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token' },
      { cookie: `${SESSION_COOKIE}=nope` },
    ];
    for (const headers of wrong) {
      const refused = await post('/decode', { payloads }, headers);
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('INC-42');
    }
  });

  it('/encode seals what /decode opens; a plain payload passes through /decode', async () => {
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"hello"').toString('base64'),
    };
    const auth = { authorization: `Bearer ${token}` };
    const encoded = (await (await post('/encode', { payloads: [plain] }, auth)).json()) as {
      payloads: unknown[];
    };
    expect(JSON.stringify(encoded)).not.toContain(plain.data);
    const decoded = (await (await post('/decode', encoded, auth)).json()) as { payloads: unknown[] };
    expect(decoded.payloads).toEqual([plain]);
    expect(
      ((await (await post('/decode', { payloads: [plain] }, auth)).json()) as { payloads: unknown[] })
        .payloads,
    ).toEqual([plain]);
  });

  it("answers the Web UI's CORS preflight for its origin only, allowing Authorization and X-Namespace", async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const ok = await preflight(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const allowed = (ok.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['authorization', 'x-namespace', 'content-type']) expect(allowed).toContain(h);

    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('/login turns the token into a cookie the Web UI sends with "include cross-origin credentials"', async () => {
    const login = (t: string) =>
      fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: t }).toString(),
        redirect: 'manual',
      });
    const wrong = await login('not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const ok = await login(token);
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    const decoded = await post('/decode', { payloads: [await sealedJustification()] }, { cookie: session });
    expect(decoded.status).toBe(200);
    expect(await decoded.text()).not.toContain('error');
  });

  it('names the bad field of a malformed body, and refuses another namespace', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const bad = await post('/decode', { payloads: [{ data: 'not base64!' }] }, auth);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /payloads\[0\]\.data: expected a base64 string/,
    );
    const noList = await post('/decode', { nope: [] }, auth);
    expect(noList.status).toBe(400);
    expect(((await noList.json()) as { error: string }).error).toMatch(/^payloads:/);
    const elsewhere = await post('/decode', { payloads: [] }, { ...auth, 'x-namespace': 'payments' });
    expect(elsewhere.status).toBe(403);
  });
});
