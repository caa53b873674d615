import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

/** What the `vouch` command prints, run as a real process the ways the README shows. */

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

function run(command: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

describe('vouch output', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-cli-'));
  const policies = path.join(dir, 'policies.yml');
  fs.writeFileSync(policies, 'default:\n  deadline: 4h\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('vouch --version prints the version in package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag], {});
      expect(r).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('--json output is clean JSON on stdout through `npx vouch` and `npm run -s vouch --`', async () => {
    const args = ['policy', 'set', policies, '--dry-run', '--json'];
    for (const [command, prefix] of [
      ['npx', ['vouch']],
      ['npm', ['run', '-s', 'vouch', '--']],
    ] as const) {
      const r = await run(command, [...prefix, ...args]);
      expect({ command, status: r.status }).toEqual({ command, status: 0 });
      expect(JSON.parse(r.stdout)).toEqual([{ type: 'default', result: 'valid' }]);
    }
  }, 120_000);

  it('exits 0 quietly when the reader of its output goes away (vouch … | head)', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/vouch.js'), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the first write: EPIPE
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('every policy mistake is reported at once, without the control characters of the file', async () => {
    const file = path.join(dir, 'two-mistakes.yml');
    fs.writeFileSync(
      file,
      'aws.root_login:\n  mode: sometimes\n  deadline: 3 fortnights\n"evil\\e[2J\\e]0;pwned\\a": {}\n',
    );
    const r = await runCli(['policy', 'set', file, '--dry-run'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/3 problems/);
    expect(r.stderr).toMatch(/aws\.root_login\.mode: expected one of/);
    expect(r.stderr).toMatch(/aws\.root_login\.deadline: expected a duration/);
    expect(r.stderr).toMatch(/evil\[2J\]0;pwned: an alert type is/);
    expect(r.stderr).not.toMatch(/[\u001b\u0007]/); // eslint-disable-line no-control-regex
  });
});
