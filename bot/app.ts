import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { BotDeps } from './deps';
import { registerInterviewActions } from './listeners/interview-actions';
import { registerManagerActions } from './listeners/manager-actions';
import { registerOperatorActions } from './listeners/operator-actions';
import { registerSecondFactorView } from './listeners/second-factor-view';
import { registerSnoozeActions } from './listeners/snooze';
import { registerThreadReplies } from './listeners/thread-replies';
import { registerEnrollmentApproval } from './listeners/enrollment-approval';
import { registerVouchCommand } from './listeners/vouch-command';
import { firstReachable, slackEnrollmentNotices } from './enrollment-notices';
import { pageRoutes } from './pages-server';
import { teamsEnrollmentNoticesFor } from './teams/enrollment-actions';
import { boltLogger } from './bolt-logger';
import { MAX_REQUEST_BYTES, boundServer, boundedRequests } from './request-limits';
import { earlyAckForClicks } from './early-ack';

/**
 * The Bolt app: the HTTP receiver at POST /slack/events (every request's signature verified, every
 * body size-limited before it is read: bot/request-limits.ts) or Socket Mode when SLACK_APP_TOKEN is
 * set. It turns Slack interactions into workflow signals and updates; the
 * listeners are registered from bot/listeners.
 */
export function createBotApp(config: Config, logger: Logger, deps: BotDeps): App {
  // The enrollment and answer pages and the passkey routes are served by the same HTTP server; they
  // post to Slack with the app's client, and to the operators' Teams channel when Slack has no
  // security channel or refuses the message.
  const notices = firstReachable(
    logger,
    slackEnrollmentNotices(deps, () => app.client),
    ...(config.teams ? [teamsEnrollmentNoticesFor(config.teams)] : []),
  );
  const app: App = createReceiverApp(config, logger, pageRoutes(deps, notices));
  registerInterviewActions(app, deps);
  registerManagerActions(app, deps);
  registerSecondFactorView(app, deps);
  registerOperatorActions(app, deps);
  registerSnoozeActions(app, deps);
  registerThreadReplies(app, deps);
  registerEnrollmentApproval(app, deps);
  registerVouchCommand(app, deps);
  // A listener that throws is logged; the process carries on with the next request.
  app.error(async (error) => {
    logger.error({ err: error }, 'listener failed');
  });
  return app;
}

function createReceiverApp(config: Config, logger: Logger, routes: CustomRoute[]): App {
  const { botToken, signingSecret, appToken, apiUrl } = config.slack;
  // Few retries: a listener has seconds, not minutes (the client's default retries for ~30 minutes).
  const clientOptions = { slackApiUrl: apiUrl, retryConfig: { retries: 2, factor: 1.5, maxTimeout: 1000 } };
  const logs = boltLogger(logger);
  // At trace level Bolt logs every payload it receives (its developer mode): structured and redacted
  // by bot/bolt-logger.ts, so what an employee typed into a modal never reaches the log.
  const developerMode = logger.level === 'trace';
  const customRoutes: CustomRoute[] = [
    ...routes,
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      },
    },
  ];
  if (appToken) {
    // Socket Mode: Slack's events come over the WebSocket; the pages are served on BOT_PORT.
    const receiver = new SocketModeReceiver({
      appToken,
      logger: logs,
      customRoutes,
      installerOptions: { port: config.slack.botPort, clientOptions: { slackApiUrl: apiUrl } },
    });
    // Bolt keeps the page server private; the size guard goes in front of its request listener.
    const pages = (receiver as unknown as { httpServer?: Server }).httpServer;
    if (pages) boundServer(pages);
    return new App({
      token: botToken,
      receiver,
      socketMode: true,
      developerMode,
      clientOptions,
      logger: logs,
    });
  }
  const receiver = new HTTPReceiver({
    signingSecret: signingSecret ?? '',
    endpoints: '/slack/events',
    logger: logs,
    customRoutes,
    bodyLimit: MAX_REQUEST_BYTES,
  });
  receiver.requestListener = boundedRequests(
    earlyAckForClicks(receiver.requestListener, {
      signingSecret: signingSecret ?? '',
      bodyLimit: MAX_REQUEST_BYTES,
      app: () => app,
      logger,
    }),
  );
  const app: App = new App({
    token: botToken,
    receiver,
    socketMode: false,
    developerMode,
    clientOptions,
    logger: logs,
  });
  return app;
}
