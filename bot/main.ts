import { isIP } from 'node:net';
import { ConfigError, loadConfig, missingForSlack, productionWarnings } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { createBot } from './create-bot';

/** The bot process: the Bolt app, until SIGINT/SIGTERM. */
runMain(async () => {
  const config = loadConfig();
  const missing = missingForSlack(config);
  if (missing.length > 0)
    throw new ConfigError(
      `the Slack bot cannot start. Missing:\n${missing.map((m) => `  - ${m}`).join('\n')}`,
    );
  const logger = createLogger('bot', config.logLevel);
  for (const warning of productionWarnings(config, ['VOUCH_PUBLIC_URL'])) logger.warn(warning);
  // A passkey's relying party is the public URL's host: browsers refuse an IP address (localhost is fine).
  if (isIP(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, '')) !== 0)
    logger.warn(
      { publicUrl: config.publicUrl },
      'VOUCH_PUBLIC_URL is an IP address: browsers refuse passkeys for it; use a domain name (or localhost)',
    );
  const { app, close } = await createBot(config, logger);
  if (config.slack.appToken) {
    await app.start();
    logger.info('bot connected to Slack in Socket Mode');
  } else {
    await app.start(config.slack.botPort);
    logger.info({ port: config.slack.botPort }, 'bot listening on POST /slack/events');
  }
  const stop = () => {
    app
      .stop()
      .then(close)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
