import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { heartbeatAge, startHeartbeat } from '../../worker/heartbeat';
import { startEntryPoint } from '../helpers/entry-point';
import { testServers, uniqueName } from '../helpers/servers';

const root = path.resolve(__dirname, '..', '..');

describe('worker heartbeat (the Compose healthcheck and Kubernetes probes of the worker)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-heartbeat-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('beats only while the worker is healthy, and removes the file when stopped', async () => {
    const file = path.join(dir, 'sub', 'worker-alive');
    let healthy = false;
    const stop = startHeartbeat(file, () => healthy, 20);
    expect(fs.existsSync(file)).toBe(false);
    healthy = true;
    await new Promise((r) => setTimeout(r, 60));
    expect(heartbeatAge(file, 1000).ok).toBe(true);
    stop();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('reports a stale or missing heartbeat', () => {
    const file = path.join(dir, 'worker-alive');
    expect(heartbeatAge(file, 30_000)).toEqual({ ok: false, reason: expect.stringMatching(/no heartbeat/) });
    fs.writeFileSync(file, 'x');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    expect(heartbeatAge(file, 30_000)).toEqual({ ok: false, reason: expect.stringMatching(/60 s old/) });
  });

  it('the health-check entry point exits 0 on a fresh heartbeat and 1 on a stale one', () => {
    const file = path.join(dir, 'worker-alive');
    fs.writeFileSync(file, 'x');
    const check = () =>
      spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['worker/health-check.ts', file, '30'], {
        cwd: root,
        encoding: 'utf8',
      });
    expect(check().status).toBe(0);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(file, old, old);
    const stale = check();
    expect(stale.status).toBe(1);
    expect(stale.stdout).toMatch(/limit 30 s/);
  });

  it('the real worker beats while it polls Temporal, reads MONGODB_URL_FILE, warns in production, and cleans up on SIGTERM', async () => {
    const file = path.join(dir, 'worker-alive');
    const mongoUrlFile = path.join(dir, 'mongodb_url');
    fs.writeFileSync(mongoUrlFile, `${testServers.mongoUrl}\n`);
    const { child, output, exited } = startEntryPoint('worker/main.ts', {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      VOUCH_TASK_QUEUE: uniqueName('heartbeat'),
      MONGODB_URL_FILE: mongoUrlFile,
      MONGODB_DB: uniqueName('heartbeat').replace('-', '_'),
      VOUCH_HEALTH_FILE: file,
    });
    try {
      const deadline = Date.now() + 150_000;
      while (!fs.existsSync(file) && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 250));
      expect({ beating: fs.existsSync(file), output: fs.existsSync(file) ? '' : output() }).toEqual({
        beating: true,
        output: '',
      });
      expect(heartbeatAge(file, 30_000).ok).toBe(true);
      expect(output()).toMatch(/TEMPORAL_UI_URL is http:\/\/localhost:8233: links in reports/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
  }, 200_000);
});
