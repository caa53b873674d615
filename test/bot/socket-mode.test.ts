import { randomBytes } from 'node:crypto';
import type { App } from '@slack/bolt';
import { Client } from '@temporalio/client';
import { ClosableConnection } from '../../lib/temporal-connection';
import { createBotApp } from '../../bot/app';
import { botDeps } from '../../bot/create-bot';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { freePort } from '../../infra/processes';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';
import { SocketModeStandIn } from '../helpers/socket-mode-stand-in';
import { buttonClick, postDeclaringLength, slashCommandFields } from '../helpers/slack-requests';

/** The bot in Socket Mode (SLACK_APP_TOKEN set) against local stand-ins of Slack's WebSocket and Web API. */
describe('Socket Mode', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  let slack: SlackStandIn;
  let socket: SocketModeStandIn;
  let app: App;
  let connection: ClosableConnection;
  let port: number;

  beforeAll(async () => {
    socket = await new SocketModeStandIn().start();
    slack = await new SlackStandIn().start();
    slack.socketModeUrl = socket.url;
    mongo = await isolatedMongo();
    port = await freePort();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-test-token',
      SLACK_API_URL: slack.url,
      BOT_PORT: String(port),
      VOUCH_OPERATORS: 'UOPS0001',
      VOUCH_SECURITY_CHANNEL: 'CSECURITY',
      VOUCH_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      VOUCH_PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    connection = ClosableConnection.lazy({ address: '127.0.0.1:1' });
    const logger = createLogger('bot-test', 'silent');
    app = createBotApp(
      config,
      logger,
      botDeps(config, logger, new Client({ connection: connection.connection }), mongo.db),
    );
    await app.start();
    await socket.connected();
  });
  afterAll(async () => {
    await app?.stop();
    await socket?.stop();
    await connection?.close();
    await slack?.stop();
    await mongo?.drop();
  });

  it('connects with the app-level token through apps.connections.open', () => {
    const open = slack.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.token).toBe('xapp-test-token');
    expect(socket.connections).toBe(1);
  });

  it('answers /vouch in the envelope acknowledgement', async () => {
    const ack = await socket.send('slash_commands', slashCommandFields('UANA0001', '/vouch', 'help'));
    expect(ack.payload).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/vouch enroll'),
    });
  });

  it('acknowledges an interaction, then checks who pressed the button', async () => {
    const ack = await socket.send(
      'interactive',
      buttonClick('UANA0001', 'vouch_escalate', 'alert-a1', 'CSECURITY'),
    );
    expect(ack.envelope_id).toBeDefined();
    const told = await slack.waitForCall('chat.postEphemeral', (c) => c.args.user === 'UANA0001');
    expect(String(told.args.text)).toContain('Only the security team');
  });

  it('publishes the App Home on app_home_opened', async () => {
    await socket.send('events_api', {
      token: 'legacy-verification-token',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: 'Ev0001',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'UANA0001', channel: 'DANA0001', tab: 'home', event_ts: '1.1' },
    });
    const published = await slack.waitForCall('views.publish', (c) => c.args.user_id === 'UANA0001');
    expect(JSON.stringify(published.args.view)).toContain('no second factor yet');
  });

  it('serves the enrollment pages on BOT_PORT, and no Slack endpoint over HTTP', async () => {
    const ack = await socket.send('slash_commands', slashCommandFields('UANA0001', '/vouch', 'enroll'));
    const link = /(http:\/\/\S+\/enroll\/[\w-]{43})/.exec((ack.payload as { text: string }).text)![1]!;
    const page = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=start',
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Your pairing code');
    const events = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
    expect(events.status).toBe(404);
  });

  it('the page server refuses an oversized body with 413 before reading it', async () => {
    const { status, ms } = await postDeclaringLength(
      `http://127.0.0.1:${port}/enroll/x`,
      5 * 1024 * 1024,
      64 * 1024,
    );
    expect(status).toBe(413);
    expect(ms).toBeLessThan(2000);
  });
});
