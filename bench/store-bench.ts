import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../lib/config';
import { DEFAULT_MONGO_BACKEND, startEmbeddedMongo } from '../infra/embedded-mongo';
import { freePort } from '../infra/processes';
import { provisionServers } from '../infra/provision';
import { type RaceDoc, raceConditionalClaims, racePushWithSlice, raceSetAndPush } from '../infra/store-races';
import { collections, ensureIndexes } from '../store/collections';
import { employeeCache } from '../store/employee-cache';
import { connectMongo } from '../store/mongo';
import { type Machine, writeResult } from './results';
import { drive, percentile, say } from './stack';

/**
 * The embedded MongoDB server alone (no Temporal, no worker): with N alert-sized documents stored, reads
 * and updates by `_id` one at a time, updates of different documents and of one document from many
 * clients at once; with as many employees stored, the lookup of one by DM channel; and the three races
 * FerretDB v1 loses on its own (infra/store-races.ts). Short and targeted, to measure one change to
 * FerretDB, its gate or an index.
 */
export async function benchStore(
  config: Config,
  machine: Machine,
  opts: { docs: number; ops: number; concurrency: number; ferretdb?: string },
) {
  const backend = config.embedded.mongoBackend ?? DEFAULT_MONGO_BACKEND;
  const ferretdb = opts.ferretdb ?? (await provisionServers(config.cacheDir, say)).ferretdb;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-store-bench-'));
  const server = await startEmbeddedMongo({
    backend,
    ferretdb,
    dataDir: dir,
    mongoPort: await freePort(),
    postgresPort: await freePort(),
    logDir: dir,
  });
  const mongo = await connectMongo(server.address, 'vouch_store_bench');
  try {
    say(`FerretDB on ${backend} (${ferretdb}); storing ${opts.docs} alert-sized documents…`);
    const alerts = mongo.db.collection<{
      _id: string;
      n: number;
      phase?: string;
      input?: object;
      transcript?: unknown[];
    }>('alerts');
    const description = 'x'.repeat(1500);
    for (let i = 0; i < opts.docs; i += 500)
      await alerts.insertMany(
        Array.from({ length: Math.min(500, opts.docs - i) }, (_, k) => ({
          _id: `alert-${i + k}`,
          n: 0,
          input: { title: `alert ${i + k}`, description, details: [{ key: 'k', value: 'v' }] },
          transcript: [],
        })),
      );
    say(`and ${opts.docs} employees with a DM channel, with Vouch's indexes…`);
    await ensureIndexes(mongo.db);
    const employees = collections(mongo.db).employees;
    for (let i = 0; i < opts.docs; i += 500)
      await employees.insertMany(
        Array.from({ length: Math.min(500, opts.docs - i) }, (_, k) => ({
          _id: `U${i + k}`,
          email: `e${i + k}@example.com`,
          dmChannel: `D${i + k}`,
          updatedAt: new Date(),
        })),
      );
    const cache = employeeCache(collections(mongo.db));
    const pick = () => `alert-${Math.floor(Math.random() * opts.docs)}`;
    const figures: Record<string, { p50: number; p99: number; perSecond: number; ops: number }> = {};
    const run = async (name: string, concurrency: number, task: () => Promise<unknown>) => {
      const { latencies, elapsedMs } = await drive({
        count: opts.ops,
        concurrency,
        task: async () => void (await task()),
        label: name,
      });
      figures[name] = {
        p50: Math.round(percentile(latencies, 50) * 10) / 10,
        p99: Math.round(percentile(latencies, 99) * 10) / 10,
        perSecond: Math.round((latencies.length / elapsedMs) * 10_000) / 10,
        ops: latencies.length,
      };
    };
    await run('find by _id, one at a time', 1, () => alerts.findOne({ _id: pick() }));
    await run('employee by DM channel, one at a time', 1, () =>
      cache.userOfDmChannel(`D${Math.floor(Math.random() * opts.docs)}`),
    );
    await run('update by _id, one at a time', 1, () =>
      alerts.updateOne({ _id: pick() }, { $set: { phase: 'waiting' }, $inc: { n: 1 } }),
    );
    // Each client its own documents: what a busy worker does, one interview per alert.
    await run(`update by _id, ${opts.concurrency} clients, different documents`, opts.concurrency, () =>
      alerts.updateOne({ _id: pick() }, { $set: { phase: 'waiting' }, $inc: { n: 1 } }),
    );
    await alerts.insertOne({ _id: 'counter', n: 0 });
    await run(`update by _id, ${opts.concurrency} clients, one document`, opts.concurrency, () =>
      alerts.updateOne({ _id: 'counter' }, { $inc: { n: 1 } }),
    );
    const kept = (await alerts.findOne({ _id: 'counter' }))?.n;
    console.log(`\n${'run'.padEnd(56)} p50 ms   p99 ms   per second`);
    for (const [name, f] of Object.entries(figures))
      console.log(
        `${name.padEnd(56)} ${f.p50.toFixed(1).padStart(6)} ${f.p99.toFixed(1).padStart(8)} ${f.perSecond.toFixed(1).padStart(12)}`,
      );
    console.log(`one document's counter after ${opts.ops} concurrent $inc: ${kept}`);
    const raceDocs = mongo.db.collection<RaceDoc>('races');
    const claims = await raceConditionalClaims(raceDocs);
    const mixed = await raceSetAndPush(raceDocs);
    const sliced = await racePushWithSlice(raceDocs);
    const races = {
      conditionalClaimRoundsWithoutOneWinner: claims.roundsWithoutOneWinner + claims.winnerNotKept,
      setAndPushLost: mixed.lost,
      pushWithSliceLost: sliced.lost,
    };
    console.log(
      `races: ${races.conditionalClaimRoundsWithoutOneWinner} of ${claims.rounds} three-way conditional claims without exactly one winner, ` +
        `${mixed.lost} of ${mixed.updates} concurrent $set/$push lost, ${sliced.lost} of ${sliced.updates} concurrent $push+$slice lost\n`,
    );
    writeResult('store', machine, { ...opts, backend }, { ...figures, counterKept: kept, races });
  } finally {
    await mongo.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
