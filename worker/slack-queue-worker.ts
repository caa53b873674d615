import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { attemptClock } from '../activities/attempt-clock';
import { slackTaskQueue } from '../shared/constants';

/**
 * The worker for the Slack task queue: the same activities, no workflows. Temporal starts at most
 * `activitiesPerSecond` of its tasks per second across every worker polling the queue, so however many
 * workers run, a storm reaches Slack at a pace its limits allow.
 */
export function createSlackQueueWorker(opts: {
  connection: NativeConnection;
  namespace?: string;
  /** The interview task queue; the Slack queue is named after it. */
  taskQueue: string;
  activities: object;
  activitiesPerSecond: number;
  dataConverter?: WorkerOptions['dataConverter'];
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    taskQueue: slackTaskQueue(opts.taskQueue),
    activities: opts.activities,
    interceptors: { activity: [attemptClock] },
    maxTaskQueueActivitiesPerSecond: opts.activitiesPerSecond,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
}
