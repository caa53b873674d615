import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { noop } = proxyActivities<Pick<Activities, 'noop'>>({ startToCloseTimeout: '10 seconds' });

/**
 * The smallest useful workflow: one no-op activity. The benchmark runs it beside `alertInterview` to
 * show what Vouch itself costs over Temporal's own overhead; `npm start` uses it as a smoke check.
 */
export async function bareWorkflow(label: string): Promise<string> {
  return noop(label);
}
