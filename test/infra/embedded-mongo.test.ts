import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Collection, MongoClient } from 'mongodb';
import { Client as PgClient } from 'pg';
import {
  type EmbeddedMongo,
  type MongoBackend,
  chooseMongoBackend,
  startEmbeddedMongo,
} from '../../infra/embedded-mongo';
import { canConnect, freePort, startProcess, waitUntilReady } from '../../infra/processes';
import {
  type RaceDoc,
  raceConditionalClaims,
  racePushWithSlice,
  raceSetAndPush,
} from '../../infra/store-races';
import { testServers } from '../helpers/servers';

/**
 * The races FerretDB v1 loses on its own (an update is a read, a change and a write with nothing
 * held between them), run against each backend behind Vouch's write gate (infra/ferretdb/write_gate.go),
 * with many clients at once as a busy worker and bot make them. Each backend gets servers of its own.
 */
type Doc = RaceDoc;

async function startBackend(backend: MongoBackend, dir: string): Promise<EmbeddedMongo> {
  return startEmbeddedMongo({
    backend,
    ferretdb: process.env.VOUCH_TEST_FERRETDB ?? '',
    dataDir: dir,
    mongoPort: await freePort(),
    postgresPort: await freePort(),
    logDir: dir,
  });
}

describe.each<MongoBackend>(['postgresql', 'sqlite'])('embedded FerretDB on %s', (backend) => {
  let dir: string;
  let mongo: EmbeddedMongo;
  let client: MongoClient;
  let docs: Collection<Doc>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(testServers.dir, `${backend}-`));
    mongo = await startBackend(backend, dir);
    client = await MongoClient.connect(mongo.address, { maxPoolSize: 100 });
    docs = client.db('races').collection<Doc>('docs');
  });
  afterAll(async () => {
    await client?.close();
    await mongo?.stop();
  });

  it('lets exactly one of three racing conditional findOneAndUpdates win, in every round', async () => {
    const claims = await raceConditionalClaims(docs);
    console.log(`${backend}: ${claims.roundsWithoutOneWinner} of 20 rounds without exactly one winner`);
    expect(claims).toEqual({ rounds: 20, roundsWithoutOneWinner: 0, winnerNotKept: 0 });
  });

  it('keeps all of 100 concurrent $set and $push updates of one document, by its _id or by another filter', async () => {
    const mixed = await raceSetAndPush(docs);
    console.log(`${backend}: ${mixed.lost} of 100 concurrent $set/$push lost`);
    expect(mixed.lost).toBe(0);
    expect(mixed.items).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  // A row lock taken in PostgreSQL itself holds FerretDB's write of one document for as long as the test
  // wants: an update of another document of the collection must pass meanwhile, one of the collection
  // by another filter must wait. (SQLite has no row locks: one writer holds the whole database.)
  (backend === 'postgresql' ? it : it.skip)(
    'updates another document of the collection while one is held, and holds a collection-wide update',
    async () => {
      await docs.insertMany([
        { _id: 'held', n: 0 },
        { _id: 'free', n: 0 },
        { _id: 'other', n: 0, state: 'other' },
      ]);
      const pg = new PgClient({ connectionString: mongo.servers[0]!.address });
      await pg.connect();
      try {
        const { rows } = await pg.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'races' AND table_name LIKE 'docs%'`,
        );
        const table = `races.${pg.escapeIdentifier(rows[0]!.table_name)}`;
        await pg.query('BEGIN');
        await pg.query(`SELECT 1 FROM ${table} WHERE _jsonb->'_id' = '"held"' FOR UPDATE`);
        const held = docs.updateOne({ _id: 'held' }, { $inc: { n: 1 } });
        // Until FerretDB's write of `held` waits on this transaction's row lock, inside the gate.
        for (let waited = 0; ; waited += 50) {
          const waiting = await pg.query(
            'SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))',
          );
          if (waiting.rowCount) break;
          if (waited > 30_000) throw new Error("FerretDB's update never reached the row lock");
          await sleep(50);
        }
        const outcome = (op: Promise<unknown>) => op.then(() => 'done' as const);
        const free = outcome(docs.updateOne({ _id: 'free' }, { $inc: { n: 1 } }));
        expect(await Promise.race([free, sleep(20_000).then(() => 'held up')])).toBe('done');
        // Sent after: a collection-wide update waiting for the gate also holds back later ones of single documents.
        const collectionWide = outcome(docs.updateMany({ state: 'other' }, { $inc: { n: 1 } }));
        expect(await Promise.race([collectionWide, sleep(1_000).then(() => 'held up')])).toBe('held up');
        await pg.query('COMMIT');
        await Promise.all([held, collectionWide]);
        const counts = await docs.find({}, { projection: { n: 1 } }).toArray();
        expect(counts.filter((d) => ['held', 'free', 'other'].includes(d._id))).toEqual(
          expect.arrayContaining([
            { _id: 'held', n: 1 },
            { _id: 'free', n: 1 },
            { _id: 'other', n: 1 },
          ]),
        );
      } finally {
        await pg.end();
      }
    },
  );

  // FerretDB runs an update as a query whose rows hold one of its 50 PostgreSQL connections, then a
  // write that needs another: as many updates at once as it has connections would each hold one and
  // wait forever for a second. The gate lets fewer through at a time.
  it('answers 200 concurrent upserts of different documents, new and existing (more than FerretDB has connections)', async () => {
    const many = await MongoClient.connect(mongo.address, { maxPoolSize: 200 });
    try {
      const coll = many.db('races').collection<Doc>('upserts');
      const upsertAll = (n: number) =>
        Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            coll.updateOne({ _id: `u-${i}` }, { $set: { n: n + i } }, { upsert: true }),
          ),
        );
      await upsertAll(0); // inserted
      await upsertAll(1000); // updated: a query and a write each
      expect(await coll.countDocuments({ n: { $gte: 1000 } })).toBe(200);
    } finally {
      await many.close();
    }
  });

  it('keeps every one of 50 concurrent $push with $slice, and FerretDB v1 does not apply the $slice', async () => {
    const sliced = await racePushWithSlice(docs);
    console.log(`${backend}: ${sliced.lost} of 50 concurrent $push+$slice lost`);
    expect(sliced.lost).toBe(0);
    // MongoDB would keep the last 20; FerretDB v1 ignores $slice (and $sort, $position) in $push,
    // so Vouch's data layer uses none of them. This fails once it does apply it.
    expect(sliced.items).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('stores and returns strings holding NUL and U+FFFF exactly, and finds documents by them', async () => {
    // U+FFFF is the escape character on PostgreSQL: each of these must still read back as written.
    const texts = ['a\u0000b', '\u0000', '\uffff', '\uffff0', '\uffff\uffff', '\u0000\uffff0\u0000', 'plain'];
    const strings = client
      .db('races')
      .collection<{ _id: string; text: string; nested: object; list: string[] }>('strings');
    await strings.insertMany(
      texts.map((text, i) => ({ _id: `s${i}`, text, nested: { deeper: { text } }, list: [text, 'x'] })),
    );
    const all = await strings.find({}, { batchSize: 2 }).sort({ _id: 1 }).toArray();
    expect(all.map((d) => [d.text, d.nested, d.list])).toEqual(
      texts.map((text) => [text, { deeper: { text } }, [text, 'x']]),
    );
    for (const [i, text] of texts.entries()) {
      expect((await strings.findOne({ text }))?._id).toBe(`s${i}`);
      expect((await strings.findOne({ 'nested.deeper.text': text }))?._id).toBe(`s${i}`);
    }
    expect(
      (await strings.find({ list: { $in: ['\u0000', '\uffff0'] } }).toArray()).map((d) => d._id).sort(),
    ).toEqual(['s1', 's3']);
    const before = await strings.findOneAndUpdate(
      { _id: 's0', text: 'a\u0000b' },
      { $set: { text: '\u0000new\uffff' }, $push: { list: '\u0000' } },
    );
    expect(before?.text).toBe('a\u0000b');
    expect(await strings.findOne({ _id: 's0' }, { projection: { text: 1, list: 1 } })).toEqual({
      _id: 's0',
      text: '\u0000new\uffff',
      list: ['a\u0000b', 'x', '\u0000'],
    });
  });

  // FerretDB filters with `@>`, which its own btree indexes cannot answer: each gets a GIN twin (infra/postgres-indexes.ts).
  (backend === 'postgresql' ? it : it.skip)(
    'finds by _id and by an indexed field from an index, also for indexes made before the twins existed',
    async () => {
      const people = client.db('races').collection<{ _id: string; channel: string }>('people');
      for (let i = 0; i < 4000; i += 1000)
        await people.insertMany(
          Array.from({ length: 1000 }, (_, k) => ({ _id: `U${i + k}`, channel: `D${i + k}` })),
        );
      await people.createIndex({ channel: 1 });
      const plan = async (filter: object) =>
        JSON.stringify(((await people.find(filter).explain()) as { queryPlanner?: unknown }).queryPlanner);
      const fromTwin = /"Index Name":"vouch_gin_[0-9a-f]{32}"/;
      expect(await plan({ _id: 'U1234' })).toMatch(fromTwin);
      expect(await plan({ channel: 'D1234' })).toMatch(fromTwin);
      expect(await plan({ channel: 'D1234' })).not.toMatch(/Seq Scan/);
      expect(await people.findOne({ channel: 'D1234' })).toEqual({ _id: 'U1234', channel: 'D1234' });

      // A cluster from before the twins: they are made at the next start.
      const pg = new PgClient({ connectionString: mongo.servers[0]!.address });
      await pg.connect();
      const twins = async () =>
        (
          await pg.query<{ indexname: string }>(
            `SELECT indexname FROM pg_indexes WHERE schemaname = 'races' AND indexname LIKE 'vouch_gin_%' AND tablename LIKE 'people%'`,
          )
        ).rows.map((r) => r.indexname);
      const before = await twins();
      expect(before).toHaveLength(2);
      for (const name of before) await pg.query(`DROP INDEX races.${pg.escapeIdentifier(name)}`);
      await pg.end();
      expect(await plan({ _id: 'U1234' })).not.toMatch(fromTwin);
      await client.close();
      await mongo.stop();
      mongo = await startBackend(backend, dir);
      client = await MongoClient.connect(mongo.address, { maxPoolSize: 100 });
      docs = client.db('races').collection<Doc>('docs');
      const again = new PgClient({ connectionString: mongo.servers[0]!.address });
      await again.connect();
      try {
        const after = await again.query<{ indexname: string }>(
          `SELECT indexname FROM pg_indexes WHERE schemaname = 'races' AND indexname LIKE 'vouch_gin_%' AND tablename LIKE 'people%'`,
        );
        expect(after.rows.map((r) => r.indexname).sort()).toEqual([...before].sort());
      } finally {
        await again.end();
      }
    },
  );

  it('keeps its data across a crash of both servers and a restart', async () => {
    await docs.insertOne({ _id: 'durable', n: 7 });
    await client.close();
    for (const server of mongo.servers) server.process.killNow();
    await Promise.all(mongo.servers.map((s) => s.process.waitForExit()));
    mongo = await startBackend(backend, dir);
    client = await MongoClient.connect(mongo.address);
    docs = client.db('races').collection<Doc>('docs');
    expect(await docs.findOne({ _id: 'durable' })).toEqual({ _id: 'durable', n: 7 });
    expect(fs.existsSync(path.join(dir, backend === 'postgresql' ? 'postgresql' : 'ferretdb'))).toBe(true);
  });
});

describe("the gate's socket folder", () => {
  /** FerretDB on SQLite with its temporary folder in `tmp`, answering. */
  async function startFerretIn(tmp: string, dir: string) {
    const port = await freePort();
    const proc = startProcess(
      'FerretDB',
      process.env.VOUCH_TEST_FERRETDB ?? '',
      ['--listen', `127.0.0.1:${port}`, '--dir', dir],
      { logFile: path.join(dir, 'ferretdb.log'), env: { ...process.env, TMPDIR: tmp } },
    );
    await waitUntilReady(proc, () => canConnect('127.0.0.1', port), 30_000);
    return proc;
  }

  it('is left behind by a FerretDB killed with SIGKILL, and removed by the next start with other stale ones', async () => {
    const tmp = fs.mkdtempSync(path.join(testServers.dir, 'tmp-'));
    const dir = fs.mkdtempSync(path.join(testServers.dir, 'socket-'));
    const folders = () => fs.readdirSync(tmp).sort();
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const old = new Date(Date.now() - 5 * 60_000);
    const live = `vouch-ferretdb-${process.pid}-456`;
    for (const [name, mtime] of [
      [`vouch-ferretdb-${Number(gone.stdout.trim())}-123`, new Date()], // its process is gone
      [live, new Date()], // its process runs (this one)
      ['vouch-ferretdb-789', old], // an earlier build's, nothing listening, old
      ['vouch-ferretdb-790', new Date()], // an earlier build's, maybe still starting
    ] as const) {
      fs.mkdirSync(path.join(tmp, name));
      fs.writeFileSync(path.join(tmp, name, 'ferretdb.sock'), '');
      fs.utimesSync(path.join(tmp, name), mtime, mtime);
    }
    const first = await startFerretIn(tmp, dir);
    const firstFolder = new RegExp(`^vouch-ferretdb-${first.pid}-\\d+$`);
    expect(folders()).toHaveLength(3);
    expect(folders()).toEqual(
      expect.arrayContaining([expect.stringMatching(firstFolder), live, 'vouch-ferretdb-790']),
    );
    first.killNow();
    await first.waitForExit();
    expect(folders().filter((f) => firstFolder.test(f))).toHaveLength(1);

    const second = await startFerretIn(tmp, dir);
    const secondFolder = new RegExp(`^vouch-ferretdb-${second.pid}-\\d+$`);
    expect(folders()).toHaveLength(3);
    expect(folders()).toEqual(
      expect.arrayContaining([expect.stringMatching(secondFolder), live, 'vouch-ferretdb-790']),
    );
    await second.stop();
    // A clean stop removes its own.
    expect(folders()).toEqual([live, 'vouch-ferretdb-790']);
  });
});

describe('the PostgreSQL backend as root', () => {
  const root = process.getuid?.() === 0;
  (root ? it : it.skip)('runs PostgreSQL unprivileged while its files stay root-owned', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-pg-root-'));
    const mongo = await startBackend('postgresql', dir);
    try {
      expect(fs.statSync(path.join(dir, 'postgresql', 'PG_VERSION')).uid).toBe(0);
      const client = await MongoClient.connect(mongo.address);
      await client.db('root').collection('x').insertOne({ ok: 1 });
      expect(await client.db('root').collection('x').countDocuments()).toBe(1);
      await client.close();
    } finally {
      await mongo.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the backend npm start chooses', () => {
  const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-choice-'));
  const withFolder = (dir: string, folder: string) => {
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.writeFileSync(path.join(dir, folder, 'file'), '');
    return dir;
  };

  it('is PostgreSQL on a new data folder, and whatever VOUCH_EMBEDDED_MONGO_BACKEND says', () => {
    expect(chooseMongoBackend(undefined, dataDir())).toEqual({
      backend: 'postgresql',
      reason: 'the default',
    });
    expect(chooseMongoBackend(undefined, withFolder(dataDir(), 'postgresql')).backend).toBe('postgresql');
    expect(chooseMongoBackend('sqlite', dataDir())).toEqual({
      backend: 'sqlite',
      reason: 'VOUCH_EMBEDDED_MONGO_BACKEND',
    });
    expect(chooseMongoBackend('postgresql', withFolder(dataDir(), 'ferretdb')).backend).toBe('postgresql');
  });

  it('keeps SQLite, unset, where the data folder holds SQLite data, with or without a PostgreSQL cluster', () => {
    const chosen = withFolder(dataDir(), 'ferretdb');
    expect(chooseMongoBackend(undefined, chosen)).toEqual({
      backend: 'sqlite',
      reason: expect.stringContaining('holds sqlite data'),
    });
    expect(chooseMongoBackend(undefined, withFolder(chosen, 'postgresql')).backend).toBe('sqlite');
    // An empty SQLite folder holds nothing to keep.
    const empty = dataDir();
    fs.mkdirSync(path.join(empty, 'ferretdb'));
    expect(chooseMongoBackend(undefined, empty).backend).toBe('postgresql');
  });
});
