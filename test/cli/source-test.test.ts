import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

const EXAMPLES = path.join(__dirname, '../../examples');
const SOURCES = path.join(EXAMPLES, 'sources.yml');

// Each test runs the CLI as a process (tsx start-up included): slow on a busy machine.
jest.setTimeout(120_000);

/** `vouch source test` run as a process, as an operator would; it needs no server. */
describe('vouch source test', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-source-test-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the alert a vendor payload maps to, from the file VOUCH_SOURCES_FILE names', async () => {
    const out = await runCli(['source', 'test', 'panther', path.join(EXAMPLES, 'payloads', 'panther.json')], {
      VOUCH_SOURCES_FILE: SOURCES,
    });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      id: 'panther-b90c19e66e160e194a5b3b94ec27fb7c',
      type: 'panther.Okta.AdminRoleAssigned',
      severity: 'high',
      employee: { email: 'ana@example.com' },
    });
  });

  it('derives the same id for a source without ids from --received-at, read from standard input', async () => {
    const sources = path.join(dir, 'sources.yml');
    fs.writeFileSync(
      sources,
      `acme:\n  map:\n    type: "'acme.login'"\n    title: what\n    severity: "'low'"\n    employee: {email: who}\n`,
    );
    const run = (at: string) =>
      runCli(
        ['source', 'test', 'acme', '-', '--sources', sources, '--received-at', at],
        {},
        {
          input: JSON.stringify({ what: 'Admin login', who: 'ana@example.com' }),
          cwd: dir,
        },
      );
    const [a, b] = [await run('2025-11-21T10:15:05Z'), await run('2025-11-21T10:15:50Z')];
    expect([a.status, a.stderr]).toEqual([0, '']);
    const alert = JSON.parse(a.stdout) as { id: string; occurredAt: string };
    expect(alert.id).toMatch(/^acme-[0-9a-f]{24}$/);
    expect(alert.occurredAt).toBe('2025-11-21T10:15:05.000Z');
    expect((JSON.parse(b.stdout) as { id: string }).id).toBe(alert.id);
  });

  it('lists each bad field with its path and exits 2', async () => {
    const payload = path.join(dir, 'bad-guardduty.json');
    const body = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'payloads', 'guardduty.json'), 'utf8'));
    body.detail.id = 'not an id';
    body.detail.resource.accessKeyDetails = { userType: 'Root' };
    fs.writeFileSync(payload, JSON.stringify(body));
    const out = await runCli(['source', 'test', 'guardduty', payload, '--sources', SOURCES], {});
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(
      `${payload} does not map to a valid alert with source "guardduty" (2 problems):`,
    );
    expect(out.stderr).toMatch(
      /\n {2}- id: must be 1–128 characters .*\(mapping id: "'guardduty-' & detail\.id"\)/,
    );
    expect(out.stderr).toMatch(
      /\n {2}- employee: needs at least one of email, slackUserId or username \(mapping employee: "email: /,
    );
  });

  it('an unknown source exits 1 naming the sources in the file; a bad file exits 2 naming source and field', async () => {
    const unknown = await runCli(['source', 'test', 'qradar', '-', '--sources', SOURCES], {});
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      `vouch: no source named qradar; sources in ${SOURCES}: azure-monitor, datadog, elastic, guardduty, panther, splunk`,
    );
    const broken = path.join(dir, 'broken.yml');
    fs.writeFileSync(
      broken,
      `acme:\n  map:\n    type: "'t'"\n    title: "what &"\n    severity: "'low'"\n    employee: who\n`,
    );
    const bad = await runCli(['source', 'test', 'acme', '-', '--sources', broken], {});
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /vouch: Invalid source mappings in .*broken\.yml: 1 problem\n {2}- acme\.map\.title: not a valid JSONata expression/,
    );
  });
});
