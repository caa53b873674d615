import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../infra/processes';
import { SlackStandIn } from '../helpers/slack-stand-in';
import { startEntryPoint } from '../helpers/entry-point';
import { testServers, uniqueName } from '../helpers/servers';

/** `GET /healthz`'s status once it answers 200, or the last one when the process exits or 90 s pass. */
async function healthz(port: number, child: { exitCode: number | null }): Promise<number> {
  let status = 0;
  const deadline = Date.now() + 90_000;
  while (status !== 200 && Date.now() < deadline && child.exitCode === null) {
    status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 200) await new Promise((r) => setTimeout(r, 250));
  }
  return status;
}

/**
 * The bot process as the compose stack and the chart run it: secrets from files (<NAME>_FILE),
 * NODE_ENV=production, and `GET /healthz` for the health checks and probes.
 */
describe('bot process in production mode', () => {
  let slack: SlackStandIn;
  let dir: string;
  beforeAll(async () => {
    slack = await new SlackStandIn().start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-bot-process-'));
  });
  afterAll(async () => {
    await slack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads its secrets from files, answers /healthz, and warns about a localhost VOUCH_PUBLIC_URL', async () => {
    const secret = (name: string, value: string) => {
      fs.writeFileSync(path.join(dir, name), `${value}\n`);
      return path.join(dir, name);
    };
    const port = await freePort();
    const { child, output, exited } = startEntryPoint('bot/main.ts', {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      MONGODB_URL_FILE: secret('mongodb_url', testServers.mongoUrl),
      MONGODB_DB: uniqueName('botproc').replace('-', '_'),
      SLACK_BOT_TOKEN_FILE: secret('slack_bot_token', 'xoxb-test'),
      SLACK_SIGNING_SECRET_FILE: secret('slack_signing_secret', 'signing-secret'),
      SLACK_APP_TOKEN_FILE: secret('slack_app_token', ''),
      VOUCH_ENCRYPTION_KEY_FILE: secret('vouch_encryption_key', Buffer.alloc(32, 3).toString('base64')),
      SLACK_API_URL: slack.url,
      BOT_PORT: String(port),
    });
    try {
      const status = await healthz(port, child);
      expect({ status, output: status === 200 ? '' : output() }).toEqual({ status: 200, output: '' });
      expect(output()).toMatch(/VOUCH_PUBLIC_URL is http:\/\/localhost:\d+: employees' enrollment links/);
      expect(output()).not.toMatch(/TEMPORAL_UI_URL is/);
      expect(output()).not.toMatch(/xoxb-test|signing-secret/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it('starts for Teams alone (no Slack settings): /api/messages refuses an unsigned activity, /healthz answers, the answer and enrollment pages are on BOT_PORT, the secret is never printed', async () => {
    const port = await freePort();
    const pagesPort = await freePort();
    const { child, output, exited } = startEntryPoint('bot/main.ts', {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      MONGODB_URL: testServers.mongoUrl,
      MONGODB_DB: uniqueName('botteams').replace('-', '_'),
      VOUCH_PUBLIC_URL: 'https://vouch.example.com',
      VOUCH_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      VOUCH_TEAMS_APP_ID: '6f2c1d7e-8a4b-4c3d-9e5f-0a1b2c3d4e5f',
      VOUCH_TEAMS_APP_PASSWORD_FILE: (() => {
        fs.writeFileSync(path.join(dir, 'teams_password'), 'teams-secret-value\n');
        return path.join(dir, 'teams_password');
      })(),
      VOUCH_TEAMS_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      VOUCH_TEAMS_PORT: String(port),
      BOT_PORT: String(pagesPort),
    });
    try {
      const status = await healthz(port, child);
      expect({ status, output: status === 200 ? '' : output() }).toEqual({ status: 200, output: '' });
      const unsigned = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          channelId: 'msteams',
          serviceUrl: 'https://smba.example.com/',
        }),
      });
      expect(unsigned.status).toBe(401);
      expect(output()).toMatch(/listening for Teams on POST \/api\/messages/);
      // Without Slack's receiver the answer and enrollment pages and their passkey assets are still served.
      const pages = `http://127.0.0.1:${pagesPort}`;
      const unknownLink = await fetch(`${pages}/answer/${'x'.repeat(43)}`);
      expect(unknownLink.status).toBe(404);
      expect(await unknownLink.text()).toContain('This link is not valid.');
      expect((await fetch(`${pages}/assets/passkey.js`)).status).toBe(200);
      const unknownEnrollment = await fetch(`${pages}/enroll/${'x'.repeat(43)}`);
      expect(unknownEnrollment.status).toBe(404);
      expect(await unknownEnrollment.text()).toContain('This enrollment link is not valid.');
      expect(output()).toMatch(/serving the answer and enrollment pages without Slack/);
      expect(output()).not.toMatch(/teams-secret-value/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
