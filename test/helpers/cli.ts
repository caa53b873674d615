import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Db } from 'mongodb';
import { createHarness, type Harness } from './interview-harness';
import { testServers } from './servers';

/** Runs the real `vouch` command (cli/main.ts through tsx) with the given environment; never throws. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  opts: { input?: string; cwd?: string } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      // tsx by its path: a test may run the command in a folder of its own (opts.cwd).
      ['--import', require.resolve('tsx'), path.join(__dirname, '../../cli/main.ts'), ...args],
      {
        env: { ...process.env, LOG_LEVEL: 'silent', ...env },
        encoding: 'utf8',
        timeout: 30_000,
        cwd: opts.cwd,
      },
      (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(opts.input ?? '');
  });
}

/** The environment that points the CLI at a test's own database on the suite's FerretDB. */
export function cliEnv(db: Db, extra: Record<string, string> = {}): Record<string, string> {
  return { MONGODB_URL: testServers.mongoUrl, MONGODB_DB: db.databaseName, ...extra };
}

/**
 * For a test file that drives interviews and then the CLI: a time-skipping harness for the file, and
 * the CLI's environment pointing at the harness's database. Read `ctx.h` and `ctx.env` inside tests.
 */
export function harnessWithCli(extraEnv: Record<string, string> = {}) {
  const ctx = {} as { h: Harness; env: Record<string, string> };
  beforeAll(async () => {
    ctx.h = await createHarness({ timeSkipping: true });
    ctx.env = cliEnv(ctx.h.mongo.db, extraEnv);
  });
  afterAll(async () => ctx.h?.teardown());
  return ctx;
}
