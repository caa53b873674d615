import fs from 'node:fs';
import path from 'node:path';
import type { ProcessTree } from './processes';
import { postgresBinaries, startPostgres } from './postgres';
import { installGinTwins } from './postgres-indexes';
import { type RunningServer, startFerretDB } from './servers';

/**
 * The embedded MongoDB wire-protocol server of `npm start`, the tests and the benchmarks: FerretDB,
 * keeping its data in an embedded PostgreSQL (the default) or in SQLite files.
 */
export type MongoBackend = 'postgresql' | 'sqlite';

// PostgreSQL is the default: faster than SQLite by far under load (README, "The embedded MongoDB server").
// Its jsonb cannot hold NUL; the FerretDB proxy escapes it (infra/ferretdb/nul_escape.go).
export const DEFAULT_MONGO_BACKEND: MongoBackend = 'postgresql';

/** Each backend's folder inside the data folder. */
export const BACKEND_FOLDERS: Record<MongoBackend, string> = { postgresql: 'postgresql', sqlite: 'ferretdb' };

/**
 * The backend to use: the configured one; unset, a data folder that already holds SQLite data keeps
 * SQLite (every folder made while SQLite was the default does, even one where PostgreSQL was tried),
 * so a restart after the upgrade does not start on an empty store; otherwise the default.
 */
export function chooseMongoBackend(
  configured: MongoBackend | undefined,
  dataDir: string,
): { backend: MongoBackend; reason: string } {
  if (configured) return { backend: configured, reason: 'VOUCH_EMBEDDED_MONGO_BACKEND' };
  let holdsSqlite = false;
  try {
    holdsSqlite = fs.readdirSync(path.join(dataDir, BACKEND_FOLDERS.sqlite)).length > 0;
  } catch {
    // no SQLite folder
  }
  if (holdsSqlite)
    return {
      backend: 'sqlite',
      reason: `the data folder holds sqlite data (${BACKEND_FOLDERS.sqlite}/); set VOUCH_EMBEDDED_MONGO_BACKEND to choose`,
    };
  return { backend: DEFAULT_MONGO_BACKEND, reason: 'the default' };
}

export interface EmbeddedMongo {
  /** MongoDB URL of the FerretDB. */
  address: string;
  backend: MongoBackend;
  /** Where the data is kept. */
  dataDir: string;
  /** The servers, in the order they started. */
  servers: RunningServer[];
  /** Stops FerretDB, then the PostgreSQL under it. */
  stop(): Promise<void>;
}

export async function startEmbeddedMongo(opts: {
  backend: MongoBackend;
  ferretdb: string;
  /** The data folder: each backend keeps its data in its folder inside it. */
  dataDir: string;
  mongoPort: number;
  postgresPort: number;
  logDir: string;
  /** Stop them with this tree (npm start). */
  tree?: ProcessTree;
  /** Data thrown away after the run (the tests): PostgreSQL skips flushing to disk, and starts sooner. */
  throwaway?: boolean;
}): Promise<EmbeddedMongo> {
  const dataDir = path.join(opts.dataDir, BACKEND_FOLDERS[opts.backend]);
  const servers: RunningServer[] = [];
  const stop = async () => {
    for (const server of [...servers].reverse()) await server.process.stop();
  };
  try {
    let storage: { sqliteDir: string } | { postgresqlUrl: string } = { sqliteDir: dataDir };
    if (opts.backend === 'postgresql') {
      const postgres = await startPostgres({
        binaries: await postgresBinaries(),
        dataDir,
        port: opts.postgresPort,
        logFile: path.join(opts.logDir, 'postgresql.log'),
        tree: opts.tree,
        throwaway: opts.throwaway,
      });
      servers.push(postgres);
      await installGinTwins(postgres.address);
      storage = { postgresqlUrl: postgres.address };
    }
    const ferret = await startFerretDB({
      binary: opts.ferretdb,
      storage,
      port: opts.mongoPort,
      logFile: path.join(opts.logDir, 'ferretdb.log'),
      tree: opts.tree,
    });
    servers.push(ferret);
    return { address: ferret.address, backend: opts.backend, dataDir, servers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
