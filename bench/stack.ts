import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createSlackClient } from '../activities/slack-client';
import type { Config } from '../lib/config';
import { createLogger } from '../lib/logger';
import { provisionServers } from '../infra/provision';
import { freePort } from '../infra/processes';
import { startTemporalDevServer } from '../infra/servers';
import { DEFAULT_MONGO_BACKEND, startEmbeddedMongo } from '../infra/embedded-mongo';
import { connectMongo } from '../store/mongo';
import { collections, ensureIndexes } from '../store/collections';
import { employeeCache } from '../store/employee-cache';
import { installSdkLogging } from '../worker/runtime-logging';
import { createSlackQueueWorker } from '../worker/slack-queue-worker';
import { createRollupQueueWorker } from '../worker/rollup-queue-worker';
import { attemptClock } from '../activities/attempt-clock';
import { SlackRateLimiter } from '../activities/slack-rate-limiter';
import { SlackStandIn } from '../test/helpers/slack-stand-in';
import type { ProfileProbe } from './profile-probe';

/**
 * The embedded stack the benchmarks measure: Temporal dev server with a file database, FerretDB (on
 * VOUCH_EMBEDDED_MONGO_BACKEND's backend, else the default), an
 * in-process worker with the real activities, and the Slack stand-in with 100 employees.
 */
export const say = (m: string) => console.log(`[bench] ${m}`);
export const TASK_QUEUE = 'bench';
/** The Slack task queue's rate in the bench: the default of VOUCH_SLACK_ACTIVITIES_PER_SECOND. */
const SLACK_ACTIVITIES_PER_SECOND = 10;

/**
 * `probe` hears the stack's MongoDB commands and Slack budget waits (the profile run); `worker: false`
 * starts no in-process worker (the waiting run starts the worker as its own process).
 */
export async function startBenchStack(
  config: Config,
  opts: { encryptionKey?: Buffer; probe?: ProfileProbe; worker?: boolean } = {},
) {
  const { encryptionKey, probe } = opts;
  const logger = createLogger('bench', 'warn');
  installSdkLogging(logger, 'ERROR');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-bench-'));
  const bins = await provisionServers(config.cacheDir, say);
  say(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  const backend = config.embedded.mongoBackend ?? DEFAULT_MONGO_BACKEND;
  say(`FerretDB on ${backend} (VOUCH_EMBEDDED_MONGO_BACKEND)`);
  const [ferret, temporal] = await Promise.all([
    startEmbeddedMongo({
      backend,
      ferretdb: bins.ferretdb,
      dataDir: dir,
      mongoPort: await freePort(),
      postgresPort: await freePort(),
      logDir: dir,
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
  const mongo = await connectMongo(ferret.address, 'vouch_bench', { onCommand: probe?.onCommand });
  await ensureIndexes(mongo.db);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: temporal.address });
  const activities = createActivities({
    db: mongo.db,
    logger,
    slack: createSlackClient('xoxb-bench', slack.url, new SlackRateLimiter({ onWait: probe?.onSlackWait })),
    securityChannel: 'CBENCH',
    encryptionKey,
  });
  const workers = opts.worker === false ? undefined : await startWorkers(native, activities);
  return {
    client,
    slack,
    encryptionKey,
    db: mongo.db,
    logger,
    addresses: { temporal: temporal.address, mongo: ferret.address },
    /** Where a bot or worker in a process of its own finds the stack (bench/vouch-process.ts). */
    processEnv: {
      TEMPORAL_ADDRESS: temporal.address,
      MONGODB_URL: ferret.address,
      MONGODB_DB: 'vouch_bench',
      VOUCH_TASK_QUEUE: TASK_QUEUE,
      SLACK_API_URL: slack.url,
    },
    async stop() {
      await workers?.stop();
      await native.close();
      await connection.close();
      await mongo.close();
      await slack.stop();
      await Promise.all([ferret.stop(), temporal.process.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The interview, Slack and rollup workers in this process, as `npm start`'s worker runs them. */
async function startWorkers(native: NativeConnection, activities: object) {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quiet,
  });
  const worker = await Worker.create({
    connection: native,
    taskQueue: TASK_QUEUE,
    workflowBundle,
    activities,
    interceptors: { activity: [attemptClock] },
  });
  const slackWorker = await createSlackQueueWorker({
    connection: native,
    taskQueue: TASK_QUEUE,
    activities,
    activitiesPerSecond: SLACK_ACTIVITIES_PER_SECOND,
  });
  const rollupWorker = await createRollupQueueWorker({
    connection: native,
    taskQueue: TASK_QUEUE,
    workflowBundle,
  });
  const running = Promise.all([worker.run(), slackWorker.run(), rollupWorker.run()]);
  return {
    async stop() {
      worker.shutdown();
      slackWorker.shutdown();
      rollupWorker.shutdown();
      await running.catch(() => {});
    },
  };
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `task` N times (or for `seconds`) with `concurrency` in flight; returns sorted latencies in ms. */
export async function drive(opts: {
  count?: number;
  seconds?: number;
  concurrency: number;
  task: () => Promise<void>;
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
      await opts.task();
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

/** Starts one interview and resolves when its DM reaches the stand-in. */
/** Employees the interview runs spread their alerts over. */
const EMPLOYEES = 2_000;

/**
 * Employees as a worker that has run a while knows them: Slack profile and DM channel kept in
 * `employees`, so the run measures the interview, not Slack's per-minute limits on looking up a new
 * person (users.lookupByEmail) and opening a DM with them (conversations.open, 50 a minute).
 */
export async function seedEmployees(stack: BenchStack, count: number): Promise<void> {
  const cache = employeeCache(collections(stack.db));
  const now = new Date();
  for (let i = 0; i < count; i += 100)
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, async (_, k) => {
        const n = i + k;
        const slackUserId = `UBENCH${n}`;
        stack.slack.addUser({ id: slackUserId, email: `bench${n}@example.com` });
        await cache.save({ slackUserId, email: `bench${n}@example.com`, name: `Bench ${n}` }, now);
        await cache.saveDmChannel(slackUserId, `DBENCH${n}`, now);
      }),
    );
}

export function interviewStarter(
  stack: BenchStack,
  startInterview: typeof import('../producer').startInterview,
  taskQueue = TASK_QUEUE,
) {
  const waiters = new Map<string, () => void>();
  stack.slack.onCall = (call) => {
    if (call.method !== 'chat.postMessage' || !String(call.args.channel).startsWith('D')) return;
    const match = /"value":"(alert-[^"]+)"/.exec(JSON.stringify(call.args.blocks));
    if (match) waiters.get(match[1]!)?.();
  };
  const runId = Date.now().toString(36);
  let seq = 0;
  let seeded: Promise<void> | undefined;
  return async (): Promise<{ workflowId: string; slackUserId: string }> => {
    const n = seq++;
    const id = `bench-${runId}-${n}`;
    await (seeded ??= seedEmployees(stack, EMPLOYEES));
    // Storms are grouped (at most 3 open interviews per employee) and these interviews are never
    // answered: alerts spread over many employees, or later ones would queue without a DM.
    const email = `bench${n % EMPLOYEES}@example.com`;
    const delivered = new Promise<void>((resolve) => waiters.set(`alert-${id}`, resolve));
    await startInterview(
      stack.client,
      {
        id,
        type: 'bench.alert',
        title: 'Benchmark alert',
        severity: 'low',
        occurredAt: new Date().toISOString(),
        source: 'bench',
        employee: { email },
        details: { n },
      },
      { taskQueue },
    );
    await delivered;
    waiters.delete(`alert-${id}`);
    return { workflowId: `alert-${id}`, slackUserId: `UBENCH${n % EMPLOYEES}` };
  };
}
