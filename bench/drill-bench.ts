import { startInterview } from '../producer';
import { collections } from '../store/collections';
import { eventsOfKind } from '../shared/record/events';
import { buttonClick, postInteraction } from '../test/helpers/slack-requests';
import { describeMachine, writeResult } from './results';
import { type BenchStack, TASK_QUEUE, interviewStarter, say } from './stack';
import { type VouchProcess, startBotProcess, startWorkerProcess } from './vouch-process';

/**
 * Workers and bots in processes of their own against one Temporal and one MongoDB: N interviews, each
 * employee pressing "No" once on their DM (signed requests over HTTP, spread over the bots, as a load
 * balancer would). With `kill`, one worker and one bot are SIGKILLed when half the DMs are out, and
 * started again. Counted at the end: DMs per interview at the Slack stand-in, and outcomes and answers
 * per interview in MongoDB.
 */
export interface DrillOptions {
  interviews: number;
  workers: number;
  bots: number;
  kill: boolean;
  /** Give up waiting for outcomes after this long. */
  maxMinutes: number;
}

/** The employee clicks again if nothing happened this long after their click (as a person would). */
const CLICK_AGAIN_MS = 60_000;
/** Before a killed process starts again. */
const DOWN_MS = 5_000;

/**
 * The same load with each number of workers (as many bots), then the kill drill with the most: one
 * worker and one bot SIGKILLed midway. Prints the throughput of each against the first.
 */
export async function benchDrills(
  stack: BenchStack,
  opts: Omit<DrillOptions, 'workers' | 'bots' | 'kill'> & { workers: number[] },
) {
  const most = Math.max(...opts.workers);
  const plans = [
    ...opts.workers.map((n) => ({ n, kill: false })),
    ...(most > 1 ? [{ n: most, kill: true }] : []),
  ];
  const runs: { name: string; decidedPerSecond: number }[] = [];
  for (const { n, kill } of plans) {
    const figures = await benchDrill(stack, { ...opts, workers: n, bots: n, kill });
    runs.push({
      name: `${n} worker(s)${kill ? ' with the kill' : ''}`,
      decidedPerSecond: figures.decidedPerSecond,
    });
  }
  console.log(
    `throughput: ${runs
      .map(
        (r) =>
          `${r.name} ${r.decidedPerSecond}/s (${(r.decidedPerSecond / runs[0]!.decidedPerSecond).toFixed(2)}x)`,
      )
      .join(', ')}`,
  );
}

export async function benchDrill(stack: BenchStack, opts: DrillOptions) {
  const name = `${opts.workers} worker(s), ${opts.bots} bot(s)${opts.kill ? ', one of each SIGKILLed midway' : ''}`;
  // One queue for every run: an employee's rollup coordinator (one workflow per employee) outlives a run.
  const taskQueue = `${TASK_QUEUE}-drill`;
  const env = {
    ...stack.processEnv,
    VOUCH_TASK_QUEUE: taskQueue,
    VOUCH_SECURITY_CHANNEL: 'CBENCH',
    VOUCH_SLACK_RATE_SHARE: String(1 / opts.workers),
    // The run measures the workers, not Slack's floors (chat.update's 50 a minute, one post a second
    // to the security channel): the stand-in takes what Slack would spread over many minutes.
    VOUCH_SLACK_BUDGET_SCALE: '100',
    VOUCH_SLACK_ACTIVITIES_PER_SECOND: '1000',
  };
  say(`drill: ${name}: starting the processes…`);
  const workers = await Promise.all(
    Array.from({ length: opts.workers }, (_, i) => startWorkerProcess(`worker${i + 1}`, env)),
  );
  const bots = await Promise.all(
    Array.from({ length: opts.bots }, (_, i) => startBotProcess(`bot${i + 1}`, env)),
  );
  try {
    const figures = await drill(stack, taskQueue, workers, bots, opts);
    console.log(
      `\ndrill (${name}): ${opts.interviews} interviews, decided ${figures.decided} in ${figures.seconds} s: ${figures.decidedPerSecond} alerts/s`,
    );
    console.log(
      `lost ${figures.lost}, duplicate DMs ${figures.duplicateDms}, answers counted twice ${figures.answersCountedTwice}\n`,
    );
    writeResult('drill', describeMachine(), { ...opts }, figures);
    return figures;
  } finally {
    await Promise.all([...bots, ...workers].map((p) => p.stop()));
  }
}

async function drill(
  stack: BenchStack,
  taskQueue: string,
  workers: VouchProcess[],
  bots: (VouchProcess & { url: string; signingSecret: string })[],
  opts: DrillOptions,
) {
  const start = interviewStarter(stack, startInterview, taskQueue);
  const dms = new Map<string, number>();
  const clickedAt = new Map<string, number>();
  const userOf = new Map<string, string>();
  const down = new Set<VouchProcess>();
  let killed: Promise<void> | undefined;
  let clickFailures = 0;
  let clicksAgain = 0;

  // One "No" per DM, to a bot that is up (the other if the first refuses the connection).
  const click = async (workflowId: string) => {
    clickedAt.set(workflowId, Date.now());
    const user = userOf.get(workflowId)!;
    const payload = buttonClick(user, 'vouch_deny', workflowId, `D${user.slice(1)}`);
    const first = [...workflowId].reduce((h, ch) => h + ch.charCodeAt(0), 0) % bots.length;
    for (let k = 0; k < bots.length; k++) {
      const bot = bots[(first + k) % bots.length]!;
      if (down.has(bot)) continue;
      try {
        const res = await postInteraction(bot.url, bot.signingSecret, payload);
        if (res.status === 200) return;
      } catch {
        // killed while the click was on its way: the employee's client would show an error; try the other
      }
    }
    clickFailures++;
  };

  const previous = stack.slack.onCall;
  stack.slack.onCall = (call) => {
    previous?.(call);
    const metadata = call.args.metadata as { event_type?: string; event_payload?: { workflow_id?: string } };
    if (call.method !== 'chat.postMessage' || metadata?.event_type !== 'vouch_interview') return;
    const workflowId = String(metadata.event_payload?.workflow_id);
    // The DM channel with UBENCHn is DBENCHn (the bench's cached DM channels).
    userOf.set(workflowId, `U${String(call.args.channel).slice(1)}`);
    dms.set(workflowId, (dms.get(workflowId) ?? 0) + 1);
    if (dms.get(workflowId) !== 1) return;
    setTimeout(() => void click(workflowId), 50);
    if (opts.kill && !killed && dms.size >= opts.interviews / 2) killed = killOneOfEach(workers, bots, down);
  };

  // The first interview alone: the starter first stores the employees as a running worker knows them.
  const first = await start();
  const ids: string[] = [first.workflowId];
  const startedAt = Date.now();
  let next = 1;
  const lane = async () => {
    while (next < opts.interviews) {
      next++;
      const started = await start();
      ids.push(started.workflowId);
    }
  };
  // Each lane waits for its interview's DM before starting the next: 50 interviews in flight.
  const starting = Promise.all(Array.from({ length: 50 }, lane));

  const alerts = collections(stack.db).alerts;
  const deadline = startedAt + opts.maxMinutes * 60_000;
  let decided = 0;
  let lastDecidedAt = startedAt;
  let lastReport = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const ready = ids.length === opts.interviews;
    const done = await alerts
      .find({ _id: { $in: ids.map((id) => id.replace(/^alert-/, '')) } }, { projection: { outcome: 1 } })
      .toArray();
    const nowDecided = done.filter((d) => d.outcome).length;
    if (nowDecided > decided) lastDecidedAt = Date.now();
    decided = nowDecided;
    const open = new Set(done.filter((d) => !d.outcome).map((d) => `alert-${d._id}`));
    for (const [workflowId, at] of clickedAt)
      if (open.has(workflowId) && Date.now() - at > CLICK_AGAIN_MS) {
        clicksAgain++;
        void click(workflowId);
      }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      say(
        `  drill: ${ids.length} started, ${dms.size} DMs, ${decided} decided, ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
      );
    }
    if ((ready && decided === opts.interviews) || Date.now() > deadline) break;
  }
  await Promise.race([starting, new Promise((r) => setTimeout(r, 1000))]);
  await killed;

  const records = await alerts
    .find(
      { _id: { $in: ids.map((id) => id.replace(/^alert-/, '')) } },
      { projection: { outcome: 1, transcript: 1 } },
    )
    .toArray();
  const answersCountedTwice = records.filter(
    (r) => eventsOfKind(r.transcript.filter(Boolean), 'employee_answer').length > 1,
  ).length;
  const seconds = (lastDecidedAt - startedAt) / 1000;
  return {
    started: ids.length,
    decided,
    lost: opts.interviews - decided,
    seconds: Math.round(seconds),
    decidedPerSecond: Math.round((decided / seconds) * 100) / 100,
    interviewsWithoutDm: ids.filter((id) => !dms.has(id)).length,
    duplicateDms: [...dms.values()].reduce((n, count) => n + count - 1, 0),
    answersCountedTwice,
    outcomes: countBy(records.map((r) => r.outcome ?? 'none')),
    clicksAgain,
    clickFailures,
  };
}

/** SIGKILL to the first worker and the first bot, and both started again a few seconds later. */
async function killOneOfEach(
  workers: VouchProcess[],
  bots: VouchProcess[],
  down: Set<VouchProcess>,
): Promise<void> {
  const victims = [workers[0]!, bots[0]!];
  say(`  drill: SIGKILL to ${victims.map((v) => `${v.name} (pid ${v.pid()})`).join(' and ')}`);
  for (const v of victims) down.add(v);
  await Promise.all(victims.map((v) => v.kill('SIGKILL')));
  await new Promise((r) => setTimeout(r, DOWN_MS));
  await Promise.all(victims.map((v) => v.restart()));
  for (const v of victims) down.delete(v);
  say(`  drill: ${victims.map((v) => v.name).join(' and ')} started again`);
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
