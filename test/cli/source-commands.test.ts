import { collections } from '../../store/collections';
import { hashSourceToken, sourceStore } from '../../store/sources';
import { cliEnv, runCli } from '../helpers/cli';
import { isolatedMongo } from '../helpers/servers';

/** `vouch source add|list|rotate|remove` through the real CLI, against a real MongoDB wire server. */
describe('vouch source', () => {
  const mongo = isolatedMongo();
  let env: Record<string, string>;
  beforeAll(async () => {
    env = cliEnv((await mongo).db);
  });
  afterAll(async () => (await mongo).drop());

  const tokenIn = (stdout: string) => /\b(vsk_[A-Za-z0-9_-]{43})\b/.exec(stdout)?.[1];

  it('add prints the token once and keeps only its hash; list never shows it', async () => {
    const added = await runCli(['source', 'add', 'splunk-prod'], env);
    expect(added.status).toBe(0);
    const token = tokenIn(added.stdout)!;
    expect(token).toBeDefined();
    expect(added.stdout).toContain('/v1/alerts');
    const c = collections((await mongo).db);
    const doc = await c.sources.findOne({ _id: 'splunk-prod' });
    expect(doc?.tokenHash).toBe(hashSourceToken(token));
    expect(JSON.stringify(doc)).not.toContain(token);
    expect(await sourceStore(c).byToken(token)).toMatchObject({ name: 'splunk-prod' });

    const list = await runCli(['source', 'list'], env);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('splunk-prod');
    expect(list.stdout).not.toContain(token);
    const json = JSON.parse((await runCli(['source', 'list', '--json'], env)).stdout) as { name: string }[];
    expect(json.map((s) => s.name)).toEqual(['splunk-prod']);

    const again = await runCli(['source', 'add', 'splunk-prod'], env);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists.*rotate/);
  });

  it('rotate replaces the token; remove ends it; unknown names exit 1, bad names 2', async () => {
    const c = collections((await mongo).db);
    const first = tokenIn((await runCli(['source', 'add', 'datadog'], env)).stdout)!;
    const rotated = await runCli(['source', 'rotate', 'datadog'], env);
    expect(rotated.status).toBe(0);
    const second = tokenIn(rotated.stdout)!;
    expect(second).not.toBe(first);
    expect(await sourceStore(c).byToken(first)).toBeNull();
    expect(await sourceStore(c).byToken(second)).toMatchObject({ name: 'datadog' });

    expect((await runCli(['source', 'remove', 'datadog'], env)).status).toBe(0);
    expect(await sourceStore(c).byToken(second)).toBeNull();
    expect((await runCli(['source', 'remove', 'datadog'], env)).status).toBe(1);
    expect((await runCli(['source', 'rotate', 'nobody'], env)).status).toBe(1);
    const bad = await runCli(['source', 'add', 'Not A Name'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/lower-case letters/);
    const rate = await runCli(['source', 'add', 'x', '--rate', 'fast'], env);
    expect(rate.status).toBe(2);
    expect(rate.stderr).toMatch(/--rate/);
  });

  it('--help lists the commands', async () => {
    const help = await runCli(['source', '--help'], env);
    for (const cmd of ['add', 'list', 'rotate', 'remove', 'test']) expect(help.stdout).toContain(cmd);
  });
});
