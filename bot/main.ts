import { isIP } from 'node:net';
import type http from 'node:http';
import { ConfigError, loadConfig, missingForSlack, productionWarnings } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { createBot } from './create-bot';
import { createPagesServer } from './pages-server';
import { teamsEnrollmentNoticesFor } from './teams/enrollment-actions';
import { createTeamsBot } from './teams/create-teams-bot';

/** The bot process: the Bolt app for Slack and the Teams endpoint, each when configured, until SIGINT/SIGTERM. */
runMain(async () => {
  const config = loadConfig();
  const missing = missingForSlack(config);
  if (missing.length > 0 && !config.teams)
    throw new ConfigError(
      `the bot cannot start: neither Slack nor Teams is configured. Missing for Slack:\n${missing.map((m) => `  - ${m}`).join('\n')}\n` +
        'or, for Teams, VOUCH_TEAMS_APP_ID with VOUCH_TEAMS_APP_PASSWORD and VOUCH_TEAMS_TENANT_ID (README "Connect Vouch to Teams").',
    );
  const logger = createLogger('bot', config.logLevel);
  for (const warning of productionWarnings(config, ['VOUCH_PUBLIC_URL'])) logger.warn(warning);
  // A passkey's relying party is the public URL's host: browsers refuse an IP address (localhost is fine).
  if (isIP(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, '')) !== 0)
    logger.warn(
      { publicUrl: config.publicUrl },
      'VOUCH_PUBLIC_URL is an IP address: browsers refuse passkeys for it; use a domain name (or localhost)',
    );
  const { app, close, interviews, db, deps } = await createBot(config, logger);
  if (app && config.slack.appToken) {
    await app.start();
    logger.info('bot connected to Slack in Socket Mode');
  } else if (app) {
    await app.start(config.slack.botPort);
    logger.info({ port: config.slack.botPort }, 'bot listening on POST /slack/events');
  }
  // Without Slack's receiver, the answer and enrollment pages (Teams' passkey links, email's links,
  // `vouch factor link`) still need BOT_PORT; enrollments are approved in the operators' Teams channel.
  let pagesServer: http.Server | undefined;
  if (!app) {
    pagesServer = createPagesServer(deps, config.teams ? [teamsEnrollmentNoticesFor(config.teams)] : []);
    await new Promise<void>((r) => pagesServer!.listen(config.slack.botPort, r));
    logger.info({ port: config.slack.botPort }, 'bot serving the answer and enrollment pages without Slack');
  }
  let teamsServer: http.Server | undefined;
  if (config.teams) {
    teamsServer = createTeamsBot(config.teams, config, logger, interviews, db, deps.held);
    const { port } = config.teams;
    await new Promise<void>((r) => teamsServer!.listen(port, r));
    logger.info({ port }, 'bot listening for Teams on POST /api/messages');
  }
  const stop = () => {
    Promise.all([
      app?.stop(),
      ...[teamsServer, pagesServer].map((server) => server && new Promise((r) => server.close(r))),
    ])
      .then(close)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
