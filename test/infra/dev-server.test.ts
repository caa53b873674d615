import { Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../shared/constants';
import { createActivities } from '../../activities';
import { createLogger } from '../../lib/logger';
import { devServerConnections, isolatedMongo, uniqueName } from '../helpers/servers';
import type { bareWorkflow } from '../../workflows/bare';

describe('Temporal dev server', () => {
  let conns: Awaited<ReturnType<typeof devServerConnections>>;
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;

  beforeAll(async () => {
    conns = await devServerConnections();
    mongo = await isolatedMongo();
  });
  afterAll(async () => {
    await conns?.close();
    await mongo?.drop();
  });

  it('has the Vouch search attributes registered as Keyword', async () => {
    const { customAttributes } = await conns.client.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    for (const name of SEARCH_ATTRIBUTES) expect(customAttributes?.[name]).toBe(2); // INDEXED_VALUE_TYPE_KEYWORD
  });

  it('runs a workflow on a real worker with the real activities', async () => {
    const taskQueue = uniqueName('dev');
    const worker = await Worker.create({
      connection: conns.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: createActivities({ db: mongo.db, logger: createLogger('test', 'silent') }),
    });
    const workflowId = uniqueName('bare');
    const result = await worker.runUntil(
      conns.client.workflow.execute<typeof bareWorkflow>('bareWorkflow', {
        taskQueue,
        workflowId,
        args: ['hello'],
      }),
    );
    expect(result).toBe('hello');
    const history = await conns.client.workflow.getHandle(workflowId).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types).toContain(10); // EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    expect(types).toContain(12); // EVENT_TYPE_ACTIVITY_TASK_COMPLETED
  });
});
