import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyTotp } from '../../store/totp-verification';
import { keyId } from '../../lib/secret-box';
import { codeAt } from '../../lib/totp';
import { collections } from '../../store/collections';
import { isolatedMongo, testServers } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';

type Mongo = Awaited<ReturnType<typeof isolatedMongo>>;

/** Runs `vouch <args>` as an operator would, against the suite's FerretDB. */
function vouch(env: Record<string, string>, ...args: string[]) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../../cli/main.ts'), ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const secretOf = (stdout: string) => new URL(/otpauth:\/\/\S+/.exec(stdout)![0]).searchParams.get('secret')!;

describe('enrollment through the vouch CLI', () => {
  let mongo: Mongo;
  let dir: string;
  let env: Record<string, string>;
  const key = randomBytes(32);
  const slack = new SlackStandIn()
    .addUser({ id: 'UANA0001', email: 'ana@example.com', name: 'Ana Lima' })
    .addUser({ id: 'UBOB0002', email: 'bob@example.com', name: 'Bob Stone' }); // enroll checks users.info

  beforeAll(async () => {
    await slack.start();
    mongo = await isolatedMongo();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-enroll-'));
    env = {
      MONGODB_URL: testServers.mongoUrl,
      MONGODB_DB: mongo.db.databaseName,
      VOUCH_ENCRYPTION_KEY: key.toString('base64'),
      VOUCH_DATA_DIR: dir,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.url,
    };
  });
  afterAll(async () => {
    await mongo.drop();
    await slack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('enroll shows the secret once, stores it sealed and inactive until a first code confirms it', async () => {
    const c = collections(mongo.db);
    const qr = path.join(dir, 'ana.png');
    const out = await vouch(env, 'enroll', 'ana@example.com', '--qr-file', qr, '--actor', 'alice');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('ana@example.com (UANA0001) (pending until confirmed)');
    expect(out.stdout).toMatch(/[▀▄█]/); // the terminal QR code
    const secret = secretOf(out.stdout);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(slack.callsTo('users.lookupByEmail')).toHaveLength(1);

    const png = fs.readFileSync(qr);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(fs.statSync(qr).mode & 0o777).toBe(0o600);

    // The raw document holds no plaintext secret in any form.
    const raw = await mongo.db.collection('second_factors').findOne({ _id: 'UANA0001' as never });
    const text = JSON.stringify(raw);
    const bytes = Buffer.from(secret.replace(/=+$/, ''), 'ascii');
    expect(raw?.secondFactor).toMatchObject({ active: false, enrolledBy: 'alice' });
    expect(text).not.toContain(secret);
    expect(text).not.toContain(bytes.toString('hex'));
    expect(text).not.toContain(secret.toLowerCase());

    // Not active yet: a valid code counts as not enrolled.
    const now = new Date();
    expect((await verifyTotp(c, key, 'UANA0001', codeAt(secret, now.getTime()), now)).outcome).toBe(
      'not_enrolled',
    );

    const wrong = await vouch(env, 'factor', 'confirm', 'ana@example.com', '000000');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('the code does not match');

    const code = codeAt(secret, Date.now());
    const ok = await vouch(env, 'factor', 'confirm', 'ana@example.com', code, '--actor', 'alice');
    expect(ok.status).toBe(0);
    // The confirming code is spent: it cannot answer an interview.
    const later = new Date();
    expect((await verifyTotp(c, key, 'UANA0001', code, later)).outcome).toBe('replayed');
    expect(
      (await verifyTotp(c, key, 'UANA0001', codeAt(secret, later.getTime() + 30_000), later)).outcome,
    ).toBe('accepted');

    const again = await vouch(env, 'enroll', 'UANA0001');
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already has an active second factor: use "vouch factor reset"');
  });

  test('list, reset, revoke and history record who did what', async () => {
    const c = collections(mongo.db);
    const before = await vouch(env, 'factor', 'list', '--json');
    expect(JSON.parse(before.stdout)).toEqual([
      expect.objectContaining({
        slackUserId: 'UANA0001',
        status: 'active',
        keyId: keyId(key),
        enrolledBy: 'alice',
      }),
    ]);

    const refused = await vouch(env, 'enroll', 'UANA0001');
    expect(refused.status).toBe(2);
    expect(refused.stdout).not.toContain('otpauth://'); // no new secret was made or shown

    const reset = await vouch(
      env,
      'factor',
      'reset',
      'UANA0001',
      '--actor',
      'bob',
      '--qr-file',
      path.join(dir, 'r.png'),
    );
    expect(reset.status).toBe(0);
    const newSecret = secretOf(reset.stdout);
    const listed = JSON.parse((await vouch(env, 'factor', 'list', '--json')).stdout) as { status: string }[];
    expect(listed[0]!.status).toBe('pending');

    const confirm = await vouch(env, 'factor', 'confirm', 'UANA0001', codeAt(newSecret, Date.now()));
    expect(confirm.status).toBe(0);

    const revoke = await vouch(
      env,
      'factor',
      'revoke',
      'ana@example.com',
      '--actor',
      'carol',
      '--reason',
      'left',
    );
    expect(revoke.status).toBe(0);
    const now = new Date();
    expect((await verifyTotp(c, key, 'UANA0001', codeAt(newSecret, now.getTime()), now)).outcome).toBe(
      'not_enrolled',
    );
    const revokeAgain = await vouch(env, 'factor', 'revoke', 'UANA0001');
    expect(revokeAgain.status).toBe(2);
    expect(revokeAgain.stderr).toContain('has no second factor to revoke');

    const history = JSON.parse((await vouch(env, 'factor', 'history', 'UANA0001', '--json')).stdout) as {
      action: string;
      actor: string;
    }[];
    expect(history.map((e) => `${e.action}:${e.actor}`)).toEqual([
      'enrolled:alice',
      expect.stringMatching(/^confirmed:alice$/),
      'reset:bob',
      expect.stringMatching(/^confirmed:cli:/),
      'revoked:carol',
    ]);
  });

  test('rotate-key re-encrypts every secret; the old key then fails clearly, never silently', async () => {
    const c = collections(mongo.db);
    const enrolled = await vouch(env, 'enroll', 'UBOB0002', '--qr-file', path.join(dir, 'b.png'));
    const secret = secretOf(enrolled.stdout);
    expect((await vouch(env, 'factor', 'confirm', 'UBOB0002', codeAt(secret, Date.now()))).status).toBe(0);

    const newKey = randomBytes(32);
    const newKeyFile = path.join(dir, 'new.key');
    fs.writeFileSync(newKeyFile, newKey.toString('base64'));
    const rotated = await vouch(env, 'factor', 'rotate-key', '--new-key-file', newKeyFile);
    expect(rotated.status).toBe(0);
    expect(rotated.stdout).toContain(
      `Re-encrypted 1 secret(s) from key ${keyId(key)} to key ${keyId(newKey)}`,
    );
    expect(rotated.stdout).toContain(`add the old key (${keyId(key)}) to VOUCH_PREVIOUS_ENCRYPTION_KEYS`);
    // With the new key current and the old one listed, `factor keys` shows both and where the secret is.
    const keys = await vouch(
      {
        ...env,
        VOUCH_ENCRYPTION_KEY: newKey.toString('base64'),
        VOUCH_PREVIOUS_ENCRYPTION_KEYS: key.toString('base64'),
      },
      'factor',
      'keys',
      '--json',
    );
    expect(JSON.parse(keys.stdout)).toEqual({
      keys: [
        { keyId: keyId(newKey), role: 'current', secrets: 1 },
        { keyId: keyId(key), role: 'previous', secrets: 0 },
      ],
      unknownSecretKeys: [],
    });

    // Running it again (an interrupted rotation) finds nothing left under the old key.
    const rerun = await vouch(env, 'factor', 'rotate-key', '--new-key-file', newKeyFile);
    expect(rerun.stdout).toContain('Re-encrypted 0 secret(s)');
    expect(rerun.stdout).toContain('1 already under the new key');

    const now = new Date();
    const next = codeAt(secret, now.getTime() + 30_000);
    await expect(verifyTotp(c, key, 'UBOB0002', next, now)).rejects.toThrow(
      `sealed with key ${keyId(newKey)} but VOUCH_ENCRYPTION_KEY is key ${keyId(key)}`,
    );
    expect((await verifyTotp(c, newKey, 'UBOB0002', next, now)).outcome).toBe('accepted');

    // The secrets are under newKey now: rotating again with a current key that is not it must fail.
    const thirdKeyFile = path.join(dir, 'third.key');
    fs.writeFileSync(thirdKeyFile, randomBytes(32).toString('base64'));
    const wrongKey = await vouch(
      { ...env, VOUCH_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      'factor',
      'rotate-key',
      '--new-key-file',
      thirdKeyFile,
    );
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/^vouch: sealed with key \w+ but VOUCH_ENCRYPTION_KEY is key \w+/);

    const noKey = await vouch({ ...env, VOUCH_ENCRYPTION_KEY: '' }, 'enroll', 'UCAR0003');
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('VOUCH_ENCRYPTION_KEY is missing');

    const badFile = await vouch(env, 'factor', 'rotate-key', '--new-key-file', path.join(dir, 'b.png'));
    expect(badFile.status).toBe(2);
    expect(badFile.stderr).toContain('does not hold a key: expected 32 bytes in base64');
  });

  test('an unknown email and a malformed employee name say what to pass instead', async () => {
    const unknown = await vouch(env, 'enroll', 'nobody@example.com');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no Slack user has the email nobody@example.com');
    const noSlack = await vouch({ ...env, SLACK_BOT_TOKEN: '' }, 'enroll', 'nobody@example.com');
    expect(noSlack.stderr).toContain('set SLACK_BOT_TOKEN');
    const odd = await vouch(env, 'enroll', 'ana');
    expect(odd.status).toBe(2);
    expect(odd.stderr).toContain('neither an email address nor a Slack user id');
  });
});
