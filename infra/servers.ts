import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { SEARCH_ATTRIBUTES } from '../shared/constants';
import { type ManagedProcess, type ProcessTree, canConnect, startProcess, waitUntilReady } from './processes';

/** Starting the embedded servers: used by `npm start` and by the test suite's global setup. */

export interface RunningServer {
  process: ManagedProcess;
  /** How clients reach it: a MongoDB URL or a Temporal host:port. */
  address: string;
}

export async function assertPortFree(
  port: number,
  server: string,
  portVariable: string,
  externalVariable: string,
) {
  if (await canConnect('127.0.0.1', port))
    throw new Error(
      `port ${port} is already in use, so the embedded ${server} cannot start. Stop whatever listens there, ` +
        `set ${portVariable} to a free port, or set ${externalVariable} to use that server.`,
    );
}

export async function startFerretDB(opts: {
  binary: string;
  /** SQLite's data folder, or the PostgreSQL server to keep the data in. */
  storage: { sqliteDir: string } | { postgresqlUrl: string };
  port: number;
  logFile: string;
  /** Stop it with this tree (npm start); otherwise it shares the caller's process group. */
  tree?: ProcessTree;
}): Promise<RunningServer> {
  await assertPortFree(opts.port, 'FerretDB', 'VOUCH_EMBEDDED_MONGO_PORT', 'MONGODB_URL');
  const storage =
    'sqliteDir' in opts.storage
      ? ['--dir', opts.storage.sqliteDir]
      : ['--postgresql-url', opts.storage.postgresqlUrl];
  if ('sqliteDir' in opts.storage) fs.mkdirSync(opts.storage.sqliteDir, { recursive: true });
  const proc = startProcess(
    'FerretDB',
    opts.binary,
    ['--listen', `127.0.0.1:${opts.port}`, ...storage, '--log-level', 'warn'],
    { logFile: opts.logFile, tree: opts.tree },
  );
  const url = `mongodb://127.0.0.1:${opts.port}`;
  await waitUntilReady(proc, () => mongoAnswers(url), 30_000);
  return { process: proc, address: url };
}

async function mongoAnswers(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}

export async function startTemporalDevServer(opts: {
  binary: string;
  dbFile?: string;
  port: number;
  uiPort?: number;
  /** Where the Web UI asks to decode encrypted payloads (the Vouch codec server). */
  uiCodecEndpoint?: string;
  logFile: string;
  sqlitePragmas?: string[];
  tree?: ProcessTree;
}): Promise<RunningServer> {
  await assertPortFree(opts.port, 'Temporal server', 'VOUCH_EMBEDDED_TEMPORAL_PORT', 'TEMPORAL_ADDRESS');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--log-level',
    'warn',
  ];
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
    // WAL with synchronous=NORMAL: survives a crash of any process; only a power loss can lose the
    // last transactions. The default (rollback journal, fsync per commit) caps the server at a few
    // dozen workflow transitions a second on this class of machine.
    for (const pragma of opts.sqlitePragmas ?? ['journal_mode=wal', 'synchronous=normal'])
      args.push('--sqlite-pragma', pragma);
  }
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), '--ui-disable-news-fetch');
  if (opts.uiPort && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  else args.push('--headless');
  for (const name of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  const proc = startProcess('Temporal dev server', opts.binary, args, {
    logFile: opts.logFile,
    tree: opts.tree,
  });
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilReady(proc, () => temporalHasSearchAttributes(address), 60_000);
  return { process: proc, address };
}

/** True when the frontend answers and every Vouch search attribute is registered. */
export async function temporalHasSearchAttributes(address: string, namespace = 'default'): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return SEARCH_ATTRIBUTES.every((name) => customAttributes?.[name] !== undefined);
  } finally {
    await connection.close();
  }
}
