import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { redactUrl } from '../store/mongo';
import { createVouchWorker } from './create-worker';
import { installSdkLogging } from './runtime-logging';

/** The worker process: runs interview workflows and their activities until SIGINT/SIGTERM. */
runMain(async () => {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  installSdkLogging(logger);
  const { worker, close } = await createVouchWorker(config, logger);
  logger.info(
    {
      temporal: config.temporal.address,
      taskQueue: config.temporal.taskQueue,
      mongo: redactUrl(config.mongo.url),
    },
    'worker started',
  );
  await worker.run(); // the SDK stops it gracefully on SIGINT/SIGTERM
  await close();
  logger.info('worker stopped');
});
