import { randomBytes } from 'node:crypto';
import { codeAt } from '../../lib/totp';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { passkeyStore } from '../../store/passkeys';
import { secondFactors } from '../../store/second-factors';
import { verifyTotp } from '../../store/totp-verification';
import { cliEnv, runCli } from '../helpers/cli';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';

/**
 * `vouch factor` for an employee the directory knows only by email: the factor is kept under
 * `email:<address>`, every command takes the email, and a factor kept by Slack id is found as before.
 */
describe('vouch factor for an employee without Slack', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  const slack = new SlackStandIn().addUser({ id: 'UANA0001', email: 'ana@example.com', name: 'Ana Lima' });
  const key = randomBytes(32);
  let env: Record<string, string>;

  beforeAll(async () => {
    await slack.start();
    mongo = await isolatedMongo();
    env = cliEnv(mongo.db, {
      VOUCH_ENCRYPTION_KEY: key.toString('base64'),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.url,
      VOUCH_PUBLIC_URL: 'https://vouch.example.com',
      VOUCH_SECURITY_CHANNEL: 'CSECURITY',
    });
    await directoryStore(collections(mongo.db)).set(
      { email: 'carla@example.com', name: 'Carla Contractor', aliases: [] },
      'test',
    );
  });
  afterAll(async () => {
    await mongo?.drop();
    await slack.stop();
  });

  test('enroll, confirm, list, history, link and revoke by email', async () => {
    const c = collections(mongo.db);
    const enrolled = await runCli(['factor', 'enroll', 'Carla@Example.com', '--actor', 'alice'], env);
    expect(enrolled.stderr).toBe('');
    expect(enrolled.status).toBe(0);
    expect(enrolled.stdout).toContain('carla@example.com (no Slack) (pending until confirmed)');
    // Slack was asked (it does not know her) and not told anything; no users.info check for a non-Slack id.
    expect(slack.callsTo('users.lookupByEmail')).toHaveLength(1);
    expect(slack.callsTo('users.info')).toHaveLength(0);
    const secret = new URL(/otpauth:\/\/\S+/.exec(enrolled.stdout)![0]).searchParams.get('secret')!;
    expect(await c.secondFactors.findOne({ _id: 'email:carla@example.com' })).toMatchObject({
      secondFactor: { active: false, enrolledBy: 'alice' },
    });

    const now = Date.now();
    const confirmed = await runCli(['factor', 'confirm', 'carla@example.com', codeAt(secret, now)], env);
    expect(confirmed.stdout).toContain('carla@example.com (no Slack) is active');
    // The code path of an interview finds it by the same key; the confirming code is spent.
    const later = new Date(now + 30_000);
    expect(
      (await verifyTotp(c, key, 'email:carla@example.com', codeAt(secret, later.getTime()), later)).outcome,
    ).toBe('accepted');

    const list = await runCli(['factor', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        factor: 'totp',
        employee: 'email:carla@example.com',
        email: 'carla@example.com',
        name: 'Carla Contractor',
        status: 'active',
      }),
    ]);
    expect(JSON.parse(list.stdout)[0]).not.toHaveProperty('slackUserId');
    expect((await runCli(['factor', 'list'], env)).stdout).toMatch(
      /carla@example\.com\s+\(no Slack\)\s+active/,
    );

    const link = await runCli(['factor', 'link', 'carla@example.com'], env);
    expect(link.status).toBe(0);
    const token = /https:\/\/vouch\.example\.com\/enroll\/([\w-]{43})/.exec(link.stdout)?.[1];
    expect(token).toBeDefined();
    expect(await c.enrollmentLinks.countDocuments({ employee: 'email:carla@example.com' })).toBe(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0); // nothing goes to Slack for it

    const revoked = await runCli(['factor', 'revoke', 'carla@example.com', '--reason', 'left'], env);
    expect(revoked.status).toBe(0);
    expect(await secondFactors(c, key).isActive('email:carla@example.com')).toBe(false);
    const history = JSON.parse(
      (await runCli(['factor', 'history', 'carla@example.com', '--json'], env)).stdout,
    );
    expect(history.map((e: { action: string }) => e.action)).toEqual(['enrolled', 'confirmed', 'revoked']);
  });

  test("a Teams-only organisation: link needs the operators' Teams channel, then works without Slack", async () => {
    const c = collections(mongo.db);
    await directoryStore(c).set(
      { email: 'tina@example.com', aadObjectId: '6b4e3a7d-8c9f-4a01-9b2c-c4d5e6f70819', aliases: [] },
      'test',
    );
    const teamsOnly = cliEnv(mongo.db, {
      VOUCH_ENCRYPTION_KEY: key.toString('base64'),
      VOUCH_PUBLIC_URL: 'https://vouch.example.com',
      VOUCH_TEAMS_APP_ID: '6f2c1d7e-8a4b-4c3d-9e5f-0a1b2c3d4e5f',
      VOUCH_TEAMS_APP_PASSWORD: 'teams-client-secret',
      VOUCH_TEAMS_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    const refused = await runCli(['factor', 'link', 'tina@example.com'], teamsOnly);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('neither VOUCH_SECURITY_CHANNEL nor VOUCH_TEAMS_OPERATORS_CONVERSATION');
    expect(await c.enrollmentLinks.countDocuments({ employee: 'email:tina@example.com' })).toBe(0);

    const link = await runCli(['factor', 'link', 'tina@example.com'], {
      ...teamsOnly,
      VOUCH_TEAMS_OPERATORS_CONVERSATION: '19:vouch-operators@thread.tacv2',
    });
    expect(link.stderr).toBe('');
    expect(link.stdout).toMatch(/https:\/\/vouch\.example\.com\/enroll\/[\w-]{43}/);
    expect(link.stdout).toContain("the operators' Teams channel");
    expect(await c.enrollmentLinks.countDocuments({ employee: 'email:tina@example.com' })).toBe(1);
  });

  test('an employee Slack knows keeps the Slack id as key; an unknown email is refused', async () => {
    const c = collections(mongo.db);
    // A factor stored by Slack id, as before employee keys, is found by email and by id.
    await secondFactors(c, key).begin(
      { slackUserId: 'UANA0001', email: 'ana@example.com' },
      'old',
      new Date(),
    );
    const list = JSON.parse((await runCli(['factor', 'list', '--json'], env)).stdout);
    expect(list).toContainEqual(
      expect.objectContaining({ employee: 'UANA0001', slackUserId: 'UANA0001', status: 'pending' }),
    );
    expect((await runCli(['factor', 'revoke', 'ana@example.com'], env)).stdout).toContain(
      'ana@example.com (UANA0001) revoked',
    );
    const unknown = await runCli(['factor', 'enroll', 'nobody@example.com'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('the directory does not list it');
    expect(await c.secondFactors.countDocuments({ _id: 'email:nobody@example.com' })).toBe(0);
  });

  test('list shows passkeys; revoke --passkey removes one or all, recorded', async () => {
    const c = collections(mongo.db);
    const store = passkeyStore(c);
    const passkey = (id: string) => ({
      _id: id,
      employee: 'email:carla@example.com',
      publicKey: 'cHVibGlj',
      counter: 0,
      transports: ['internal'],
      createdAt: new Date(),
      createdBy: 'enrollment page, approved by UOPS0001',
    });
    await store.add(passkey('AAAAAAAAAAAAAAAA-laptop'));
    await store.add(passkey('BBBBBBBBBBBBBBBB-phone'));
    const rows = JSON.parse((await runCli(['factor', 'list', '--json'], env)).stdout);
    expect(rows.filter((r: { factor: string }) => r.factor === 'passkey')).toEqual([
      expect.objectContaining({
        employee: 'email:carla@example.com',
        credentialId: 'AAAAAAAAAAAAAAAA-laptop',
      }),
      expect.objectContaining({ credentialId: 'BBBBBBBBBBBBBBBB-phone', name: 'Carla Contractor' }),
    ]);
    expect((await runCli(['factor', 'list'], env)).stdout).toMatch(
      /carla@example\.com\s+\(no Slack\)\s+passkey\s+id AAAAAAAAAAAA\s+enrolled .* never used/,
    );

    const unknown = await runCli(['factor', 'revoke', 'carla@example.com', '--passkey', 'ZZZZ'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('pass one of AAAAAAAAAAAA, BBBBBBBBBBBB or "all"');
    const one = await runCli(['factor', 'revoke', 'carla@example.com', '--passkey', 'AAAAAAAAAAAA'], env);
    expect(one.stdout).toContain('Revoked 1 passkey(s) of carla@example.com (no Slack): AAAAAAAAAAAA.');
    expect((await store.forEmployee('email:carla@example.com')).map((p) => p._id)).toEqual([
      'BBBBBBBBBBBBBBBB-phone',
    ]);
    const all = await runCli(
      ['factor', 'revoke', 'carla@example.com', '--passkey', 'all', '--reason', 'left'],
      env,
    );
    expect(all.status).toBe(0);
    expect(await store.hasAny('email:carla@example.com')).toBe(false);
    const history = JSON.parse(
      (await runCli(['factor', 'history', 'carla@example.com', '--json'], env)).stdout,
    );
    expect(history.slice(-2).map((e: { action: string; detail: string }) => [e.action, e.detail])).toEqual([
      ['passkey_revoked', 'passkey AAAAAAAAAAAA'],
      ['passkey_revoked', 'passkey BBBBBBBBBBBB: left'],
    ]);
  });
});
