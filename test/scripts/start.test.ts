import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { canConnect, freePort } from '../../infra/processes';
import { encryptedDataConverter } from '../../producer';
import { SEARCH_ATTRIBUTES } from '../../shared/constants';
import { collections } from '../../store/collections';
import { sourceStore } from '../../store/sources';
import { testServers, uniqueName } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';
import type { bareWorkflow } from '../../workflows/bare';
import { heapLimitFlag } from '../../worker/heap';

const EXAMPLE_ALERT = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../examples/alert.json'), 'utf8'),
) as object;

/**
 * `npm start` end to end: embedded servers, worker, Web UI, persistence across a restart, and a clean
 * stop when a service manager or CI runner signals the pid npm shows (not the process group).
 */

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Everything `npm start` may take to stop: its budget (15 s) plus slack for a busy machine. */
const STOP_BOUND_MS = 20_000;

async function startVouch(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 120_000;
  while (!/Press Ctrl-C .*to stop/.test(out)) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => out };
}

function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const direct = out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  return direct.flatMap((p) => [p, ...descendants(p)]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends `signal` to the npm process alone, as systemd (KillMode=mixed) or a CI runner does, and returns
 * what is still running STOP_BOUND_MS later: its processes, and which of Vouch's ports still answer.
 */
async function stopBySignal(
  started: Started,
  signal: NodeJS.Signals,
  ports: number[],
): Promise<{ left: string[]; portsInUse: number[]; ms: number; code: number | null }> {
  const pids = descendants(started.child.pid!);
  const exited = new Promise<number | null>((r) => started.child.once('exit', (code) => r(code)));
  const t0 = Date.now();
  started.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<null>((r) => (timer = setTimeout(() => r(null), STOP_BOUND_MS))),
  ]);
  clearTimeout(timer);
  while (Date.now() - t0 < STOP_BOUND_MS && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  const ms = Date.now() - t0;
  const left = pids.filter(alive).map((pid) => `${pid}: ${cmdline(pid)}`);
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL'); // leave nothing for the next test
  const answering = await Promise.all(ports.map((p) => canConnect('127.0.0.1', p)));
  return { left, portsInUse: ports.filter((_, i) => answering[i]), ms, code };
}

/** The processes npm start runs: start.ts directly under npm (no shell), the rest in their own groups. */
function processTree(npmPid: number): { command: string; ppid: number; pgid: number }[] {
  return descendants(npmPid).map((pid) => {
    // /proc/<pid>/stat: "pid (comm) state ppid pgrp …"
    const [, ppid, pgid] = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { command: cmdline(pid), ppid: Number(ppid), pgid: Number(pgid) };
  });
}

function cmdline(pid: number): string {
  try {
    return (
      fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') +
      fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2]
    );
  } catch {
    return '(gone)';
  }
}

describe('npm start', () => {
  const dataDir = path.join(testServers.dir, uniqueName('start-data'));
  let env: NodeJS.ProcessEnv;
  let temporalPort: number;
  let uiPort: number;
  let mongoPort: number;
  let codecPort: number;
  let intakePort: number;
  let postgresPort: number;

  beforeAll(async () => {
    [temporalPort, uiPort, mongoPort, codecPort, intakePort, postgresPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    env = { ...process.env };
    for (const k of Object.keys(env)) if (/^(TEMPORAL_|MONGODB_|SLACK_|VOUCH_)/.test(k)) delete env[k];
    Object.assign(env, {
      VOUCH_DATA_DIR: dataDir,
      VOUCH_EMBEDDED_TEMPORAL_PORT: String(temporalPort),
      VOUCH_UI_PORT: String(uiPort),
      VOUCH_EMBEDDED_MONGO_PORT: String(mongoPort),
      VOUCH_EMBEDDED_POSTGRES_PORT: String(postgresPort),
      VOUCH_CODEC_PORT: String(codecPort),
      VOUCH_INTAKE_PORT: String(intakePort),
      VOUCH_TASK_QUEUE: uniqueName('start'),
      LOG_LEVEL: 'warn',
    });
  });

  const expectStopped = async (
    started: Started,
    signal: NodeJS.Signals,
    order: string[],
    ports: number[] = [],
  ) => {
    const stop = await stopBySignal(started, signal, [
      temporalPort,
      uiPort,
      mongoPort,
      postgresPort,
      ...ports,
    ]);
    expect(stop).toEqual({ left: [], portsInUse: [], ms: expect.any(Number), code: 0 });
    expect(stop.ms).toBeLessThan(STOP_BOUND_MS);
    // The last started first: the bot and the worker before the servers they use.
    const stopped = [...started.output().matchAll(/\[vouch\] +(.+) stopped \(/g)].map((m) => m[1]);
    expect(stopped).toEqual(order);
    expect(started.output()).toMatch(/\[vouch\] stopped\n/);
  };

  it('starts the stack, keeps its data across a restart, and stops completely on SIGTERM or SIGINT to npm', async () => {
    const first = await startVouch(env);
    const workflowId = uniqueName('persisted');
    try {
      // npm runs start.ts itself (no shell in between to swallow a signal); each child has its own group.
      const tree = processTree(first.child.pid!);
      const start = tree.find((p) => p.command.includes('scripts/start.ts'));
      expect(start?.command).toMatch(/^\S*node --import tsx scripts\/start\.ts/);
      expect(start?.ppid).toBe(first.child.pid);
      const others = tree.filter((p) => p !== start && !p.command.includes('esbuild'));
      expect(others.map((p) => p.command)).toEqual(
        expect.arrayContaining([
          expect.stringContaining('ferretdb'),
          expect.stringContaining('bin/postgres'),
          expect.stringContaining('temporal'),
          expect.stringContaining('worker/main.ts'),
          expect.stringContaining('codec-server/main.ts'),
          expect.stringContaining('intake/main.ts'),
        ]),
      );
      for (const p of others) expect(p.pgid).not.toBe(start!.pgid);
      // The worker runs with the heap limit chosen by measurement.
      expect(others.find((p) => p.command.includes('worker/main.ts'))?.command).toContain(heapLimitFlag());

      expect(first.output()).toMatch(/MongoDB: embedded FerretDB at \S+ on postgresql \(the default\)/);
      expect(first.output()).toMatch(new RegExp(`Temporal Web UI: http://localhost:${uiPort}/`));
      expect(first.output()).toMatch(/Slack is not connected[\s\S]*SLACK_BOT_TOKEN/);
      expect(fs.existsSync(path.join(dataDir, 'encryption.key'))).toBe(true);

      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(ui.status).toBe(200);
      const attrs = (await (
        await fetch(`http://127.0.0.1:${uiPort}/api/v1/namespaces/default/search-attributes`)
      ).json()) as {
        customAttributes: Record<string, string>;
      };
      for (const name of SEARCH_ATTRIBUTES)
        expect(attrs.customAttributes[name]).toBe('INDEXED_VALUE_TYPE_KEYWORD');

      // The Web UI decodes through the codec server npm start runs, which wants the token it made.
      const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
        Codec: { Endpoint: string };
      };
      expect(settings.Codec.Endpoint).toBe(`http://localhost:${codecPort}`);
      const token = fs.readFileSync(path.join(dataDir, 'codec.token'), 'utf8').trim();
      const decode = (auth: string) =>
        fetch(`http://127.0.0.1:${codecPort}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body: JSON.stringify({ payloads: [] }),
        });
      // Started beside the worker, the codec server may still be loading.
      for (
        let i = 0;
        i < 150 && !(await fetch(`http://127.0.0.1:${codecPort}/healthz`).catch(() => null));
        i++
      )
        await new Promise((r) => setTimeout(r, 200));
      expect((await decode(`Bearer ${token}`)).status).toBe(200);
      expect((await decode('Bearer wrong')).status).toBe(401);

      // The worker it started is polling the task queue: a workflow completes (its result is encrypted,
      // so the client reads it with the key npm start made).
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      const key = Buffer.from(fs.readFileSync(path.join(dataDir, 'encryption.key'), 'utf8').trim(), 'base64');
      const client = new Client({ connection, dataConverter: encryptedDataConverter(key) });
      const result = await client.workflow.execute<typeof bareWorkflow>('bareWorkflow', {
        taskQueue: env.VOUCH_TASK_QUEUE!,
        workflowId,
        args: ['through npm start'],
      });
      expect(result).toBe('through npm start');
      const raw = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
      const completed = raw.events?.find((e) => e.workflowExecutionCompletedEventAttributes);
      const encoding =
        completed?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]?.metadata?.encoding;
      expect(Buffer.from(encoding ?? []).toString()).toBe('binary/encrypted');
      await connection.close();

      const mongo = new MongoClient(`mongodb://127.0.0.1:${mongoPort}`);
      await mongo.db('vouch').collection('probe').insertOne({ marker: workflowId });
      // The intake it started takes an alert from a source with nothing but its URL and token.
      const added = await sourceStore(collections(mongo.db('vouch'))).add('siem', 'test');
      await mongo.close();
      const alertId = uniqueName('via-intake');
      const sent = await fetch(`http://127.0.0.1:${intakePort}/v1/alerts`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${(added as { token: string }).token}`,
        },
        body: JSON.stringify({ ...EXAMPLE_ALERT, id: alertId }),
      });
      expect(sent.status).toBe(202);
      const viaIntake = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      expect(
        (
          await new Client({ connection: viaIntake, dataConverter: encryptedDataConverter(key) }).workflow
            .getHandle(`alert-${alertId}`)
            .describe()
        ).type,
      ).toBe('alertInterview');
      await viaIntake.close();
    } finally {
      await expectStopped(
        first,
        'SIGTERM',
        ['intake', 'codec server', 'worker', 'Temporal dev server', 'FerretDB', 'PostgreSQL'],
        [codecPort, intakePort],
      );
    }

    // The second time with Slack connected (a local stand-in of its Web API), so the bot runs too.
    const slack = await new SlackStandIn().start();
    const botPort = await freePort();
    const second = await startVouch({
      ...env,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      SLACK_API_URL: slack.url,
      BOT_PORT: String(botPort),
    });
    try {
      expect(second.output()).toMatch(new RegExp(`Slack bot: POST http://localhost:${botPort}/slack/events`));
      expect(second.output()).toMatch(/using the key in/);
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      const described = await new Client({ connection }).workflow.getHandle(workflowId).describe();
      expect(described.status.name).toBe('COMPLETED');
      await connection.close();
      const mongo = new MongoClient(`mongodb://127.0.0.1:${mongoPort}`);
      expect(await mongo.db('vouch').collection('probe').countDocuments({ marker: workflowId })).toBe(1);
      await mongo.close();
    } finally {
      await expectStopped(
        second,
        'SIGINT',
        ['bot', 'intake', 'codec server', 'worker', 'Temporal dev server', 'FerretDB', 'PostgreSQL'],
        [botPort, codecPort, intakePort],
      );
      await slack.stop();
    }
  }, 300_000);

  it('refuses bad configuration with a message naming the variable', async () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/start.ts')], {
      cwd: ROOT,
      env: { ...env, BOT_PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/BOT_PORT: expected a port number/);
    expect(run.stdout).not.toMatch(/Vouch is running/);
  });
});
