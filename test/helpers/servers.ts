import { randomBytes } from 'node:crypto';
import { Connection, Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { connectMongo, type MongoHandle } from '../../store/mongo';

/** Access to the suite's real servers (started in test/global-setup.ts), isolated per test. */

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the tests with \`npm test\` (jest's global setup sets it)`);
  return value;
}

export const testServers = {
  get mongoUrl() {
    return required('VOUCH_TEST_MONGODB_URL');
  },
  get temporalAddress() {
    return required('VOUCH_TEST_TEMPORAL_ADDRESS');
  },
  get timeSkippingServer() {
    return required('VOUCH_TEST_TIME_SKIPPING_SERVER');
  },
  get temporalCli() {
    return required('VOUCH_TEST_TEMPORAL_CLI');
  },
  get dir() {
    return required('VOUCH_TEST_DIR');
  },
};

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A fresh database of its own on the suite's FerretDB; `drop()` it after the test. */
export async function isolatedMongo(): Promise<MongoHandle & { drop(): Promise<void> }> {
  const handle = await connectMongo(testServers.mongoUrl, uniqueName('t').replace('-', '_'));
  return {
    ...handle,
    drop: async () => {
      await handle.db.dropDatabase();
      await handle.close();
    },
  };
}

/** Client and worker connections to the suite's Temporal dev server. */
export async function devServerConnections() {
  const connection = await Connection.connect({ address: testServers.temporalAddress });
  const nativeConnection = await NativeConnection.connect({ address: testServers.temporalAddress });
  return {
    client: new Client({ connection }),
    nativeConnection,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}
