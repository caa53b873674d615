import {
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
  bundleWorkflowCode,
} from '@temporalio/worker';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { connectMongo } from '../store/mongo';
import { collections, ensureIndexes } from '../store/collections';
import { pruneSpentClaims } from '../store/housekeeping';
import { recordMigration } from '../store/migration';

const PRUNE_EVERY_MS = 10 * 60_000;
import { createActivities } from '../activities';
import { createSlackClient } from '../activities/slack-client';
import { createMailDeps } from '../activities/channels/mailer';
import { createTeamsDeps } from '../activities/channels/teams';
import { SlackRateLimiter } from '../activities/slack-rate-limiter';
import { seedPolicies } from './seed-policies';
import { createSlackQueueWorker } from './slack-queue-worker';
import { createRollupQueueWorker } from './rollup-queue-worker';
import { payloadKeys, vouchDataConverter } from '../lib/payload-codec';
import { attemptClock } from '../activities/attempt-clock';

/**
 * Builds the worker of the interview task queue and the workers of its Slack and rollup task queues,
 * with their connections; `run()` runs them until they stop, and `close()` releases the connections after.
 */
export async function createVouchWorker(
  config: Config,
  logger: Logger,
  overrides: Partial<WorkerOptions> = {},
): Promise<{
  worker: Worker;
  slackWorker: Worker;
  rollupWorker: Worker;
  run: () => Promise<void>;
  isRunning: () => boolean;
  close: () => Promise<void>;
}> {
  const mongo = await connectMongo(config.mongo.url, config.mongo.db);
  await ensureIndexes(mongo.db);
  await seedPolicies(
    mongo.db,
    config.policiesFile,
    logger,
    config.escalation.webhookSecrets,
    config.verdicts.secrets,
  ).catch(async (err: unknown) => {
    await mongo.close();
    throw err;
  });
  // Spent second-factor claims are pruned at start and every 10 minutes while the worker runs.
  const prune = () =>
    pruneSpentClaims(collections(mongo.db), new Date())
      .then((n) => {
        if (Object.values(n).some((count) => count > 0)) logger.debug(n, 'pruned spent claims');
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not prune spent claims'));
  await prune();
  const pruning = setInterval(() => void prune(), PRUNE_EVERY_MS);
  pruning.unref();
  // Alerts stored by earlier releases are brought up to date in the background, so an operator need
  // do nothing at upgrade (interviews in flight upgrade their own record at their next write meanwhile).
  let stopping = false;
  const migrating = recordMigration(collections(mongo.db))
    .migrateAll(undefined, () => stopping)
    .then((n) => {
      if (n.alerts + n.auditEntries > 0) logger.info(n, 'migrated alerts stored by an earlier release');
      if (n.busy > 0) logger.warn(n, 'some alerts were busy and are not migrated yet: run vouch migrate');
    })
    .catch((err: unknown) => logger.warn({ err }, 'could not migrate stored alerts: run vouch migrate'));
  if (!config.encryptionKey)
    logger.warn('VOUCH_ENCRYPTION_KEY is unset: payloads go to Temporal in plain text');
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const dataConverter = vouchDataConverter(payloadKeys(config));
  const limiter = new SlackRateLimiter({
    share: config.slack.rateShare,
    budgetScale: config.slack.budgetScale,
  });
  const activities = createActivities({
    db: mongo.db,
    logger,
    slack: config.slack.botToken
      ? createSlackClient(config.slack.botToken, config.slack.apiUrl, limiter)
      : undefined,
    securityChannel: config.slack.securityChannel,
    encryptionKey: config.encryptionKey,
    temporalUiUrl: config.temporal.uiUrl,
    namespace: config.temporal.namespace,
    pagerDutyUrl: config.escalation.pagerDutyUrl,
    webhookSecrets: config.escalation.webhookSecrets,
    outboundAllowHosts: config.outboundAllowHosts,
    linkHosts: config.linkHosts,
    llm: config.llm,
    mail: createMailDeps(config),
    teams: createTeamsDeps(config),
  });
  // Bundled once for the interview worker and the coordinators' worker.
  const workflowBundle =
    overrides.workflowBundle ??
    (await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: Runtime.instance().logger,
    }));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter,
    activities,
    interceptors: { activity: [attemptClock] },
    maxCachedWorkflows: config.maxCachedWorkflows,
    ...overrides,
    workflowBundle,
  });
  const slackWorker = await createSlackQueueWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    activitiesPerSecond: config.slack.activitiesPerSecond,
    dataConverter,
  });
  const rollupWorker = await createRollupQueueWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    dataConverter,
  });
  const all = [worker, slackWorker, rollupWorker];
  return {
    worker,
    slackWorker,
    rollupWorker,
    // One stopping (a fatal error) stops the others: the process exits and is restarted whole.
    run: async () => {
      const stopOthers = () => {
        for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
      };
      await Promise.all(all.map((w) => w.run().finally(stopOthers)));
    },
    isRunning: () => all.every((w) => w.getState() === 'RUNNING'),
    close: async () => {
      clearInterval(pruning);
      stopping = true;
      await migrating;
      await connection.close();
      await mongo.close();
    },
  };
}
