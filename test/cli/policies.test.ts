import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../lib/logger';
import { InvalidPolicyError, parsePolicyFile } from '../../shared/policy-file';
import { DEFAULT_POLICY } from '../../shared/policy';
import { inertText, renderTemplate } from '../../shared/templates';
import { collections } from '../../store/collections';
import { policyStore } from '../../store/policies';
import { seedPolicies } from '../../worker/seed-policies';
import { cliEnv, runCli } from '../helpers/cli';
import { isolatedMongo } from '../helpers/servers';

const example = path.join(__dirname, '../../examples/policies.yml');
const ROUTING_KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';

function problemsOf(text: string, type?: string): string[] {
  try {
    parsePolicyFile(text, 'test.yml', type);
  } catch (err) {
    if (err instanceof InvalidPolicyError) return err.problems.map((p) => `${p.field}: ${p.problem}`);
    throw err;
  }
  return [];
}

describe('policy files', () => {
  it('the shipped example is valid and covers the default and a disabled type', () => {
    const policies = parsePolicyFile(fs.readFileSync(example, 'utf8'), example);
    expect([...policies.keys()]).toEqual(
      expect.arrayContaining(['default', 'aws.root_login', 'github.repo_cloned']),
    );
    expect(policies.get('github.repo_cloned')).toEqual({ enabled: false });
  });

  it('names every bad field with its path and the fix', () => {
    const problems = problemsOf(`
aws.root_login:
  mode: aproval
  approvl: {}
  approval: { timeout: 5x, approvers: [X1] }
  escalation: { pagerDuty: { routingKey: short }, webhook: { url: 'ftp://x', secret: 'a b' } }
  messages: { intro: "Hi {{name}}" }
"bad type!": {}
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'aws.root_login.mode: expected one of "automatic", "approval"',
        'aws.root_login: unknown field "approvl": did you mean "approval"?',
        expect.stringMatching(/^aws\.root_login\.approval\.timeout: expected a duration such as "15m"/),
        expect.stringMatching(/^aws\.root_login\.approval\.approvers\.0: expected a Slack user id/),
        expect.stringMatching(
          /^aws\.root_login\.escalation\.pagerDuty\.routingKey: expected the 32-character/,
        ),
        'aws.root_login.escalation.webhook.url: expected an http(s) URL',
        expect.stringMatching(/^aws\.root_login\.escalation\.webhook\.secret: expected the name of a secret/),
        expect.stringMatching(
          /^aws\.root_login\.messages\.intro: unknown placeholder \{\{name\}\}: use \{\{title\}\}/,
        ),
        expect.stringMatching(/^bad type!: an alert type is/),
      ]),
    );
    expect(problems).toHaveLength(9);
    expect(problemsOf('deadline: 4h\nmessages: { reminder: "<!here> answer" }', 't')).toEqual([
      expect.stringMatching(/^t\.messages\.reminder: must not notify a whole channel/),
    ]);
    expect(
      problemsOf('escalation: { webhook: { url: "http://soar.example.com/hook", secret: soar } }', 'w'),
    ).toEqual([
      'w.escalation.webhook.url: expected an https URL (plain http only to localhost): the report holds personal data',
    ]);
    expect(
      problemsOf('escalation: { webhook: { url: "http://127.0.0.1:8080/hook", secret: soar } }', 'w'),
    ).toEqual([]);
    expect(problemsOf('a: [')).toEqual([expect.stringMatching(/^line 1: .*not valid YAML or JSON$/)]);
    expect(problemsOf('[1, 2]')).toEqual([
      expect.stringMatching(/expected a map of alert types to policies/),
    ]);
  });
});

describe('message templates', () => {
  it('alert data in a placeholder cannot mention, broadcast, link or add lines', () => {
    const hostile = 'Hi <!channel> <@U0ADMIN> <https://evil.example/login|click here> *now*\n\n> fake quote';
    const text = renderTemplate('Alert: {{title}} from {{detail.ip}} ({{detail.missing}})', {
      title: hostile,
      'detail.ip': 'https://evil.example/x and www.evil.example',
    });
    expect(text).not.toMatch(/<[!@#]/);
    expect(text).not.toMatch(/<https?:/);
    expect(text).not.toMatch(/https?:\/\//);
    expect(text).not.toContain('evil.example');
    expect(text).not.toContain('\n');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('https[:]//evil[.]example/x');
    expect(text).toContain('(unknown)');
    expect(inertText('x'.repeat(500))).toHaveLength(300);
  });
});

describe('vouch policy (CLI) and seeding, on FerretDB', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    mongo = await isolatedMongo();
    env = cliEnv(mongo.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-policies-'));
  });
  afterAll(async () => {
    await mongo?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('set, list, show (routing key hidden), show --effective, delete, with exit codes', async () => {
    const file = path.join(dir, 'p.yml');
    fs.writeFileSync(
      file,
      fs.readFileSync(example, 'utf8') +
        `\nokta.mfa_reset:\n  escalation: { pagerDuty: { routingKey: ${ROUTING_KEY} } }\n`,
    );
    const set = await runCli(['policy', 'set', file, '--json'], env);
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual(
      expect.arrayContaining([{ type: 'aws.root_login', result: 'created' }]),
    );
    expect(set.stderr).toMatch(/"soar" is not in VOUCH_WEBHOOK_SECRETS/);
    const again = await runCli(['policy', 'set', file, '--json'], env);
    expect(JSON.parse(again.stdout)).toEqual(
      expect.arrayContaining([{ type: 'aws.root_login', result: 'unchanged' }]),
    );

    const list = await runCli(['policy', 'list'], env);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^aws\.root_login\s+approval, deadline 30m/m);
    expect(list.stdout).toMatch(/^github\.repo_cloned\s+disabled/m);
    expect(list.stdout).not.toContain(ROUTING_KEY);
    const listed = JSON.parse((await runCli(['policy', 'list', '--json'], env)).stdout) as { type: string }[];
    expect(listed.map((p) => p.type)).toEqual([
      'aws.admin_added',
      'aws.root_login',
      'default',
      'github.repo_cloned',
      'okta.mfa_reset',
    ]);

    const shown = await runCli(['policy', 'show', 'okta.mfa_reset'], env);
    expect(shown.stdout).toContain('routingKey: …IJKL');
    expect(shown.stdout).not.toContain(ROUTING_KEY);
    const revealed = await runCli(['policy', 'show', 'okta.mfa_reset', '--reveal', '--json'], env);
    expect(JSON.parse(revealed.stdout).settings.escalation.pagerDuty.routingKey).toBe(ROUTING_KEY);

    // A type without a policy gets "default", with every default filled in.
    const effective = await runCli(['policy', 'show', 'never.seen', '--effective', '--json'], env);
    expect(JSON.parse(effective.stdout)).toMatchObject({
      source: 'policies/default',
      settings: { ...DEFAULT_POLICY, reminders: ['15m', '1h'] },
    });
    const missing = await runCli(['policy', 'show', 'never.seen'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no policy stored for "never\.seen"/);

    expect((await runCli(['policy', 'delete', 'github.repo_cloned'], env)).status).toBe(0);
    expect((await runCli(['policy', 'delete', 'github.repo_cloned'], env)).status).toBe(1);
  });

  it('an invalid file stores nothing and exits 2, naming the field', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ deadline: '4 fortnights' }));
    const run = await runCli(['policy', 'set', file, '--type', 'aws.key_created'], env);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/aws\.key_created\.deadline: expected a duration/);
    expect(await policyStore(collections(mongo.db)).get('aws.key_created')).toBeNull();
    expect((await runCli(['policy', 'set', path.join(dir, 'absent.yml')], env)).status).toBe(2);
    expect((await runCli(['policy', 'frobnicate'], env)).status).toBe(2);
    const help = await runCli(['policy', 'show', '--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--effective/);
  });

  it('the worker seeds policies.yml at start (upsert; says what it did), and refuses an invalid one', async () => {
    const own = await isolatedMongo();
    const db = own.db;
    let logged = '';
    const logger = createLogger('test', 'info', { write: (line: string) => void (logged += line) });
    const file = path.join(dir, 'policies.yml');
    expect(await seedPolicies(db, file, logger)).toEqual([]); // no file: nothing
    fs.copyFileSync(example, file);
    const first = await seedPolicies(db, file, logger);
    expect(first).toContainEqual({ type: 'aws.root_login', result: 'created' });
    // The example's webhook names a secret this worker does not have: said at once, not at the first escalation.
    expect(logged).toContain('policy aws.root_login: its webhook names the secret \\"soar\\"');
    logged = '';
    await seedPolicies(db, file, logger, { soar: 'x'.repeat(32) });
    expect(logged).not.toContain('its webhook names the secret');
    await policyStore(collections(db)).set('okta.other', { deadline: '1h' }, 'cli:test');
    const second = await seedPolicies(db, file, logger);
    expect(second.every((r) => r.result === 'unchanged')).toBe(true);
    expect(await policyStore(collections(db)).get('okta.other')).toMatchObject({ deadline: '1h' });
    const doc = await policyStore(collections(db)).get('aws.root_login');
    expect(doc).toMatchObject({ mode: 'approval', updatedBy: 'seed:policies.yml' });
    fs.writeFileSync(file, 'default: { deadline: soon }\n');
    await expect(seedPolicies(db, file, logger)).rejects.toThrow(/default\.deadline: expected a duration/);
    // A verdict receiver whose secret this worker lacks stops the start, naming the field and the fix.
    fs.writeFileSync(file, 'aws.x: { verdicts: [{ url: "https://siem.example.com/v", secretName: soc }] }\n');
    await expect(seedPolicies(db, file, logger, {}, { other: 'whsec_x' })).rejects.toThrow(
      /aws\.x\.verdicts\.0\.secretName: "soc" is not a secret in VOUCH_VERDICT_SECRETS: add soc=whsec_… there/,
    );
    expect(await seedPolicies(db, file, logger, {}, { soc: 'whsec_x' })).toEqual([
      { type: 'aws.x', result: 'created' },
    ]);
    fs.writeFileSync(file, 'aws.x: { verdicts: [{ url: "https://siem.example.com/v", secret: soc }] }\n');
    await expect(seedPolicies(db, file, logger)).rejects.toThrow(/aws\.x\.verdicts\.0/);
    await own.drop();
  });
});
