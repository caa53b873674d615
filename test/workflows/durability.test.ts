import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { WorkflowNotFoundError } from '@temporalio/client';
import { parseAlert, startInterview } from '../../producer';
import { workflowIdForAlert } from '../../shared/constants';
import {
  ANA,
  BOB,
  alertFor,
  answer,
  createHarness,
  dmSent,
  enroll,
  start,
  submitCode,
  validCode,
  workflowBundle,
  type Harness,
} from '../helpers/interview-harness';
import { extractPayloads, recordHistory } from '../helpers/history';
import { devServerConnections, testServers } from '../helpers/servers';

/** Durability and operability on the real dev server: restarts, duplicates, rate limits, history. */
describe('alertInterview durability', () => {
  let conns: Awaited<ReturnType<typeof devServerConnections>>;
  let h: Harness;
  beforeAll(async () => {
    conns = await devServerConnections();
    h = await createHarness({
      timeSkipping: false,
      client: conns.client,
      nativeConnection: conns.nativeConnection,
    });
  });
  afterAll(async () => {
    await h?.teardown();
    await conns?.close();
  });

  const dmsTo = (userId: string, workflowId: string) =>
    h.slack
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === `D${userId.slice(1)}` &&
          JSON.stringify(c.args.blocks ?? '').includes(workflowId),
      );

  it('a second start with the same alert id starts no second interview and returns its handle', async () => {
    const alert = alertFor(BOB);
    const first = await startInterview(h.client, alert, { taskQueue: h.taskQueue });
    const second = await startInterview(h.client, alert, { taskQueue: h.taskQueue });
    expect(first.alreadyExisted).toBe(false);
    expect(second).toMatchObject({ alreadyExisted: true, workflowId: workflowIdForAlert(alert.id!) });
    expect((await second.handle.describe()).runId).toBe((await first.handle.describe()).runId);
    await dmSent(h, first.handle);
    await answer(first.handle, BOB.id, 'denied');
    await first.handle.result();
    // Operators can filter on the outcome in the Web UI: the search attributes follow the phases.
    const { searchAttributes } = await first.handle.describe();
    expect(searchAttributes).toMatchObject({
      VouchPhase: ['escalated'],
      VouchOutcome: ['denied'],
      VouchAlertType: ['aws.admin_added'],
      VouchEmployee: [BOB.email],
      VouchSeverity: ['high'],
    });
    // Closed interviews are not started again either.
    expect((await startInterview(h.client, alert, { taskQueue: h.taskQueue })).alreadyExisted).toBe(true);
    expect(dmsTo(BOB.id, first.workflowId)).toHaveLength(1);
  });

  it('a worker stopped mid-interview and a new one continue it without a second DM', async () => {
    const handle = await start(h, alertFor(BOB));
    await dmSent(h, handle);
    h.worker.shutdown();
    await h.running;

    const replacement = await Worker.create({
      connection: conns.nativeConnection,
      taskQueue: h.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: h.activities,
      maxCachedWorkflows: 0, // force a replay of the history on every task
    });
    await replacement.runUntil(async () => {
      await answer(handle, BOB.id, 'denied');
      expect(await handle.result()).toMatchObject({ outcome: 'denied' });
    });
    expect(dmsTo(BOB.id, handle.workflowId)).toHaveLength(1);
    expect(h.slack.callsTo('conversations.open').length).toBeGreaterThan(0);
    recordHistory('denied-across-worker-restart', await handle.fetchHistory());

    // Put a running worker back for the next tests.
    h.worker = await Worker.create({
      connection: conns.nativeConnection,
      taskQueue: h.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: h.activities,
    });
    h.running = h.worker.run();
  });

  it('an activity retried after its Slack call succeeded does not send the DM twice', async () => {
    const input = { workflowId: 'alert-direct-1', alertId: 'direct-1', slackUserId: BOB.id };
    await h.activities.prepareInterview({
      alert: parseAlert({ ...alertFor(BOB), id: 'direct-1' }),
      workflowId: 'alert-direct-1',
    });
    const a = await h.activities.sendInterview(input);
    const b = await h.activities.sendInterview(input);
    expect(b).toEqual(a);
    expect(dmsTo(BOB.id, 'alert-direct-1')).toHaveLength(1);
  });

  it('a Slack 429 is retried by Temporal after Retry-After, not by the Slack client', async () => {
    const toBob = (c: { args: Record<string, unknown> }) => c.args.channel === `D${BOB.id.slice(1)}`;
    h.slack.failWhen('chat.postMessage', (args) => toBob({ args }), { status: 429, retryAfter: 2 });
    const before = h.slack.callsTo('chat.postMessage').filter(toBob).length;
    const handle = await start(h, alertFor(BOB));
    const refused = await dmSent(h, handle); // the stand-in records the call it answers 429
    await h.slack.waitForCall('chat.postMessage', (c) => c.at > refused.at && toBob(c));
    const posts = h.slack.callsTo('chat.postMessage').filter(toBob).slice(before);
    expect(posts.length).toBe(2); // one rate-limited, one retried: the client itself did not retry
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1900);
    await answer(handle, BOB.id, 'denied');
    await handle.result();
  });

  it('a normal interview stays under 200 history events and no code or secret reaches history', async () => {
    const secret = await enroll(h, ANA.id);
    const handle = await start(h, alertFor(ANA));
    await dmSent(h, handle);
    await answer(handle, ANA.id, 'confirmed', 'me');
    const wrong = '987654' === validCode(secret) ? '987655' : '987654';
    await submitCode(h, handle, ANA.id, wrong);
    const good = validCode(secret);
    expect(await submitCode(h, handle, ANA.id, good)).toMatchObject({ accepted: true });
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(200);
    recordHistory('confirmed-verified-after-one-wrong-code', history);
    const raw = JSON.stringify(history);
    const decoded = Buffer.from(raw).toString() + extractPayloads(history);
    for (const leaked of [good, wrong, secret]) expect(decoded).not.toContain(leaked);
  });

  it('the CLI rejects a malformed alert, names the fields, and starts nothing', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(__dirname, '../../cli/main.ts'),
        'alert',
        '--id',
        'cli-bad-1',
        '--severity',
        'urgent',
        '--email',
        'x',
      ],
      {
        env: { ...process.env, TEMPORAL_ADDRESS: testServers.temporalAddress, VOUCH_TASK_QUEUE: h.taskQueue },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/severity: must be one of low, medium, high, critical/);
    expect(run.stderr).toMatch(/employee\.email: must be an email/);
    expect(run.stderr).toMatch(/title: is required/);
    return expect(
      h.client.workflow.getHandle(workflowIdForAlert('cli-bad-1')).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('the CLI starts a valid alert, and says so when it already exists', () => {
    const file = path.join(__dirname, '../../examples/alert.json');
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: testServers.temporalAddress,
      VOUCH_TASK_QUEUE: h.taskQueue,
    };
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../cli/main.ts'), ...args], {
        env,
        encoding: 'utf8',
      });
    const first = cli(['alert', '--file', file, '--json']);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ workflowId: 'alert-example-0001', alreadyExisted: false });
    const second = cli(['alert', '--file', file]);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/already exists: alert-example-0001/);
    const closed = cli(['close', 'example-0001', '--note', 'test run', '--operator', 'UOPS0009']);
    expect(closed.status).toBe(0);
  });
});
