import { startInterview } from '../producer';
import { type Machine, writeResult } from './results';
import { type BenchStack, TASK_QUEUE, drive, interviewStarter, percentile, say } from './stack';

/**
 * Alert start → interview DM received by the Slack stand-in, beside a bare workflow that calls one
 * no-op activity: p50/p99 latency over N runs, the rate sustained for S seconds, and their ratio.
 */
export async function benchInterviews(
  stack: BenchStack,
  machine: Machine,
  opts: { alerts: number; seconds: number; concurrency: number },
) {
  const start = interviewStarter(stack, startInterview);
  let seq = 0;
  const interview = async () => void (await start());
  const bare = async () => {
    await stack.client.workflow.execute('bareWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: `bare-${Date.now()}-${seq++}`,
      args: ['x'],
    });
  };
  say('warming up…');
  await drive({ count: 100, concurrency: opts.concurrency, task: interview, label: 'warm-up' });
  await drive({ count: 100, concurrency: opts.concurrency, task: bare, label: 'warm-up' });

  const results: Record<string, { p50: number; p99: number; rate: number; runs: number }> = {};
  for (const [name, task] of [
    ['alert → DM', interview],
    ['bare workflow', bare],
  ] as const) {
    say(`${name}: latency over ${opts.alerts} runs, ${opts.concurrency} in flight…`);
    const lat = await drive({ count: opts.alerts, concurrency: opts.concurrency, task, label: name });
    say(`${name}: sustained rate for ${opts.seconds} s…`);
    const sustained = await drive({
      seconds: opts.seconds,
      concurrency: opts.concurrency,
      task,
      label: name,
    });
    results[name] = {
      p50: percentile(lat.latencies, 50),
      p99: percentile(lat.latencies, 99),
      rate: sustained.latencies.length / (sustained.elapsedMs / 1000),
      runs: lat.latencies.length,
    };
  }
  const a = results['alert → DM']!;
  const b = results['bare workflow']!;
  console.log('\nresult                       p50 ms    p99 ms    per second');
  for (const [name, r] of Object.entries(results))
    console.log(
      `${name.padEnd(26)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(9)} ${r.rate.toFixed(1).padStart(12)}`,
    );
  console.log(
    `\nratio alert/bare: p50 ${(a.p50 / b.p50).toFixed(2)}x, p99 ${(a.p99 / b.p99).toFixed(2)}x, rate ${(b.rate / a.rate).toFixed(2)}x slower`,
  );
  console.log(
    `goals: p99 < 300 ms (${a.p99 < 300 ? 'met' : 'missed'}), >= 100 alerts/s (${a.rate >= 100 ? 'met' : 'missed'}), within 1.5x of bare (p99 ${a.p99 / b.p99 <= 1.5 ? 'met' : 'missed'})\n`,
  );
  writeResult('interviews', machine, opts, results);
}
