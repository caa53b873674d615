import { proxyActivities, sleep } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(label: string): Promise<string> }>({
  startToCloseTimeout: '10 seconds',
});

/** Test-only: waits `hours` on a durable timer, then calls an activity and reports workflow time. */
export async function longTimer(
  hours: number,
): Promise<{ startedAt: number; endedAt: number; echoed: string }> {
  const startedAt = Date.now(); // workflow time: deterministic, moved by the time-skipping server
  await sleep(`${hours} hours`);
  const echoed = await noop(`after ${hours} hours`);
  return { startedAt, endedAt: Date.now(), echoed };
}
