import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/**
 * A child process that can be awaited and stopped. A server's output goes to a log file (servers are
 * chatty), and one that exits early fails the wait with the tail of its log; without a log file the
 * output is wherever the caller sent it (the worker and bot of `npm start` print to the terminal).
 * A process that leads its own process group (`ownGroup`) is signalled as a group, so whatever it
 * started goes with it.
 */
export class ManagedProcess {
  private exited = false;
  private exitCode: number | null = null;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile?: string,
    readonly ownGroup = false,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code ?? (signal ? 128 : null);
        resolve();
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves when the process ends, with its exit code. */
  async waitForExit(): Promise<number | null> {
    await this.exitPromise;
    return this.exitCode;
  }

  logTail(lines = 20): string {
    if (!this.logFile) return '(no log file: see its output above)';
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.exited) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
    // Anything of its group that outlived it (a server's own helper) has no one left to stop it.
    if (this.ownGroup) this.signal('SIGKILL');
  }

  /** SIGKILL at once, without waiting: for a parent that is exiting right now. */
  killNow(): void {
    if (!this.exited || this.ownGroup) this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (this.ownGroup) process.kill(-pid, signal);
      else if (!this.exited) this.child.kill(signal);
    } catch {
      // ESRCH: already gone
    }
  }
}

/**
 * Every process `npm start` runs, each in its own process group: a Ctrl-C in the terminal reaches only
 * `npm start`, which stops them in order, the last started first (the worker and bot drain before the
 * servers they use go away), each with its own grace time, all within one overall budget, after which
 * whatever is left is killed.
 */
export class ProcessTree {
  private readonly members: { proc: ManagedProcess; graceMs: number }[] = [];

  constructor(readonly budgetMs: number) {}

  add(proc: ManagedProcess, graceMs: number): ManagedProcess {
    this.members.push({ proc, graceMs });
    return proc;
  }

  /** Stops every process, the last started first; `stopped` hears of each as it goes. */
  async stopAll(stopped?: (name: string, ms: number) => void): Promise<void> {
    const deadline = Date.now() + this.budgetMs;
    for (const { proc, graceMs } of [...this.members].reverse()) {
      const wasRunning = proc.running;
      const t0 = Date.now();
      await proc.stop(Math.max(0, Math.min(graceMs, deadline - Date.now())));
      if (wasRunning) stopped?.(proc.name, Date.now() - t0);
    }
  }

  killAllNow(): void {
    for (const { proc } of this.members) proc.killNow();
  }
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: {
    logFile: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Run in its own process group, stopped with the tree (SIGKILL after `graceMs`, default 5 s). */
    tree?: ProcessTree;
    graceMs?: number;
  },
): ManagedProcess {
  const log = fs.openSync(opts.logFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', log, log],
    env: opts.env,
    cwd: opts.cwd,
    detached: opts.tree !== undefined,
  });
  fs.closeSync(log);
  const proc = new ManagedProcess(name, child, opts.logFile, opts.tree !== undefined);
  return opts.tree ? opts.tree.add(proc, opts.graceMs ?? 5000) : proc;
}

/** Polls `check` until it succeeds; fails early if the process exits, or after `timeoutMs`. */
export async function waitUntilReady(
  proc: ManagedProcess,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running)
      throw new Error(
        `${proc.name} exited during start-up. Last lines of ${proc.logFile}:\n${proc.logTail()}`,
      );
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop();
  throw new Error(
    `${proc.name} did not become ready within ${timeoutMs / 1000} s. Last lines of ${proc.logFile}:\n${proc.logTail()}`,
  );
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A TCP port that was free a moment ago on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
