import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { testServers, uniqueName } from '../helpers/servers';
import type { longTimer } from '../helpers/long-timer-workflow';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServers.timeSkippingServer } },
    });
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../helpers/long-timer-workflow'),
      logger: quiet,
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('lets a 6-hour timer pass in seconds, then runs an activity', async () => {
    const taskQueue = uniqueName('ts');
    const noop = jest.fn(async (label: string) => label);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: { noop },
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof longTimer>('longTimer', {
        taskQueue,
        workflowId: uniqueName('long-timer'),
        args: [6],
      }),
    );
    const wallSeconds = (Date.now() - wallStart) / 1000;
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(6 * 3600 * 1000);
    expect(result.echoed).toBe('after 6 hours');
    expect(noop).toHaveBeenCalledTimes(1);
    expect(wallSeconds).toBeLessThan(30);
  });
});

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
