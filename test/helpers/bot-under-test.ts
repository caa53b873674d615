import type { App } from '@slack/bolt';
import type { Client } from '@temporalio/client';
import { createBotApp } from '../../bot/app';
import { botDeps } from '../../bot/create-bot';
import { loadConfig } from '../../lib/config';
import { createLogger, type Logger } from '../../lib/logger';
import { freePort } from '../../infra/processes';
import type { Harness } from './interview-harness';

/** The real Bolt app on a free port, talking to the harness's Slack stand-in and database. */
export async function startBot(
  harness: Harness,
  client: Client,
  opts: { signingSecret: string; operators?: string; logger?: Logger },
): Promise<{ app: App; url: string }> {
  const port = await freePort();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: opts.signingSecret,
    SLACK_API_URL: harness.slack.url,
    BOT_PORT: String(port),
    VOUCH_ENCRYPTION_KEY: harness.key.toString('base64'),
    ...(opts.operators ? { VOUCH_OPERATORS: opts.operators } : {}),
  });
  const logger = opts.logger ?? createLogger('bot-test', 'silent');
  const app = createBotApp(config, logger, botDeps(config, logger, client, harness.mongo.db));
  await app.start(port);
  return { app, url: `http://127.0.0.1:${port}/slack/events` };
}
