import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { provisionServers } from '../infra/provision';
import { provisionBrowser } from '../infra/browser';
import { freePort } from '../infra/processes';
import { startTemporalDevServer, type RunningServer } from '../infra/servers';
import { DEFAULT_MONGO_BACKEND, startEmbeddedMongo } from '../infra/embedded-mongo';

/**
 * One FerretDB (on the default backend, or VOUCH_EMBEDDED_MONGO_BACKEND's) and one Temporal dev server for the whole suite, on free loopback ports, with their
 * data in a temporary folder. Tests isolate themselves with their own database and task queue
 * (test/helpers/servers.ts). Time-skipping test servers are started per test file.
 */
declare global {
  var __VOUCH_TEST_SERVERS__: { servers: RunningServer[]; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  const progress = (m: string) => console.log(`[test setup] ${m}`);
  const [bins, browser] = await Promise.all([
    provisionServers(config.cacheDir, progress),
    provisionBrowser(config.chromium, progress),
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-test-'));
  const [mongoPort, postgresPort, temporalPort] = [await freePort(), await freePort(), await freePort()];
  const backend = config.embedded.mongoBackend ?? DEFAULT_MONGO_BACKEND;
  const [mongo, temporal] = await Promise.all([
    startEmbeddedMongo({
      backend,
      ferretdb: bins.ferretdb,
      dataDir: dir,
      mongoPort,
      postgresPort,
      logDir: dir,
      throwaway: true,
    }),
    startTemporalDevServer({
      binary: bins.temporal,
      port: temporalPort,
      logFile: path.join(dir, 'temporal.log'),
    }),
  ]);
  // Stopped in reverse: Temporal, FerretDB, then the PostgreSQL under it.
  globalThis.__VOUCH_TEST_SERVERS__ = { servers: [...mongo.servers, temporal], dir };
  // Inherited by the jest workers, which start after this.
  process.env.VOUCH_TEST_MONGODB_URL = mongo.address;
  process.env.VOUCH_TEST_MONGO_BACKEND = backend;
  process.env.VOUCH_TEST_FERRETDB = bins.ferretdb;
  process.env.VOUCH_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.VOUCH_TEST_TEMPORAL_CLI = bins.temporal;
  process.env.VOUCH_TEST_TIME_SKIPPING_SERVER = bins.temporalTestServer;
  process.env.VOUCH_TEST_DIR = dir;
  if ('chromium' in browser) process.env.VOUCH_TEST_CHROMIUM = browser.chromium;
  else process.env.VOUCH_TEST_CHROMIUM_MISSING = browser.missing;
  console.log(
    `[test setup] FerretDB ${mongo.address} on ${backend}, Temporal ${temporal.address}, logs in ${dir}`,
  );
}
