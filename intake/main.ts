import { Client } from '@temporalio/client';
import { ClosableConnection } from '../lib/temporal-connection';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { payloadKeys, vouchDataConverter } from '../lib/payload-codec';
import { readEmbeddedKey } from '../infra/encryption-key';
import { startInterview } from '../producer';
import { collections, ensureIndexes } from '../store/collections';
import { connectMongo, redactUrl } from '../store/mongo';
import { sourceStore } from '../store/sources';
import { sourceAuthenticator } from './auth';
import { buildIntakeServer } from './server';
import { sourceMapper } from './source-mapper';

/** How long one start may wait on Temporal before the caller is told 503 and retries. */
const START_DEADLINE_MS = 10_000;
const HEALTH_DEADLINE_MS = 2_000;

/** The HTTP intake process: alerts from SIEMs in, interviews started, until SIGINT/SIGTERM. */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger('intake', config.logLevel);
  const mongo = await connectMongo(config.mongo.url, config.mongo.db);
  await ensureIndexes(mongo.db);
  const c = collections(mongo.db);
  // Lazy: the intake starts (and answers 503) while Temporal is still coming up or is down.
  const temporal = ClosableConnection.lazy({ address: config.temporal.address });
  const { connection } = temporal;
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    // The worker's key (the embedded stack's key file when the variable is unset): alerts are sealed.
    dataConverter: vouchDataConverter(
      payloadKeys(config, config.encryptionKey ?? readEmbeddedKey(config.dataDir)),
    ),
  });
  const mapSource = await sourceMapper(config.sourcesFile, config.sourceSecrets, logger);
  const app = buildIntakeServer({
    startAlert: async (alert, source) =>
      connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        // The memo names the source whose token posted it, whatever the alert's own `source` says.
        startInterview(client, alert, {
          taskQueue: config.temporal.taskQueue,
          memo: { intakeSource: source },
        }),
      ),
    authenticate: sourceAuthenticator(sourceStore(c)),
    mapSource,
    health: async () => {
      const [temporal, store] = await Promise.all([
        connection
          .withDeadline(Date.now() + HEALTH_DEADLINE_MS, () => connection.workflowService.getSystemInfo({}))
          .then(
            () => 'ok',
            (err: Error) => `unreachable: ${err.message.slice(0, 200)}`,
          ),
        mongo.db.command({ ping: 1 }).then(
          () => 'ok',
          (err: Error) => `unreachable: ${err.message.slice(0, 200)}`,
        ),
      ]);
      return { temporal, mongo: store };
    },
    bodyLimit: config.intake.bodyLimit,
    ratePerSecond: config.intake.ratePerSecond,
    logger,
  });
  await app.listen({ port: config.intake.port, host: config.intake.host });
  logger.info(
    {
      url: `http://${config.intake.host}:${config.intake.port}`,
      temporal: config.temporal.address,
      taskQueue: config.temporal.taskQueue,
      mongo: redactUrl(config.mongo.url),
    },
    'intake listening on POST /v1/alerts and /v1/sources/<name>',
  );
  const stop = () => {
    // Requests in flight finish; new ones get 503 meanwhile.
    app
      .close()
      .then(async () => {
        await temporal.close();
        await mongo.close();
      })
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
