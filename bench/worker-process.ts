import fs from 'node:fs';
import path from 'node:path';
import { type ManagedProcess, startProcess, waitUntilReady } from '../infra/processes';

const ROOT = path.join(__dirname, '..');

/**
 * The worker as `npm start` runs it (`node --import tsx worker/main.ts`, configured by environment
 * variables only), so its memory is measured apart from the load generator and the Slack stand-in.
 */
export async function startWorkerProcess(env: Record<string, string>, logFile: string) {
  const proc: ManagedProcess = startProcess(
    'worker',
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')],
    { logFile, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, cwd: ROOT },
  );
  const started = async () => fs.readFileSync(logFile, 'utf8').includes('"worker started"');
  await waitUntilReady(proc, started, 120_000);
  return {
    proc,
    /** Resident memory of the worker process (VmRSS), in bytes; 0 once it is gone. */
    rssBytes(): number {
      try {
        const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        return 0;
      }
    },
    stop: () => proc.stop(15_000),
  };
}
