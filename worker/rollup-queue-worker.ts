import {
  type NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { rollupTaskQueue } from '../shared/constants';

/** A coordinator is a small workflow; this many stay cached, far more than one worker's employees in a storm. */
const MAX_CACHED_COORDINATORS = 500;

/**
 * The worker for the rollup task queue: the coordinators only (they run no activities). Its own
 * workflow task slots and sticky cache keep the coordinators' answers out of the interview queue's
 * backlog during a storm.
 */
export function createRollupQueueWorker(opts: {
  connection: NativeConnection;
  namespace?: string;
  /** The interview task queue; the rollup queue is named after it. */
  taskQueue: string;
  workflowBundle: WorkflowBundleOption;
  dataConverter?: WorkerOptions['dataConverter'];
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    taskQueue: rollupTaskQueue(opts.taskQueue),
    workflowBundle: opts.workflowBundle,
    maxCachedWorkflows: MAX_CACHED_COORDINATORS,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
}
