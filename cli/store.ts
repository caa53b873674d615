import type { Config } from '../lib/config';
import { type Collections, collections } from '../store/collections';
import { connectMongo } from '../store/mongo';

/** A MongoDB connection for one CLI command; an unreachable server gives a readable StoreUnavailableError. */
export async function withStore<T>(config: Config, use: (c: Collections) => Promise<T>): Promise<T> {
  const mongo = await connectMongo(config.mongo.url, config.mongo.db, { timeoutMs: 5000 });
  try {
    return await use(collections(mongo.db));
  } finally {
    await mongo.close();
  }
}

/** Something the command was asked about does not exist (exit code 1, message without a stack). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
