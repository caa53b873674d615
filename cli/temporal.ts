import { Client } from '@temporalio/client';
import { ClosableConnection } from '../lib/temporal-connection';
import type { Config } from '../lib/config';
import { payloadKeys, vouchDataConverter } from '../lib/payload-codec';
import { readEmbeddedKey } from '../infra/encryption-key';

export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
}

/** A Temporal client for one CLI command; a server that cannot be reached gives a readable error. */
export async function withClient<T>(config: Config, use: (client: Client) => Promise<T>): Promise<T> {
  // Same key as the worker (the embedded stack's key file when the variable is unset), so the CLI
  // encrypts what it starts and reads what the worker wrote.
  const dataConverter = vouchDataConverter(
    payloadKeys(config, config.encryptionKey ?? readEmbeddedKey(config.dataDir)),
  );
  let temporal: ClosableConnection;
  try {
    temporal = await ClosableConnection.connect({ address: config.temporal.address, connectTimeout: 5000 });
  } catch (err) {
    throw new TemporalUnavailableError(
      `cannot reach Temporal at ${config.temporal.address} (${(err as Error).message}). Is Vouch running (npm start)? Check TEMPORAL_ADDRESS.`,
    );
  }
  try {
    return await use(
      new Client({ connection: temporal.connection, namespace: config.temporal.namespace, dataConverter }),
    );
  } finally {
    await temporal.close();
  }
}
