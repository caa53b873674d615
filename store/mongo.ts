import {
  type Collection,
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type Db,
  type Document,
  MongoClient,
  MongoServerError,
  type OptionalUnlessRequiredId,
} from 'mongodb';

/**
 * Connecting to MongoDB and the typed errors of the data layer. Everything here stays within what both
 * FerretDB v1 (the embedded server) and MongoDB 7 support: no TTL indexes, transactions, change streams,
 * $lookup or $facet.
 */

export class DuplicateKeyError extends Error {
  override readonly name = 'DuplicateKeyError';
  constructor(
    readonly collection: string,
    readonly key: string,
    cause: unknown,
  ) {
    super(`a document with this ${key} already exists in ${collection}`, { cause });
  }
}

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/**
 * Inserts `doc` unless its _id exists: true for the first insert only. A unique insert is atomic on
 * FerretDB and MongoDB alike (FerretDB v1's conditional updates are not), so it is how Vouch claims
 * something once: a TOTP step, an attempt, an audit entry.
 */
export async function insertOnce<T extends Document>(
  collection: Collection<T>,
  doc: OptionalUnlessRequiredId<T>,
): Promise<boolean> {
  try {
    await collection.insertOne(doc);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Runs `op`, turning a unique-index violation into a DuplicateKeyError naming the key. */
export async function rethrowDuplicate<T>(collection: string, key: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isDuplicateKey(err)) throw new DuplicateKeyError(collection, key, err);
    throw err;
  }
}

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export async function connectMongo(
  url: string,
  dbName: string,
  opts: {
    timeoutMs?: number;
    /**
     * Hears every command sent and its answer (the benchmark counts and times round trips with it);
     * off by default: it costs.
     */
    onCommand?: (event: CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent) => void;
  } = {},
): Promise<MongoHandle> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: opts.timeoutMs ?? 10_000,
    appName: 'vouch',
    ...(opts.onCommand ? { monitorCommands: true } : {}),
  });
  const onCommand = opts.onCommand;
  if (onCommand)
    for (const name of ['commandStarted', 'commandSucceeded', 'commandFailed'] as const)
      client.on(name, onCommand);
  try {
    await client.connect();
    await client.db(dbName).command({ ping: 1 });
  } catch (err) {
    await client.close().catch(() => {});
    throw new StoreUnavailableError(
      `cannot reach MongoDB at ${redactUrl(url)}: ${(err as Error).message}. Is it running? Check MONGODB_URL.`,
      { cause: err },
    );
  }
  return { client, db: client.db(dbName), close: () => client.close() };
}

/** A connection string without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
