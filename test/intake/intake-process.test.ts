import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../infra/processes';
import { startTemporalDevServer, type RunningServer } from '../../infra/servers';
import { collections } from '../../store/collections';
import { sourceStore } from '../../store/sources';
import { startEntryPoint } from '../helpers/entry-point';
import {
  BOB,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  type Harness,
} from '../helpers/interview-harness';
import { isolatedMongo, testServers, uniqueName } from '../helpers/servers';

/** The intake as its own process (intake/main.ts), against real Temporal and FerretDB. */
type Intake = { url: string; stop: () => Promise<void>; output: () => string };

async function startIntake(env: Record<string, string>): Promise<Intake> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-intake-'));
  const proc = startEntryPoint('intake/main.ts', {
    VOUCH_INTAKE_PORT: String(port),
    VOUCH_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...env,
  });
  const deadline = Date.now() + 30_000;
  while (!proc.output().includes('intake listening')) {
    if (Date.now() > deadline || proc.child.exitCode !== null)
      throw new Error(`intake did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    output: proc.output,
    stop: async () => {
      proc.child.kill('SIGTERM');
      await proc.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('HTTP intake (its own process)', () => {
  let h: Harness;
  let intake: Intake;
  let token: string;
  const sourcesFile = path.join(os.tmpdir(), `${uniqueName('sources')}.yml`);

  beforeAll(async () => {
    h = await createDevServerHarness();
    fs.writeFileSync(
      sourcesFile,
      [
        'siem:',
        '  map:',
        '    type: "\'siem.\' & rule"',
        '    title: rule',
        "    severity: \"$lowercase(level) = 'error' ? 'high' : level\"",
        '    occurredAt: "$fromMillis(ts * 1000)"',
        '    employee:',
        '      email: user',
        '    details:',
        '      ip: ip',
      ].join('\n'),
    );
    token = ((await sourceStore(collections(h.mongo.db)).add('siem', 'test')) as { token: string }).token;
    intake = await startIntake({
      MONGODB_URL: testServers.mongoUrl,
      MONGODB_DB: h.mongo.db.databaseName,
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      VOUCH_TASK_QUEUE: h.taskQueue,
      VOUCH_SOURCES_FILE: sourcesFile,
      VOUCH_INTAKE_BODY_LIMIT: '4096',
    });
  }, 60_000);
  afterAll(async () => {
    await intake?.stop();
    await h?.teardown();
    fs.rmSync(sourcesFile, { force: true });
  });

  it('202 starts the interview (the employee gets the DM); the same alert again is 200, not a second interview', async () => {
    const alert = alertFor(BOB);
    const first = await post(`${intake.url}/v1/alerts`, alert, bearer(token));
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ workflowId: `alert-${alert.id}`, alreadyExisted: false });
    const handle = h.client.workflow.getHandle(`alert-${alert.id}`);
    await dmSent(h, handle);
    const again = await post(`${intake.url}/v1/alerts`, alert, bearer(token));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ workflowId: `alert-${alert.id}`, alreadyExisted: true });
    await answer(handle, BOB.id, 'denied');
    expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'DBOB0002')).toHaveLength(1);
  });

  it('an alert without `source` is named after the posting source; the memo records that source', async () => {
    const { source: _own, ...alert } = alertFor(BOB);
    const res = await post(`${intake.url}/v1/alerts`, alert, bearer(token));
    expect(res.status).toBe(202);
    const handle = h.client.workflow.getHandle(`alert-${alert.id}`);
    expect((await handle.describe()).memo).toMatchObject({ source: 'siem', intakeSource: 'siem' });
    // An alert's own source is kept; the memo still names who posted it.
    const named = alertFor(BOB, { source: 'cloudtrail' });
    expect((await post(`${intake.url}/v1/alerts`, named, bearer(token))).status).toBe(202);
    const other = h.client.workflow.getHandle(`alert-${named.id}`);
    expect((await other.describe()).memo).toMatchObject({ source: 'cloudtrail', intakeSource: 'siem' });
    await Promise.all([handle.terminate(), other.terminate()]);
  });

  it('a source webhook body is mapped and started; a bad one is 400 naming each field', async () => {
    const body = { rule: 'admin_added', level: 'ERROR', ts: 1796280000, user: BOB.email, ip: '198.51.100.4' };
    const res = await post(`${intake.url}/v1/sources/siem`, body, bearer(token));
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    expect(workflowId).toMatch(/^alert-siem-[0-9a-f]{24}$/); // no id in the body: derived
    const handle = h.client.workflow.getHandle(workflowId);
    await dmSent(h, handle);
    const stored = await collections(h.mongo.db).alerts.findOne({ workflowId });
    expect(stored?.input).toMatchObject({
      type: 'siem.admin_added',
      severity: 'high',
      occurredAt: '2026-12-03T06:40:00.000Z',
      employee: { email: BOB.email },
      details: [{ key: 'ip', value: '198.51.100.4' }], // stored as key/value pairs
      source: 'siem',
    });
    // The same event again derives the same id: the SIEM's retry starts nothing new.
    const retry = await post(`${intake.url}/v1/sources/siem`, body, bearer(token));
    expect(retry.status).toBe(200);
    await answer(handle, BOB.id, 'denied');
    await handle.result();

    const bad = await post(`${intake.url}/v1/sources/siem`, { rule: 'x', level: 'whatever' }, bearer(token));
    expect(bad.status).toBe(400);
    const problems = ((await bad.json()) as { problems: { field: string }[] }).problems.map((p) => p.field);
    expect(problems).toEqual(expect.arrayContaining(['severity', 'employee']));
    expect((await post(`${intake.url}/v1/sources/other`, body, bearer(token))).status).toBe(403);
  });

  it('400 names every bad field; 413 over the limit; 415 for non-JSON; 404 for other paths', async () => {
    const res = await post(
      `${intake.url}/v1/alerts`,
      { ...alertFor(BOB), id: 'bad id!', severity: 'urgent', employee: {} },
      bearer(token),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; problems: { field: string; problem: string }[] };
    expect(body.error).toBe('invalid_alert');
    expect(body.problems.map((p) => p.field).sort()).toEqual(['employee', 'id', 'severity']);
    const huge = { ...alertFor(BOB), description: 'x'.repeat(5000) };
    expect((await post(`${intake.url}/v1/alerts`, huge, bearer(token))).status).toBe(413);
    const text = await fetch(`${intake.url}/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer(token) },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    expect((await post(`${intake.url}/v1/alerts`, '{not json', bearer(token))).status).toBe(400);
    expect((await fetch(`${intake.url}/v2/alerts`)).status).toBe(404);
  });

  it('401 without a token or with a wrong one, with WWW-Authenticate, and nothing is started', async () => {
    const alert = alertFor(BOB);
    const none = await post(`${intake.url}/v1/alerts`, alert);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await post(`${intake.url}/v1/alerts`, alert, bearer(`vsk_${'A'.repeat(43)}`));
    expect(wrong.status).toBe(401);
    await expect(h.client.workflow.getHandle(`alert-${alert.id}`).describe()).rejects.toThrow(/not found/i);
    // The token in the query, for senders that cannot set a header.
    const query = await post(`${intake.url}/v1/alerts?access_token=${token}`, alert);
    expect(query.status).toBe(202);
    expect(intake.output()).not.toContain(token);
    await h.client.workflow.getHandle(`alert-${alert.id}`).cancel();
  });

  it('a rotated token stops working and a removed source is refused, within the 5 s cache', async () => {
    const store = sourceStore(collections(h.mongo.db));
    const added = (await store.add('short-lived', 'test')) as { token: string };
    const alert = () => ({ ...alertFor(BOB), id: uniqueName('rot') });
    const started: string[] = [];
    const send = async (t: string) => {
      const a = alert();
      const res = await post(`${intake.url}/v1/alerts`, a, bearer(t));
      if (res.status === 202) started.push(`alert-${a.id}`);
      return res.status;
    };
    expect(await send(added.token)).toBe(202);
    const rotated = (await store.rotate('short-lived'))!;
    const refusedWithin = async (t: string) => {
      const since = Date.now();
      while ((await send(t)) !== 401) {
        if (Date.now() - since > 6_000) throw new Error('old token still accepted after 6 s');
        await new Promise((r) => setTimeout(r, 250));
      }
      return Date.now() - since;
    };
    expect(await refusedWithin(added.token)).toBeLessThanOrEqual(6_000);
    expect(await send(rotated)).toBe(202);
    await store.remove('short-lived');
    expect(await refusedWithin(rotated)).toBeLessThanOrEqual(6_000);
    await Promise.all(started.map((id) => h.client.workflow.getHandle(id).cancel()));
  }, 30_000);

  it('429 with Retry-After over the source rate limit', async () => {
    const store = sourceStore(collections(h.mongo.db));
    const slow = (await store.add('slow', 'test', { ratePerSecond: 1 })) as { token: string };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      // Invalid alerts: each costs a slot but starts nothing.
      const res = await post(`${intake.url}/v1/alerts`, { id: 'x' }, bearer(slow.token));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 4)).toEqual([400, 400, 400, 400]); // a burst of four seconds' worth
    expect(statuses.slice(4)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('/healthz reports Temporal and MongoDB; /v1/openapi.json is served', async () => {
    const health = await fetch(`${intake.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, temporal: 'ok', mongo: 'ok' });
    const doc = (await (await fetch(`${intake.url}/v1/openapi.json`)).json()) as { openapi: string };
    expect(doc.openapi).toBe('3.1.0');
  });
});

describe('HTTP intake when Temporal is down', () => {
  let temporal: RunningServer;
  let intake: Intake;
  let dir: string;
  let port: number;
  const mongo = isolatedMongo();

  const startTemporal = () =>
    startTemporalDevServer({
      binary: testServers.temporalCli,
      dbFile: path.join(dir, 'temporal.sqlite'),
      port,
      logFile: path.join(dir, 'temporal.log'),
    });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-intake-temporal-'));
    port = await freePort();
    temporal = await startTemporal();
    const db = (await mongo).db;
    const added = (await sourceStore(collections(db)).add('siem', 'test')) as { token: string };
    process.env.INTAKE_TEST_TOKEN = added.token;
    intake = await startIntake({
      MONGODB_URL: testServers.mongoUrl,
      MONGODB_DB: db.databaseName,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      VOUCH_TASK_QUEUE: 'nobody-polls',
    });
  }, 60_000);
  afterAll(async () => {
    await intake?.stop();
    await temporal?.process.stop();
    await (await mongo).drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('503 with Retry-After while Temporal is stopped; after it is back the retry starts the alert once', async () => {
    const token = process.env.INTAKE_TEST_TOKEN!;
    const alert = alertFor(BOB);
    await temporal.process.stop();
    const down = await post(`${intake.url}/v1/alerts`, alert, bearer(token));
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${intake.url}/healthz`)).status).toBe(503);

    temporal = await startTemporal();
    // The SIEM retries until it is accepted: exactly one interview, none lost.
    let status = 0;
    const since = Date.now();
    while (status !== 202 && Date.now() - since < 30_000) {
      status = (await post(`${intake.url}/v1/alerts`, alert, bearer(token))).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(202);
    expect((await post(`${intake.url}/v1/alerts`, alert, bearer(token))).status).toBe(200);
  }, 90_000);
});
