import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { connectMongo } from '../store/mongo';
import { ensureIndexes } from '../store/collections';
import { createActivities } from '../activities';
import { createSlackClient } from '../activities/slack-client';
import { seedPolicies } from './seed-policies';

/** Builds a worker with its connections; `run()` it, and `close()` once it has stopped. */
export async function createVouchWorker(
  config: Config,
  logger: Logger,
  overrides: Partial<WorkerOptions> = {},
): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const mongo = await connectMongo(config.mongo.url, config.mongo.db);
  await ensureIndexes(mongo.db);
  await seedPolicies(mongo.db, config.policiesFile, logger).catch(async (err: unknown) => {
    await mongo.close();
    throw err;
  });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({
      db: mongo.db,
      logger,
      slack: config.slack.botToken
        ? createSlackClient(config.slack.botToken, config.slack.apiUrl)
        : undefined,
      securityChannel: config.slack.securityChannel,
      encryptionKey: config.encryptionKey,
      temporalUiUrl: config.temporal.uiUrl,
      namespace: config.temporal.namespace,
      pagerDutyUrl: config.escalation.pagerDutyUrl,
      webhookSecrets: config.escalation.webhookSecrets,
      llm: config.llm,
    }),
    ...(overrides.workflowBundle ? {} : { workflowsPath: require.resolve('../workflows') }),
    ...overrides,
  });
  return {
    worker,
    close: async () => {
      await connection.close();
      await mongo.close();
    },
  };
}
