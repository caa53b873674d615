import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collections } from '../../store/collections';
import { ensureIndexes } from '../../store/collections';
import { cliEnv, runCli } from '../helpers/cli';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';

/**
 * `vouch enroll`: the QR image lands in a private temporary folder (or --qr-file), never the working
 * directory; a place it cannot write stops the enrollment before anything is stored; a Slack id is
 * checked with users.info first.
 */
describe('vouch enroll', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  let slack: SlackStandIn;
  let env: Record<string, string>;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-clone-'));

  beforeAll(async () => {
    mongo = await isolatedMongo();
    await ensureIndexes(mongo.db);
    slack = await new SlackStandIn()
      .addUser({ id: 'UANA0001', email: 'ana@example.com', name: 'Ana Lima' })
      .addUser({ id: 'UGONE0001', email: 'gone@example.com', deleted: true })
      .start();
    env = cliEnv(mongo.db, {
      VOUCH_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.url,
    });
  });
  afterAll(async () => {
    await slack?.stop();
    await mongo?.drop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const stored = (id: string) => collections(mongo.db).secondFactors.findOne({ _id: id });

  it('writes the QR image to a private temporary folder, not the working directory', async () => {
    const r = await runCli(['enroll', 'UANA0001'], env, { cwd: workDir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Enrollment for ana@example\.com \(UANA0001\)/);
    const file = /QR code image: (\S+)/.exec(r.stdout)![1]!;
    expect(path.dirname(path.dirname(file))).toBe(fs.realpathSync(os.tmpdir()));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    expect(fs.readdirSync(workDir)).toEqual([]);
    expect(slack.callsTo('users.info').map((c) => c.args.user)).toContain('UANA0001');
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('fails before storing anything when it cannot write the QR image', async () => {
    const notADir = path.join(workDir, 'a-file');
    fs.writeFileSync(notADir, '');
    const r = await runCli(
      ['enroll', 'UANA0002', '--no-slack-check', '--qr-file', path.join(notADir, 'qr.png')],
      env,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot write the QR code image to .*a-file\/qr\.png.*Nothing was stored/);
    expect(await stored('UANA0002')).toBeNull();
    fs.rmSync(notADir);
  });

  it('refuses a Slack id that Slack does not know or that is deactivated, storing nothing', async () => {
    const missing = await runCli(['enroll', 'UTYPO0001'], env, { cwd: workDir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot enroll UTYPO0001: Slack has no such user/);
    const gone = await runCli(['enroll', 'UGONE0001'], env, { cwd: workDir });
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/cannot enroll UGONE0001: that Slack account is deactivated/);
    expect(await stored('UTYPO0001')).toBeNull();
    expect(await stored('UGONE0001')).toBeNull();
    expect(fs.readdirSync(workDir)).toEqual([]);
  });

  it('without Slack configured, asks for --no-slack-check, and enrolls with it', async () => {
    const noSlack = { ...env, SLACK_BOT_TOKEN: '' };
    const qrFile = path.join(workDir, 'qr', 'ben.png');
    const refused = await runCli(['enroll', 'UBEN0001', '--qr-file', qrFile], noSlack);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/SLACK_BOT_TOKEN is not set.*--no-slack-check/);
    expect(await stored('UBEN0001')).toBeNull();
    expect(fs.existsSync(qrFile)).toBe(false);

    const done = await runCli(['enroll', 'UBEN0001', '--no-slack-check', '--qr-file', qrFile], noSlack);
    expect(done.status).toBe(0);
    expect(done.stdout).toContain(`QR code image: ${qrFile}`);
    expect(fs.statSync(qrFile).mode & 0o777).toBe(0o600);
    expect(await stored('UBEN0001')).toMatchObject({ _id: 'UBEN0001' });
  });
});
