import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { provisionServers } from '../infra/provision';
import { freePort } from '../infra/processes';
import { startFerretDB, startTemporalDevServer, type RunningServer } from '../infra/servers';

/**
 * One FerretDB and one Temporal dev server for the whole suite, on free loopback ports, with their
 * data in a temporary folder. Tests isolate themselves with their own database and task queue
 * (test/helpers/servers.ts). Time-skipping test servers are started per test file.
 */
declare global {
  var __VOUCH_TEST_SERVERS__: { servers: RunningServer[]; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  const bins = await provisionServers(config.cacheDir, (m) => console.log(`[test setup] ${m}`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-test-'));
  const [mongoPort, temporalPort] = [await freePort(), await freePort()];
  const [ferret, temporal] = await Promise.all([
    startFerretDB({
      binary: bins.ferretdb,
      dataDir: path.join(dir, 'ferretdb'),
      port: mongoPort,
      logFile: path.join(dir, 'ferretdb.log'),
    }),
    startTemporalDevServer({
      binary: bins.temporal,
      port: temporalPort,
      logFile: path.join(dir, 'temporal.log'),
    }),
  ]);
  globalThis.__VOUCH_TEST_SERVERS__ = { servers: [ferret, temporal], dir };
  // Inherited by the jest workers, which start after this.
  process.env.VOUCH_TEST_MONGODB_URL = ferret.address;
  process.env.VOUCH_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.VOUCH_TEST_TEMPORAL_CLI = bins.temporal;
  process.env.VOUCH_TEST_TIME_SKIPPING_SERVER = bins.temporalTestServer;
  process.env.VOUCH_TEST_DIR = dir;
  console.log(`[test setup] FerretDB ${ferret.address}, Temporal ${temporal.address}, logs in ${dir}`);
}
