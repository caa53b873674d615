import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { startInterview } from '../producer';
import { seal } from '../lib/secret-box';
import { codeAt, generateSecret } from '../lib/totp';
import { employeeResponse, submitSecondFactor } from '../shared/messages';
import { sealedCodeContext } from '../shared/sealed-code';
import { collections } from '../store/collections';
import type { RecordedCall } from '../test/helpers/slack-stand-in';
import { type WindowProfile, profileHistory } from './history-profile';
import { type ProbeSnapshot, type ProfileProbe, roundTrips } from './profile-probe';
import { type BenchStack, TASK_QUEUE, drive, percentile, say } from './stack';

/** Time for the DM's own writes (its record, the thread) to land before the employee answers. */
const SETTLE_MS = 300;
const WAIT_MS = 30_000;

type Path = 'no' | 'yes';

interface InterviewProfile {
  path: Path;
  alertToDmMs: number;
  answerToOutcomeMs: number;
  /** Of answer → outcome, the time some Slack call waited for budget. */
  answerToOutcomeSlackWaitMs: number;
  answerToClosedMs: number;
  beforeDm: { history: WindowProfile; probe: ProbeSnapshot };
  afterAnswer: { history: WindowProfile; probe: ProbeSnapshot };
  events: number;
  bytes: number;
}

/**
 * Where one interview's time goes, on the common paths ("No"; "Yes" and a TOTP code): interviews run
 * one at a time, so every MongoDB command and Slack budget wait counted between two moments is this
 * interview's. Workflow tasks and activities come from the history's timestamps.
 */
export async function benchProfile(
  stack: BenchStack,
  probe: ProfileProbe,
  opts: { interviews: number; backlog: number },
) {
  const n = Math.min(opts.interviews, 100);
  const key = stack.encryptionKey;
  if (!key) throw new Error('the profile needs the stack started with an encryption key');
  const calls = slackWaiters(stack);
  const runId = Date.now().toString(36);
  const secrets = await enrollAll(stack, key, n);
  if (opts.backlog > 0) await storeBacklog(stack, opts.backlog);

  const run = async (path: Path, i: number, label: string): Promise<InterviewProfile> => {
    const slackUserId = `UBENCH${i}`;
    const id = `${label}-${runId}-${path}-${i}`;
    const workflowId = `alert-${id}`;
    const dm = calls.next(
      (c) =>
        c.method === 'chat.postMessage' &&
        String(c.args.channel).startsWith('D') &&
        JSON.stringify(c.args.blocks).includes(workflowId),
    );
    const atStart = probe.snapshot();
    const startedAt = Date.now();
    await startInterview(
      stack.client,
      {
        id,
        type: 'bench.profile',
        title: 'Profiled alert',
        severity: 'low',
        occurredAt: new Date().toISOString(),
        source: 'bench',
        employee: { email: `bench${i}@example.com` },
        details: { i },
      },
      { taskQueue: TASK_QUEUE },
    );
    const handle = stack.client.workflow.getHandle(workflowId);
    const dmChannel = String((await dm).args.channel);
    const dmAt = Date.now();
    const beforeDm = probe.snapshot(atStart);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const told = calls.next((c) => c.method === 'chat.update' && c.args.channel === dmChannel);
    const atAnswer = probe.snapshot();
    const answeredAt = Date.now();
    const answer = path === 'no' ? 'denied' : 'confirmed';
    await handle.signal(employeeResponse, { responseId: randomUUID(), slackUserId, answer });
    if (path === 'yes') {
      const code = seal(key, codeAt(secrets[i]!, Date.now()), sealedCodeContext(workflowId, slackUserId));
      const verdict = await handle.executeUpdate(submitSecondFactor, {
        args: [{ responseId: randomUUID(), slackUserId, code }],
      });
      if (!verdict.accepted) throw new Error(`${workflowId}: the code was refused`);
    }
    await told;
    const toldAt = Date.now();
    await handle.result();
    const closedAt = Date.now();
    const afterAnswer = probe.snapshot(atAnswer);
    const history = await handle.fetchHistory();
    const windows = profileHistory(history.events ?? [], dmAt, answeredAt);
    return {
      path,
      alertToDmMs: dmAt - startedAt,
      answerToOutcomeMs: toldAt - answeredAt,
      answerToOutcomeSlackWaitMs: probe.slackWaitWithin(answeredAt, toldAt),
      answerToClosedMs: closedAt - answeredAt,
      beforeDm: { history: windows.before, probe: beforeDm },
      afterAnswer: { history: windows.after, probe: afterAnswer },
      events: history.events?.length ?? 0,
      bytes: temporal.api.history.v1.History.encode(history).finish().length,
    };
  };

  // Every employee seen once: Slack's profile and the DM channel are then known, as for most alerts.
  say(`profile: warming up with ${n} interviews…`);
  let w = 0;
  await drive({
    count: n,
    concurrency: 5,
    task: async () => void (await run('no', w++, 'warm')),
    label: 'warm-up',
  });

  for (const path of ['no', 'yes'] as const) {
    say(`profile: ${n} interviews answered "${path === 'no' ? 'No' : 'Yes + TOTP code'}", one at a time…`);
    const profiles: InterviewProfile[] = [];
    for (let i = 0; i < n; i++) profiles.push(await run(path, i, 'profile'));
    printProfiles(path, profiles);
  }
}

/** Resolves on the first Slack call (from now on) that matches. */
function slackWaiters(stack: BenchStack) {
  const waiting = new Set<{ match: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }>();
  stack.slack.onCall = (call) => {
    for (const w of waiting)
      if (w.match(call)) {
        waiting.delete(w);
        w.resolve(call);
      }
  };
  return {
    next(match: (c: RecordedCall) => boolean): Promise<RecordedCall> {
      return new Promise((resolve, reject) => {
        const w = { match, resolve };
        waiting.add(w);
        setTimeout(() => {
          if (waiting.delete(w)) reject(new Error(`no matching Slack call within ${WAIT_MS} ms`));
        }, WAIT_MS).unref();
      });
    },
  };
}

/**
 * Closed alerts and their recorded messages from earlier days, as a deployment has after a while: a
 * filter other than on _id makes FerretDB scan them all, which the profile then shows.
 */
async function storeBacklog(stack: BenchStack, count: number): Promise<void> {
  say(`profile: storing ${count} closed alerts as a backlog…`);
  const c = collections(stack.db);
  const at = new Date(Date.now() - 86_400_000);
  for (let from = 0; from < count; from += 500) {
    const ids = Array.from({ length: Math.min(500, count - from) }, (_, i) => `backlog-${from + i}`);
    await c.alerts.insertMany(
      ids.map((id) => ({
        _id: id,
        workflowId: `alert-${id}`,
        input: {
          id,
          type: 'bench.backlog',
          title: 'Earlier alert',
          description: '',
          sensitiveKeys: [],
          severity: 'low' as const,
          occurredAt: at.toISOString(),
          source: 'bench',
          employee: { email: 'bench0@example.com' },
          details: [],
        },
        phase: 'closed' as const,
        outcome: 'denied' as const,
        createdAt: at,
        updatedAt: at,
        transcript: [],
      })),
    );
    await c.sent.insertMany(
      ids.map((id) => ({ _id: `alert-${id}:dm`, at, result: { channel: 'D0', ts: '1.0' } })),
    );
  }
}

async function enrollAll(stack: BenchStack, key: Buffer, n: number): Promise<string[]> {
  const c = collections(stack.db);
  const secrets: string[] = [];
  for (let i = 0; i < n; i++) {
    const slackUserId = `UBENCH${i}`;
    const secret = generateSecret();
    secrets.push(secret);
    await c.secondFactors.updateOne(
      { _id: slackUserId },
      {
        $set: {
          updatedAt: new Date(),
          secondFactor: {
            box: seal(key, secret, slackUserId),
            active: true,
            enrolledAt: new Date(),
            enrolledBy: 'bench',
            lastStep: -1,
            failures: 0,
            lockouts: 0,
          },
        },
      },
      { upsert: true },
    );
  }
  return secrets;
}

const pad = (v: string | number, w: number) => String(v).padStart(w);
const counts = (names: string[]) => {
  const m = new Map<string, number>();
  for (const x of names) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, v]) => (v > 1 ? `${k}×${v}` : k)).join(', ');
};

function printProfiles(path: Path, ps: InterviewProfile[]) {
  const title = path === 'no' ? '"No"' : '"Yes" + TOTP code';
  console.log(`\nprofile, answered ${title}: per interview (before the DM | after the answer)`);
  console.log(
    '   #  WFTs    local  remote  mongo    slack wait ms  events  bytes   alert→DM ms  answer→outcome ms  answer→closed ms',
  );
  ps.forEach((p, i) => {
    const b = p.beforeDm;
    const a = p.afterAnswer;
    console.log(
      [
        pad(i, 4),
        pad(`${b.history.workflowTasks}|${a.history.workflowTasks}`, 5),
        pad(`${b.history.localActivities.length}|${a.history.localActivities.length}`, 8),
        pad(`${b.history.remoteActivities.length}|${a.history.remoteActivities.length}`, 7),
        pad(`${roundTrips(b.probe)}|${roundTrips(a.probe)}`, 6),
        pad(`${b.probe.slackWaitedMs.toFixed(0)}|${a.probe.slackWaitedMs.toFixed(0)}`, 15),
        pad(p.events, 7),
        pad(p.bytes, 6),
        pad(p.alertToDmMs, 13),
        pad(p.answerToOutcomeMs, 18),
        pad(p.answerToClosedMs, 17),
      ].join(''),
    );
  });
  const sorted = (f: (p: InterviewProfile) => number) => ps.map(f).sort((x, y) => x - y);
  const p50p99 = (f: (p: InterviewProfile) => number) => {
    const s = sorted(f);
    return `p50 ${percentile(s, 50).toFixed(0)}, p99 ${percentile(s, 99).toFixed(0)}`;
  };
  const median = (f: (p: InterviewProfile) => number) => percentile(sorted(f), 50);
  console.log(`alert → DM ms: ${p50p99((p) => p.alertToDmMs)}`);
  console.log(`answer → outcome told ms: ${p50p99((p) => p.answerToOutcomeMs)}`);
  // One interview a second keeps Slack's per-channel and chat.update budgets busy: this is the rest.
  console.log(
    `answer → outcome told, less Slack budget waits, ms: ${p50p99((p) => p.answerToOutcomeMs - p.answerToOutcomeSlackWaitMs)}`,
  );
  console.log(`answer → workflow closed ms: ${p50p99((p) => p.answerToClosedMs)}`);
  console.log(`MongoDB round trips before the DM: ${p50p99((p) => roundTrips(p.beforeDm.probe))}`);
  console.log(`MongoDB round trips after the answer: ${p50p99((p) => roundTrips(p.afterAnswer.probe))}`);
  console.log(`history: ${p50p99((p) => p.events)} events; ${p50p99((p) => p.bytes)} bytes`);
  for (const [label, side] of [
    ['before the DM', (p: InterviewProfile) => p.beforeDm],
    ['after the answer', (p: InterviewProfile) => p.afterAnswer],
  ] as const) {
    const typical =
      ps[ps.findIndex((p) => roundTrips(side(p).probe) === median((q) => roundTrips(side(q).probe)))] ??
      ps[0]!;
    const h = side(typical).history;
    console.log(`${label} (an interview with the median round trips):`);
    console.log(
      `  workflow tasks ${h.workflowTasks} (${h.workflowTaskMs.toFixed(0)} ms scheduled → completed); ` +
        `remote activities ${h.remoteActivities.length} (${h.remoteActivityMs.toFixed(0)} ms): ${counts(h.remoteActivities) || '-'}`,
    );
    console.log(`  local activities ${h.localActivities.length}: ${counts(h.localActivities) || '-'}`);
    const cmds = [...side(typical).probe.commands].sort((x, y) => y[1] - x[1]);
    const ms = side(typical).probe.commandMs;
    console.log(
      `  MongoDB (count, ms): ${cmds.map(([k, v]) => `${k} ${v} ${(ms.get(k) ?? 0).toFixed(0)}`).join(', ') || '-'}`,
    );
  }
}
