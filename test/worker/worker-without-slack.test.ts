import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startInterview } from '../../producer';
import { interviewState } from '../../shared/messages';
import { isolatedMongo, testServers, uniqueName } from '../helpers/servers';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The worker process as `npm start` runs it (its output goes to the terminal), without Slack: the
 * README's first alert waits, and the worker says once, at that alert, that Slack is not connected.
 */
describe('the worker without Slack connected', () => {
  it("the README's first alert waits, and the log says Slack is not connected and how to fix it", async () => {
    const mongo = await isolatedMongo();
    const taskQueue = uniqueName('noslack');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    Object.assign(env, {
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      MONGODB_URL: testServers.mongoUrl,
      MONGODB_DB: mongo.db.databaseName,
      VOUCH_TASK_QUEUE: taskQueue,
      VOUCH_POLICIES_FILE: path.join(testServers.dir, 'no-policies.yml'),
      LOG_LEVEL: 'info',
    });
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
    worker.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const connection = await Connection.connect({ address: testServers.temporalAddress });
    try {
      await waitFor(
        () => out.includes('worker started'),
        60_000,
        () => out,
      );
      expect(out).not.toContain('Slack is not connected');

      const alert = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/alert.json'), 'utf8'));
      const { handle } = await startInterview(
        new Client({ connection }),
        { ...alert, id: uniqueName('readme') },
        { taskQueue },
      );
      await waitFor(
        () => out.includes('Slack is not connected'),
        30_000,
        () => out,
      );
      const warning = out
        .split('\n')
        .filter((l) => l.includes('Slack is not connected (SLACK_BOT_TOKEN is not set): interviews wait'));
      expect(warning).toHaveLength(1);
      expect(JSON.parse(warning[0]!)).toMatchObject({ level: 40, name: 'worker' });
      expect(warning[0]).toContain('Connect Vouch to Slack');

      await new Promise((r) => setTimeout(r, 2000));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect((await handle.query(interviewState)).outcome).toBeNull();
      await handle.terminate('test over');
    } finally {
      worker.kill('SIGINT');
      await new Promise((r) => worker.once('exit', r));
      await connection.close();
      await mongo.drop();
    }
  }, 120_000);
});

async function waitFor(check: () => boolean, timeoutMs: number, output: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
