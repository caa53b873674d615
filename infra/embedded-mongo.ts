import fs from 'node:fs';
import path from 'node:path';
import type { ProcessTree } from './processes';
import { postgresBinaries, startPostgres } from './postgres';
import { type RunningServer, startFerretDB } from './servers';

/**
 * The embedded MongoDB wire-protocol server of `npm start`, the tests and the benchmarks: FerretDB,
 * keeping its data in SQLite files (the default) or in an embedded PostgreSQL.
 */
export type MongoBackend = 'postgresql' | 'sqlite';

// SQLite stays the default: PostgreSQL's jsonb cannot hold a NUL character (\u0000), which alert data
// may carry, and FerretDB v1 refuses such a document there.
export const DEFAULT_MONGO_BACKEND: MongoBackend = 'sqlite';

/** Each backend's folder inside the data folder. */
export const BACKEND_FOLDERS: Record<MongoBackend, string> = { postgresql: 'postgresql', sqlite: 'ferretdb' };

/**
 * The backend to use: the configured one; unset, an installation whose data folder holds only the
 * other backend's data keeps it, so a restart without the setting does not start on an empty store.
 */
export function chooseMongoBackend(
  configured: MongoBackend | undefined,
  dataDir: string,
): { backend: MongoBackend; reason: string } {
  if (configured) return { backend: configured, reason: 'VOUCH_EMBEDDED_MONGO_BACKEND' };
  const holds = (backend: MongoBackend) => {
    try {
      return fs.readdirSync(path.join(dataDir, BACKEND_FOLDERS[backend])).length > 0;
    } catch {
      return false;
    }
  };
  const other: MongoBackend = DEFAULT_MONGO_BACKEND === 'sqlite' ? 'postgresql' : 'sqlite';
  if (holds(other) && !holds(DEFAULT_MONGO_BACKEND))
    return {
      backend: other,
      reason: `the data folder holds ${other} data (${BACKEND_FOLDERS[other]}/); set VOUCH_EMBEDDED_MONGO_BACKEND to choose`,
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
      });
      servers.push(postgres);
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
