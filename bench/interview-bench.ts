import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createSlackClient } from '../activities/slack-client';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { provisionServers } from '../infra/provision';
import { freePort } from '../infra/processes';
import { startFerretDB, startTemporalDevServer } from '../infra/servers';
import { startInterview } from '../producer';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/collections';
import { installSdkLogging } from '../worker/runtime-logging';
import { SlackStandIn } from '../test/helpers/slack-stand-in';

/**
 * `npm run bench`: alert start → interview DM received by the Slack stand-in, against the embedded
 * stack (Temporal dev server with a file database, FerretDB, an in-process worker with the real
 * activities), beside a bare workflow that calls one no-op activity. Prints p50/p99 latency over N
 * alerts and the rate sustained for S seconds, and the ratio between the two.
 */
const { values: flags } = parseArgs({
  options: {
    alerts: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '50' },
    help: { type: 'boolean', default: false },
  },
});

const say = (m: string) => console.log(`[bench] ${m}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `task` N times (or for `seconds`) with `concurrency` in flight; returns latencies in ms. */
async function drive(opts: {
  count?: number;
  seconds?: number;
  concurrency: number;
  task: (i: number) => Promise<void>;
  label: string;
}) {
  const latencies: number[] = [];
  const started = Date.now();
  const stopAt = opts.seconds ? started + opts.seconds * 1000 : Infinity;
  let next = 0;
  let lastReport = started;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if ((opts.count !== undefined && i >= opts.count) || Date.now() >= stopAt) return;
      const t0 = performance.now();
      await opts.task(i);
      latencies.push(performance.now() - t0);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        say(`  ${opts.label}: ${latencies.length} done, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  return { latencies: latencies.sort((a, b) => a - b), elapsedMs: Date.now() - started };
}

runMain(async () => {
  if (flags.help) {
    console.log('Usage: npm run bench -- [--alerts 1000] [--seconds 60] [--concurrency 50]');
    return;
  }
  const alerts = Number(flags.alerts);
  const seconds = Number(flags.seconds);
  const concurrency = Number(flags.concurrency);
  const config = loadConfig();
  const logger = createLogger('bench', 'warn');
  installSdkLogging(logger, 'ERROR');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-bench-'));
  const bins = await provisionServers(config.cacheDir, say);
  say(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  const [ferret, temporal] = await Promise.all([
    startFerretDB({
      binary: bins.ferretdb,
      dataDir: path.join(dir, 'ferretdb'),
      port: await freePort(),
      logFile: path.join(dir, 'ferretdb.log'),
    }),
    startTemporalDevServer({
      binary: bins.temporal,
      dbFile: path.join(dir, 'temporal.sqlite'),
      port: await freePort(),
      logFile: path.join(dir, 'temporal.log'),
    }),
  ]);
  const slack = await new SlackStandIn().start();
  slack.record = false;
  for (let i = 0; i < 100; i++) slack.addUser({ id: `UBENCH${i}`, email: `bench${i}@example.com` });
  const dmWaiters = new Map<string, () => void>();
  slack.onCall = (call) => {
    if (call.method !== 'chat.postMessage' || !String(call.args.channel).startsWith('D')) return;
    const match = /"value":"(alert-[^"]+)"/.exec(JSON.stringify(call.args.blocks));
    if (match) dmWaiters.get(match[1]!)?.();
  };

  const mongo = await connectMongo(ferret.address, 'vouch_bench');
  await ensureIndexes(mongo.db);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: temporal.address });
  const taskQueue = 'bench';
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    }),
    activities: createActivities({
      db: mongo.db,
      logger,
      slack: createSlackClient('xoxb-bench', slack.url),
      securityChannel: 'CBENCH',
    }),
  });
  const running = worker.run();

  let seq = 0;
  const runId = Date.now().toString(36);
  const interview = async () => {
    const n = seq++;
    const id = `bench-${runId}-${n}`;
    const delivered = new Promise<void>((resolve) => dmWaiters.set(`alert-${id}`, resolve));
    await startInterview(
      client,
      {
        id,
        type: 'bench.alert',
        title: 'Benchmark alert',
        severity: 'low',
        occurredAt: new Date().toISOString(),
        source: 'bench',
        employee: { email: `bench${n % 100}@example.com` },
        details: { n },
      },
      { taskQueue },
    );
    await delivered;
    dmWaiters.delete(`alert-${id}`);
  };
  const bare = async () => {
    await client.workflow.execute('bareWorkflow', {
      taskQueue,
      workflowId: `bare-${runId}-${seq++}`,
      args: ['x'],
    });
  };

  try {
    say('warming up…');
    await drive({ count: 100, concurrency, task: interview, label: 'warm-up' });
    await drive({ count: 100, concurrency, task: bare, label: 'warm-up' });

    const results: Record<string, { p50: number; p99: number; rate: number }> = {};
    for (const [name, task] of [
      ['alert → DM', interview],
      ['bare workflow', bare],
    ] as const) {
      say(`${name}: latency over ${alerts} runs, ${concurrency} in flight…`);
      const lat = await drive({ count: alerts, concurrency, task, label: name });
      say(`${name}: sustained rate for ${seconds} s…`);
      const sustained = await drive({ seconds, concurrency, task, label: name });
      results[name] = {
        p50: percentile(lat.latencies, 50),
        p99: percentile(lat.latencies, 99),
        rate: sustained.latencies.length / (sustained.elapsedMs / 1000),
      };
    }
    const a = results['alert → DM']!;
    const b = results['bare workflow']!;
    console.log('\nresult                       p50 ms    p99 ms    per second');
    for (const [name, r] of Object.entries(results))
      console.log(
        `${name.padEnd(26)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(9)} ${r.rate.toFixed(1).padStart(12)}`,
      );
    console.log(
      `\nratio alert/bare: p50 ${(a.p50 / b.p50).toFixed(2)}x, p99 ${(a.p99 / b.p99).toFixed(2)}x, rate ${(b.rate / a.rate).toFixed(2)}x slower`,
    );
    console.log(
      `goals: p99 < 300 ms (${a.p99 < 300 ? 'met' : 'missed'}), >= 100 alerts/s (${a.rate >= 100 ? 'met' : 'missed'}), within 1.5x of bare (p99 ${a.p99 / b.p99 <= 1.5 ? 'met' : 'missed'})`,
    );
  } finally {
    worker.shutdown();
    await running.catch(() => {});
    await native.close();
    await connection.close();
    await mongo.close();
    await slack.stop();
    await Promise.all([ferret.process.stop(), temporal.process.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
