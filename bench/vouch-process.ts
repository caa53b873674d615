import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../infra/processes';
import { startEntryPoint } from '../test/helpers/entry-point';
import { WORKER_HEAP_MIB, heapLimitFlag } from '../worker/heap';

/**
 * Vouch's bot or worker in a process of its own, from its entry point (bot/main.ts, worker/main.ts)
 * with only environment variables for config, as `npm start` and compose run them. The benchmarks
 * reach a bot over HTTP and can SIGKILL either and start it again.
 */
export interface VouchProcess {
  readonly name: string;
  /** The bot's POST /slack/events (bots only). */
  readonly url?: string;
  pid(): number | undefined;
  /** Starts again with the same environment (and port) after a kill. */
  restart(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
  output(): string;
}

/** How the processes reach the stack: the same variables an operator sets. */
export interface ProcessEnv {
  TEMPORAL_ADDRESS: string;
  MONGODB_URL: string;
  MONGODB_DB: string;
  VOUCH_TASK_QUEUE: string;
  SLACK_API_URL: string;
  [name: string]: string;
}

const STARTUP_MS = 90_000;

export async function startBotProcess(
  name: string,
  env: ProcessEnv,
): Promise<VouchProcess & { url: string; signingSecret: string }> {
  const port = await freePort();
  const signingSecret = randomBytes(16).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const proc = await startVouchProcess(
    name,
    'bot/main.ts',
    { SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: signingSecret, BOT_PORT: String(port), ...env },
    () => isHealthy(`${base}/healthz`),
  );
  return Object.assign(proc, { url: `${base}/slack/events`, signingSecret });
}

/**
 * A worker is ready when its health file (VOUCH_HEALTH_FILE) is first written: all its workers run. Its
 * heap limit is npm start's unless `heapMiB` says otherwise.
 */
export function startWorkerProcess(
  name: string,
  env: ProcessEnv,
  heapMiB: number = WORKER_HEAP_MIB,
): Promise<VouchProcess> {
  const healthFile = path.join(os.tmpdir(), `vouch-bench-${process.pid}-${name}.health`);
  return startVouchProcess(
    name,
    'worker/main.ts',
    { SLACK_BOT_TOKEN: 'xoxb-bench', VOUCH_HEALTH_FILE: healthFile, ...env },
    async () => fs.existsSync(healthFile),
    () => fs.rmSync(healthFile, { force: true }),
    [heapLimitFlag(heapMiB)],
  );
}

async function startVouchProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: () => Promise<boolean>,
  beforeLaunch: () => void = () => {},
  nodeOptions: string[] = [],
): Promise<VouchProcess> {
  let current: ReturnType<typeof startEntryPoint>;
  let earlier = '';
  const launch = async () => {
    beforeLaunch();
    current = startEntryPoint(entry, { LOG_LEVEL: 'warn', ...env }, nodeOptions);
    const deadline = Date.now() + STARTUP_MS;
    while (!(await ready())) {
      if (current.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${name} did not start:\n${current.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const waitExit = async (child: ChildProcess, exited: Promise<number | null>) => {
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  await launch();
  return {
    name,
    pid: () => current.child.pid,
    async restart() {
      earlier += current.output();
      await launch();
    },
    async kill(signal) {
      current.child.kill(signal);
      await waitExit(current.child, current.exited);
    },
    async stop() {
      current.child.kill('SIGTERM');
      await waitExit(current.child, current.exited);
    },
    output: () => earlier + current.output(),
  };
}

/** Resident memory of a process (VmRSS), in bytes; 0 once it is gone. */
export function rssBytes(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
