import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collections } from '../../store/collections';
import { cliEnv, runCli } from '../helpers/cli';
import { isolatedMongo } from '../helpers/servers';

type Mongo = Awaited<ReturnType<typeof isolatedMongo>>;

const EXAMPLE_CSV = path.join(__dirname, '../../examples/directory.csv');
const EXAMPLE_YML = path.join(__dirname, '../../examples/directory.yml');

// Each test runs the CLI several times as a process (tsx start-up included): slow on a busy machine.
jest.setTimeout(240_000);

/** `vouch directory …` run as a process, as an operator would, against the suite's FerretDB. */
describe('vouch directory', () => {
  let mongo: Mongo;
  let env: Record<string, string>;
  let dir: string;
  const vouch = (...args: string[]) => runCli(['directory', ...args], env);
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const events = () => collections(mongo.db).directoryEvents.countDocuments();

  beforeAll(async () => {
    mongo = await isolatedMongo();
    env = cliEnv(mongo.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-directory-'));
  });
  afterAll(async () => {
    await mongo.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('import of the example CSV adds its employees; list, show by email, alias and Slack id find them', async () => {
    const out = await vouch('import', EXAMPLE_CSV, '--actor', 'ops-ana');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('+ ana@example.com');
    expect(out.stdout).toContain('2 added, 0 changed, 0 unchanged');

    const list = await vouch('list', '--json');
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      {
        email: 'ana@example.com',
        slackUserId: 'U0ANA00001',
        aliases: ['alima@corp.example.com', 'ana', 'ana-lima'],
        name: 'Ana Example',
        timeZone: 'Europe/Lisbon',
        manager: 'bea@example.com',
      },
      {
        email: 'bea@example.com',
        slackUserId: 'U0BEA00002',
        aliases: ['bea', 'bsouza'],
        name: 'Bea Souza',
        timeZone: 'America/Sao_Paulo',
      },
    ]);
    for (const who of ['ana@example.com', 'ANA-Lima', 'U0ANA00001', 'alima@corp.example.com']) {
      const shown = await vouch('show', who, '--json');
      expect(shown.status).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        entry: { email: 'ana@example.com' },
        updatedBy: 'ops-ana',
      });
    }
    const text = await vouch('show', 'bsouza');
    expect(text.stdout).toMatch(/^email: +bea@example.com$/m);
    expect(text.stdout).toMatch(/^updated: .* by ops-ana$/m);
    expect(await events()).toBe(2);
  });

  test('re-importing the same employees (CSV or YAML) changes nothing', async () => {
    const before = await events();
    for (const f of [EXAMPLE_CSV, EXAMPLE_YML]) {
      const out = await vouch('import', f);
      expect(out.status).toBe(0);
      expect(out.stdout).toContain('0 added, 0 changed, 2 unchanged, 0 not in the file (kept)');
    }
    expect(await events()).toBe(before);
  });

  test('--dry-run shows added, changed, unchanged and (with --prune) removed, and writes nothing', async () => {
    const yml = file(
      'people.yml',
      [
        'employees:',
        '  - email: ana@example.com',
        '    slackUserId: U0ANA00001',
        '    aliases: [ana, ana-lima]',
        '    name: Ana Example',
        '    timeZone: Europe/Lisbon',
        '    manager: bea@example.com',
        '  - email: caio@example.com',
        '    aliases: caio; caio-gh',
        '',
      ].join('\n'),
    );
    const before = await vouch('list', '--json');
    const dry = await vouch('import', yml, '--dry-run', '--prune');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('+ caio@example.com  aliases caio caio-gh');
    expect(dry.stdout).toContain(
      '~ ana@example.com  aliases: alima@corp.example.com ana ana-lima → ana ana-lima',
    );
    expect(dry.stdout).toContain('- bea@example.com');
    expect(dry.stdout).toContain(
      'Dry run, nothing changed: would make 1 added, 1 changed, 0 unchanged, 1 removed.',
    );
    expect((await vouch('list', '--json')).stdout).toBe(before.stdout);

    const json = JSON.parse((await vouch('import', yml, '--dry-run', '--json')).stdout);
    expect(json).toMatchObject({ dryRun: true, pruned: false, unchanged: [] });
    expect(json.added.map((e: { email: string }) => e.email)).toEqual(['caio@example.com']);
    expect(json.removed.map((e: { email: string }) => e.email)).toEqual(['bea@example.com']);

    // Without --prune, employees the file does not list are kept.
    const applied = await vouch('import', yml);
    expect(applied.status).toBe(0);
    expect(applied.stdout).toContain('bea@example.com is not in the file: kept (--prune removes it)');
    expect((await vouch('show', 'caio-gh', '--json')).status).toBe(0);
    expect((await vouch('show', 'alima@corp.example.com')).status).toBe(1); // the alias the file dropped
    expect((await vouch('show', 'bsouza')).status).toBe(0);
  });

  test('an alias on two employees is an error naming both (in the file, or against the directory); nothing changes', async () => {
    const inFile = file('clash.csv', 'email,aliases\nana@example.com,ana\ndan@example.com,dan;ana\n');
    const out = await vouch('import', inFile);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain(
      'line 3: the alias "ana" is on both ana@example.com (line 2) and dan@example.com (line 3): keep it on one employee',
    );
    expect((await vouch('show', 'dan@example.com')).status).toBe(1);

    const againstStored = file('clash2.csv', 'email,aliases\ndan@example.com,dan;BSOUZA\n');
    const stored = await vouch('import', againstStored);
    expect(stored.status).toBe(2);
    expect(stored.stderr).toContain(
      'line 2: the alias "bsouza" is on both bea@example.com (already in the directory; not in this file) and dan@example.com (line 2)',
    );

    const set = await vouch('set', 'dan@example.com', '--alias', 'bsouza');
    expect(set.status).toBe(2);
    expect(set.stderr).toContain(
      'the alias "bsouza" belongs to bea@example.com and cannot also be given to dan@example.com',
    );
    expect((await vouch('show', 'dan@example.com')).status).toBe(1);
    expect(JSON.parse((await vouch('show', 'bsouza', '--json')).stdout).entry.email).toBe('bea@example.com');

    const slackClash = await vouch('set', 'dan@example.com', '--slack', 'U0BEA00002');
    expect(slackClash.status).toBe(2);
    expect(slackClash.stderr).toContain('the Slack user id U0BEA00002 belongs to bea@example.com');
  });

  test('an alias moves from one employee to another in one import', async () => {
    const moved = file(
      'move.csv',
      'email,slackUserId,aliases\nbea@example.com,U0BEA00002,bea\ncaio@example.com,,caio;caio-gh;bsouza\n',
    );
    const out = await vouch('import', moved);
    expect(out.status).toBe(0);
    expect(JSON.parse((await vouch('show', 'bsouza', '--json')).stdout).entry.email).toBe('caio@example.com');
  });

  test('invalid rows are all reported with line, field and fix; nothing is written', async () => {
    const bad = file(
      'bad.csv',
      ['email,slack,aliases,tz,team', 'ok@example.com,U0OK000001,ok,UTC,'].join('\n'),
    );
    const unknownColumn = await vouch('import', bad);
    expect(unknownColumn.status).toBe(2);
    expect(unknownColumn.stderr).toContain(
      'line 1: unknown column "team": the columns are email, slackUserId',
    );

    const rows = file(
      'rows.csv',
      [
        'email,slack,aliases,tz',
        'not-an-email,U0OK000001,ok,UTC',
        'eve@example.com,u-lower,eve,Mars/Olympus',
        '"quoted@example.com","U0QQ000001","q1;q2","Europe/Lisbon"',
        'quoted@example.com,,q3,',
      ].join('\r\n'),
    );
    const out = await vouch('import', rows);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('rows.csv has 4 problem(s), nothing was changed');
    expect(out.stderr).toContain(
      'line 2: field "email": email must be an email address, e.g. "ana@example.com"',
    );
    expect(out.stderr).toContain('line 3: field "slackUserId": must be a Slack user id such as "U024BE7LH"');
    expect(out.stderr).toContain(
      'line 3: field "timeZone": must be an IANA time zone such as "Europe/Lisbon"',
    );
    expect(out.stderr).toContain(
      'line 5: quoted@example.com is already on line 4: keep one row per employee',
    );
    expect((await vouch('show', 'quoted@example.com')).status).toBe(1);

    const yml = file('bad.yml', 'employees:\n  - email: x@example.com\n    aliases: [x]\n    slackId: U1\n');
    const ymlOut = await vouch('import', yml);
    expect(ymlOut.status).toBe(2);
    expect(ymlOut.stderr).toContain('line 2: unknown field(s) "slackId": the fields are email, slackUserId');

    expect((await vouch('import', file('people.txt', 'email\n'))).status).toBe(2);
    expect((await vouch('import', path.join(dir, 'missing.csv'))).status).toBe(2);
  });

  test('set adds or edits one employee, remove deletes it; unknown ones exit 1', async () => {
    const added = await vouch(
      'set',
      'Fay@Example.com',
      '--slack',
      'U0FAY00001',
      '--alias',
      'fay',
      '--alias',
      'fay-gh',
      '--tz',
      'Asia/Tokyo',
      '--manager',
      'bea@example.com',
      '--actor',
      'ops-bea',
    );
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toContain('fay@example.com: added');

    const edited = await vouch(
      'set',
      'fay@example.com',
      '--add-alias',
      'fay-okta',
      '--remove-alias',
      'fay',
      '--unset',
      'manager',
    );
    expect(edited.status).toBe(0);
    const shown = JSON.parse((await vouch('show', 'U0FAY00001', '--json')).stdout);
    expect(shown.entry).toEqual({
      email: 'fay@example.com',
      slackUserId: 'U0FAY00001',
      aliases: ['fay-gh', 'fay-okta'],
      timeZone: 'Asia/Tokyo',
    });
    expect((await vouch('show', 'fay')).status).toBe(1); // the removed alias matches no one
    expect((await vouch('set', 'fay@example.com', '--add-alias', 'fay-okta')).stdout).toContain('unchanged');
    expect((await vouch('set', 'fay@example.com', '--tz', 'Nowhere/Land')).status).toBe(2);
    expect((await vouch('set', 'fay@example.com', '--unset', 'email')).status).toBe(2);

    const removed = await vouch('remove', 'fay@example.com', '--actor', 'ops-bea');
    expect(removed.status).toBe(0);
    expect((await vouch('show', 'fay-gh')).status).toBe(1);
    expect((await vouch('show', 'U0FAY00001')).status).toBe(1);
    expect((await vouch('remove', 'fay@example.com')).status).toBe(1);
    // The Slack id and aliases are free again.
    expect((await vouch('set', 'gil@example.com', '--slack', 'U0FAY00001', '--alias', 'fay-gh')).status).toBe(
      0,
    );

    const history = await collections(mongo.db)
      .directoryEvents.find({ email: 'fay@example.com' })
      .sort({ at: 1 })
      .toArray();
    expect(history.map((e) => [e.action, e.actor])).toEqual([
      ['added', 'ops-bea'],
      ['changed', `cli:${os.userInfo().username}`],
      ['removed', 'ops-bea'],
    ]);
  });

  test('an Entra object id (Teams) is kept lower-case, finds its employee, and belongs to one employee only', async () => {
    const oid = '8F2C1D7E-8A4B-4C3D-9E5F-0A1B2C3D4E5F';
    const set = await vouch('set', 'gil@example.com', '--aad-object-id', oid, '--name', 'Gil Teams');
    expect(set.status).toBe(0);
    expect(set.stdout).toContain(`aadObjectId ${oid.toLowerCase()}`);
    const shown = JSON.parse((await vouch('show', oid.toLowerCase(), '--json')).stdout) as { entry: unknown };
    expect(shown.entry).toMatchObject({ email: 'gil@example.com', aadObjectId: oid.toLowerCase() });
    const clash = await vouch('set', 'hal@example.com', '--aad-object-id', oid.toLowerCase());
    expect(clash.status).toBe(2);
    expect(clash.stderr).toContain(`the Entra object id ${oid.toLowerCase()} belongs to gil@example.com`);
    const bad = await vouch('set', 'hal@example.com', '--aad-object-id', 'gil');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--aad-object-id: must be a Microsoft Entra object id');
  });

  test('every command has --help naming its options and exit codes', async () => {
    for (const cmd of ['import', 'list', 'show', 'set', 'remove']) {
      const out = await vouch(cmd, '--help');
      expect(out.status).toBe(0);
      expect(out.stdout).toContain(`vouch directory ${cmd}`);
    }
    expect((await vouch('import', '--help')).stdout).toContain('--dry-run');
    expect((await vouch('--help')).stdout).toContain('Exit codes: 0 ok, 1 not found');
    expect((await vouch('set')).status).toBe(2);
  });
});
