import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { encryptedDataConverter, startInterview } from '../producer';
import { parseDuration } from '../shared/duration';
import { employeeResponse, interviewState } from '../shared/messages';
import { collections } from '../store/collections';
import { policyStore } from '../store/policies';
import { type Machine, writeResult } from './results';
import { type BenchStack, TASK_QUEUE, drive, percentile, say, seedEmployees } from './stack';
import { rssBytes, startWorkerProcess } from './vouch-process';
import { WORKER_HEAP_MIB } from '../worker/heap';

export interface WaitingOptions {
  interviews: number;
  employees: number;
  /** The policy's first reminder, after the DM: long enough for most interviews to be waiting. */
  reminder: string;
  concurrency: number;
  /** The worker's sticky cache (VOUCH_MAX_CACHED_WORKFLOWS); undefined: Vouch's default. */
  cache?: number;
  /** VOUCH_SLACK_ACTIVITIES_PER_SECOND of the worker. */
  slackRate: number;
  /** The worker's V8 heap limit in MiB (`--max-old-space-size`); undefined: npm start's (worker/heap.ts). */
  heap?: number;
  /** Starting stops after this long even if fewer than `interviews` have started. */
  startMinutes: number;
}

const ALERT_TYPE = 'bench.waiting';
const DEADLINE = '2h';
const TITLE = /Waiting interview (\d+)\b/;
/** A reminder this far from its schedule misses the goal. */
const ON_TIME_MS = 5000;

interface Tracked {
  scheduledAt?: number;
  dmAt?: number;
  remindedAt?: number;
}

/**
 * N interviews that wait for an answer, against a worker of its own process: its peak memory, how far
 * each first reminder reached the Slack stand-in from the time the workflow scheduled it, and the
 * history of one interview then answered "No".
 */
export async function benchWaiting(stack: BenchStack, machine: Machine, opts: WaitingOptions) {
  const key = stack.encryptionKey;
  if (!key) throw new Error('the waiting run needs the stack started with an encryption key');
  const client = new Client({
    connection: stack.client.connection,
    dataConverter: encryptedDataConverter(key),
  });
  const reminderMs = parseDuration(opts.reminder);
  const deadlineMs = parseDuration(DEADLINE);
  // Grouping off: every alert is an interview (and a workflow) of its own, waiting.
  await policyStore(collections(stack.db)).set(
    ALERT_TYPE,
    { reminders: [opts.reminder], deadline: DEADLINE, rollup: { enabled: false } },
    'bench',
  );
  say(`waiting: ${opts.employees} employees known (profile and DM channel)…`);
  await seedEmployees(stack, opts.employees);

  const tracked: Tracked[] = Array.from({ length: opts.interviews }, () => ({}));
  const dmWaiters = new Map<number, () => void>();
  let dms = 0;
  let reminders = 0;
  const slack = stack.slack.enforceRateLimits();
  slack.onCall = (call) => {
    if (call.method !== 'chat.postMessage' || call.refused) return;
    const n = Number(TITLE.exec(JSON.stringify(call.args))?.[1] ?? NaN);
    const t = tracked[n];
    if (!t) return;
    if (!call.args.thread_ts && t.dmAt === undefined) {
      t.dmAt = call.at;
      dms += 1;
      dmWaiters.get(n)?.();
    } else if (call.args.thread_ts && t.remindedAt === undefined) {
      t.remindedAt = call.at;
      reminders += 1;
    }
  };

  const dir = path.join(os.tmpdir(), `vouch-bench-worker-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  const worker = await startWorkerProcess(
    'worker',
    {
      TEMPORAL_ADDRESS: stack.addresses.temporal,
      MONGODB_URL: stack.addresses.mongo,
      MONGODB_DB: 'vouch_bench',
      VOUCH_TASK_QUEUE: TASK_QUEUE,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: slack.url,
      VOUCH_SECURITY_CHANNEL: 'CBENCH',
      VOUCH_ENCRYPTION_KEY: key.toString('base64'),
      VOUCH_POLICIES_FILE: path.join(dir, 'no-policies.yml'),
      VOUCH_SLACK_ACTIVITIES_PER_SECOND: String(opts.slackRate),
      ...(opts.cache ? { VOUCH_MAX_CACHED_WORKFLOWS: String(opts.cache) } : {}),
      LOG_LEVEL: 'info',
    },
    opts.heap,
  );
  say(`waiting: worker pid ${worker.pid()}`);
  const rssAtStart = rssBytes(worker.pid());
  let peakRss = rssAtStart;
  const samples: { s: number; rssMiB: number; dms: number; reminders: number }[] = [];
  const t0 = Date.now();
  const sample = () => {
    const rss = rssBytes(worker.pid());
    peakRss = Math.max(peakRss, rss);
    return rss;
  };
  const sampler = setInterval(() => {
    const rss = sample();
    samples.push({ s: Math.round((Date.now() - t0) / 1000), rssMiB: mib(rss), dms, reminders });
  }, 10_000);
  const ticker = setInterval(sample, 1000);

  try {
    let next = 0;
    let started = 0;
    const progress = (what: string) =>
      say(
        `waiting: ${what}: ${started} started, ${dms} DMs, ${reminders} reminders, worker RSS ${mib(sample())} MiB (peak ${mib(peakRss)}), ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
    let failures = 0;
    const startOne = async () => {
      const n = next++;
      const delivered = new Promise<void>((resolve) => dmWaiters.set(n, resolve));
      // On an overloaded machine a start or a query can time out: that interview is left out, the run goes on.
      try {
        const { handle } = await startInterview(
          client,
          {
            id: `waiting-${n}`,
            type: ALERT_TYPE,
            title: `Waiting interview ${n}`,
            severity: 'low',
            occurredAt: new Date().toISOString(),
            source: 'bench',
            employee: { email: `bench${n % opts.employees}@example.com` },
            details: { n },
          },
          { taskQueue: TASK_QUEUE },
        );
        started += 1;
        await delivered;
        // The workflow's own schedule: the response deadline and the reminder are counted from one moment.
        const state = await handle.query(interviewState);
        tracked[n]!.scheduledAt = Date.parse(state.deadlines.response!) - deadlineMs + reminderMs;
      } catch (err) {
        failures += 1;
        if (failures <= 5) say(`waiting: interview ${n} left out: ${String(err)}`);
      } finally {
        dmWaiters.delete(n);
      }
    };
    const reporter = setInterval(() => progress('starting'), 60_000);
    say(`waiting: starting ${opts.interviews} interviews, ${opts.concurrency} at a time…`);
    const starting = await drive({
      count: opts.interviews,
      seconds: opts.startMinutes * 60,
      concurrency: opts.concurrency,
      task: startOne,
      label: 'started',
    }).finally(() => clearInterval(reporter));
    const allWaitingAt = Date.now();
    const rssAllWaiting = sample();
    progress('all waiting');

    const lastDue = Math.max(...tracked.map((t) => t.scheduledAt ?? 0));
    while (reminders < started && Date.now() < lastDue + 120_000) {
      await new Promise((r) => setTimeout(r, 30_000));
      progress('reminding');
    }

    const common = await answerNoAfterReminder(client, tracked, opts.employees).catch((err: unknown) => ({
      events: NaN,
      outcome: `failed: ${String(err)}`,
    }));
    const lateness = tracked
      .filter((t) => t.scheduledAt !== undefined && t.remindedAt !== undefined)
      .map((t) => t.remindedAt! - t.scheduledAt!)
      .sort((a, b) => a - b);
    // Reminders due once every interview was waiting: the figure at full load.
    const atFullLoad = tracked
      .filter(
        (t) => t.scheduledAt !== undefined && t.remindedAt !== undefined && t.scheduledAt >= allWaitingAt,
      )
      .map((t) => t.remindedAt! - t.scheduledAt!)
      .sort((a, b) => a - b);
    const figures = {
      started,
      leftOut: failures,
      dms,
      reminders,
      startSeconds: Math.round(starting.elapsedMs / 1000),
      startPerSecond: Number((started / (starting.elapsedMs / 1000)).toFixed(1)),
      workerRssMiB: { atStart: mib(rssAtStart), allWaiting: mib(rssAllWaiting), peak: mib(peakRss) },
      reminderLatenessMs: spread(lateness),
      reminderLatenessAtFullLoadMs: spread(atFullLoad),
      commonPathHistoryEvents: common.events,
      commonPathOutcome: common.outcome,
      slackRefusals: slack.refusals.length,
      rssSamples: samples,
    };
    console.log(
      `\nwaiting interviews: ${started} started in ${figures.startSeconds} s (${figures.startPerSecond}/s), ${dms} DMs, ${reminders} first reminders`,
    );
    console.log(
      `worker RSS: ${figures.workerRssMiB.atStart} MiB at start, ${figures.workerRssMiB.allWaiting} MiB with all waiting, peak ${figures.workerRssMiB.peak} MiB (goal < 1024: ${peakRss < 2 ** 30 ? 'met' : 'missed'})`,
    );
    for (const [label, s] of [
      ['all first reminders', figures.reminderLatenessMs],
      ['due with all waiting', figures.reminderLatenessAtFullLoadMs],
    ] as const)
      console.log(
        `reminder − schedule, ${label} (${s.count}): p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms, min ${s.min} ms; outside ±5 s: ${s.outside}`,
      );
    console.log(
      `common path ("No" after the reminder): ${common.events} history events, outcome ${common.outcome} (goal < 100: ${common.events < 100 ? 'met' : 'missed'}); Slack 429s: ${slack.refusals.length}\n`,
    );
    writeResult(
      'waiting',
      machine,
      {
        ...opts,
        cache: opts.cache ?? 'default',
        heap: opts.heap ?? WORKER_HEAP_MIB,
        deadline: DEADLINE,
        grouping: false,
      },
      figures,
    );
  } finally {
    clearInterval(sampler);
    clearInterval(ticker);
    await worker.stop();
  }
}

/** The first interview whose reminder came, answered "No": its outcome and history length. */
async function answerNoAfterReminder(client: Client, tracked: Tracked[], employees: number) {
  const n = tracked.findIndex((t) => t.remindedAt !== undefined);
  if (n < 0) return { events: NaN, outcome: 'no reminder came' };
  const handle = client.workflow.getHandle(`alert-waiting-${n}`);
  const slackUserId = `UBENCH${n % employees}`;
  await handle.signal(employeeResponse, { responseId: randomUUID(), slackUserId, answer: 'denied' });
  await handle.result();
  const history = await handle.fetchHistory();
  const state = await handle.query(interviewState);
  return { events: history.events?.length ?? NaN, outcome: String(state.outcome) };
}

function spread(sorted: number[]) {
  return {
    count: sorted.length,
    p50: Math.round(percentile(sorted, 50)),
    p99: Math.round(percentile(sorted, 99)),
    max: Math.round(sorted.at(-1) ?? NaN),
    min: Math.round(sorted[0] ?? NaN),
    outside: sorted.filter((ms) => Math.abs(ms) > ON_TIME_MS).length,
  };
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
