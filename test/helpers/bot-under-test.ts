import type { App } from '@slack/bolt';
import { Client as ClientOf, type Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { ClosableConnection } from '../../lib/temporal-connection';
import { createBotApp } from '../../bot/app';
import { botDeps } from '../../bot/create-bot';
import { loadConfig } from '../../lib/config';
import { createLogger, type Logger } from '../../lib/logger';
import { freePort } from '../../infra/processes';
import { type Harness, createDevServerHarness } from './interview-harness';
import { PagerDutyStandIn } from './pagerduty-stand-in';

/** The real Bolt app on a free port, talking to the harness's Slack stand-in and database. */
export async function startBot(
  harness: Harness,
  client: Client,
  opts: {
    signingSecret: string;
    operators?: string;
    logger?: Logger;
    /** A port chosen beforehand (the answer page's links name it); default: a free one. */
    port?: number;
    /** VOUCH_PUBLIC_URL: where the enrollment and answer pages are; default http://localhost:<port>. */
    publicUrl?: string;
    /** Deliver held answers at the start and then every 15 s, as the bot process does (bot/create-bot.ts). */
    deliverHeld?: boolean;
  },
): Promise<{ app: App; url: string; stop: () => Promise<void> }> {
  const port = opts.port ?? (await freePort());
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: opts.signingSecret,
    SLACK_API_URL: harness.slack.url,
    BOT_PORT: String(port),
    VOUCH_ENCRYPTION_KEY: harness.key.toString('base64'),
    ...(opts.operators ? { VOUCH_OPERATORS: opts.operators } : {}),
    ...(opts.publicUrl ? { VOUCH_PUBLIC_URL: opts.publicUrl } : {}),
  });
  const logger = opts.logger ?? createLogger('bot-test', 'silent');
  const deps = botDeps(config, logger, client, harness.mongo.db);
  const app = createBotApp(config, logger, deps);
  await app.start(port);
  const stopDelivering = opts.deliverHeld ? deps.held.start() : () => {};
  return {
    app,
    url: `http://127.0.0.1:${port}/slack/events`,
    stop: async () => {
      stopDelivering();
      await app.stop();
    },
  };
}

/**
 * The dev-server harness with a PagerDuty stand-in as the escalation target and the real bot in front:
 * what a test of an employee's or manager's clicks through to PagerDuty needs.
 */
export async function harnessWithBotAndPagerDuty(signingSecret: string) {
  const pd = await new PagerDutyStandIn().start();
  const h = await createDevServerHarness({
    activityDeps: { pagerDutyUrl: pd.url, outboundAllowHosts: ['127.0.0.1'] }, // the stand-in is local
  });
  const bot = await startBot(h, h.client, { signingSecret });
  return {
    h,
    pd,
    bot,
    async teardown() {
      await bot.app.stop();
      await h.teardown();
      await pd.stop();
    },
  };
}

/**
 * The real Bolt app serving the enrollment and passkey pages on `VOUCH_PUBLIC_URL` = its own address,
 * without Temporal (a lazy connection to nowhere proves the pages need none).
 */
export async function startPagesBot(opts: {
  slackUrl: string;
  db: Db;
  key: Buffer;
  signingSecret: string;
  operators: string;
  securityChannel: string;
  /** The host in the public URL: browsers refuse passkeys for an IP address, so a browser test says localhost. */
  host?: string;
  /** More settings (e.g. Teams'). */
  env?: Record<string, string>;
}): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const base = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: opts.signingSecret,
    SLACK_API_URL: opts.slackUrl,
    BOT_PORT: String(port),
    VOUCH_OPERATORS: opts.operators,
    VOUCH_SECURITY_CHANNEL: opts.securityChannel,
    VOUCH_ENCRYPTION_KEY: opts.key.toString('base64'),
    VOUCH_PUBLIC_URL: base,
    ...opts.env,
  });
  const connection = ClosableConnection.lazy({ address: '127.0.0.1:1' });
  const logger = createLogger('bot-test', 'silent');
  const app = createBotApp(
    config,
    logger,
    botDeps(config, logger, new ClientOf({ connection: connection.connection }), opts.db),
  );
  await app.start(port);
  return {
    base,
    async stop() {
      await app.stop();
      await connection.close();
    },
  };
}
