import { loadConfig, productionWarnings } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { redactUrl } from '../store/mongo';
import { createVouchWorker } from './create-worker';
import { startHeartbeat } from './heartbeat';
import { installSdkLogging } from './runtime-logging';

/** The worker process: runs interview workflows and their activities until SIGINT/SIGTERM. */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  installSdkLogging(logger);
  for (const warning of productionWarnings(config, ['TEMPORAL_UI_URL'])) logger.warn(warning);
  if (!config.slack.securityChannel)
    logger.warn(
      'VOUCH_SECURITY_CHANNEL is not set: escalations of policies that name no channel cannot be posted, so they fail closed and their notices wait until it is set',
    );
  const { run, isRunning, close } = await createVouchWorker(config, logger);
  logger.info(
    {
      temporal: config.temporal.address,
      taskQueue: config.temporal.taskQueue,
      slackActivitiesPerSecond: config.slack.activitiesPerSecond,
      mongo: redactUrl(config.mongo.url),
    },
    'worker started',
  );
  const stopHeartbeat = config.healthFile ? startHeartbeat(config.healthFile, isRunning) : () => {};
  await run().finally(stopHeartbeat); // the SDK stops it gracefully on SIGINT/SIGTERM
  await close();
  logger.info('worker stopped');
});
