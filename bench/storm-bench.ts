import { randomUUID } from 'node:crypto';
import { freePort } from '../infra/processes';
import { sourceAuthenticator } from '../intake/auth';
import { buildIntakeServer } from '../intake/server';
import { startInterview } from '../producer';
import { employeeResponse } from '../shared/messages';
import { collections } from '../store/collections';
import { sourceStore } from '../store/sources';
import { type BenchStack, TASK_QUEUE, percentile, say } from './stack';
import { stormRecord } from './storm-record';

/** Detections per employee: alerts of one rule group into one interview, up to maxOpenPerEmployee open. */
const RULES = 5;
const POLL_MS = 2_000;

/**
 * A storm through the real intake: `alerts` alerts for `employees` employees within `seconds`, against
 * a Slack stand-in that enforces Slack's rate tiers. Employees answer "No" to every DM as it arrives,
 * until every alert has an outcome. Prints DMs, updates, 429s, alert → employee's first DM, and the time
 * to the last outcome.
 */
export async function benchStorm(
  stack: BenchStack,
  opts: { alerts: number; employees: number; seconds: number; concurrency: number; maxMinutes: number },
) {
  const slack = stack.slack.enforceRateLimits();
  const c = collections(stack.db);
  const runId = Date.now().toString(36);
  const added = (await sourceStore(c).add(`storm-${runId}`, 'bench', { ratePerSecond: 10_000 })) as {
    token: string;
  };
  const app = buildIntakeServer({
    startAlert: (alert) => startInterview(stack.client, alert, { taskQueue: TASK_QUEUE }),
    authenticate: sourceAuthenticator(sourceStore(c)),
    health: async () => ({}),
    bodyLimit: 262_144,
    ratePerSecond: 10_000,
    logger: stack.logger,
  });
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });

  // What the stand-in sees: each interview DM (its workflow id in the buttons) and each update.
  const firstDmAt = new Map<number, number>();
  const dmWorkflows = new Map<string, number>();
  let dms = 0;
  let updates = 0;
  /** A second DM for the same interview: an employee asked twice. */
  let duplicateDms = 0;
  slack.onCall = (call) => {
    if (call.method === 'chat.update') updates++;
    if (call.method !== 'chat.postMessage' || !String(call.args.channel).startsWith('DBENCH')) return;
    const match = /"value":"(alert-[^"]+)"/.exec(JSON.stringify(call.args.blocks));
    if (!match || call.args.thread_ts) return;
    const employee = Number(String(call.args.channel).slice('DBENCH'.length));
    dms++;
    if (!firstDmAt.has(employee)) firstDmAt.set(employee, Date.now());
    if (dmWorkflows.has(match[1]!)) duplicateDms++;
    dmWorkflows.set(match[1]!, employee);
  };

  // The storm: alerts spread evenly over the window, `concurrency` requests in flight.
  const firstAlertAt = new Map<number, number>();
  const postLatency: number[] = [];
  const statuses = new Map<number, number>();
  const started = Date.now();
  let next = 0;
  const lane = async () => {
    for (;;) {
      const n = next++;
      if (n >= opts.alerts) return;
      const due = started + (n / opts.alerts) * opts.seconds * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const employee = n % opts.employees;
      const rule = Math.floor(n / opts.employees) % RULES;
      const t0 = Date.now();
      if (!firstAlertAt.has(employee)) firstAlertAt.set(employee, t0);
      const res = await fetch(`http://127.0.0.1:${port}/v1/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${added.token}` },
        body: JSON.stringify({
          id: `storm-${runId}-${n}`,
          type: 'bench.storm',
          title: `Storm detection ${rule}`,
          severity: 'medium',
          occurredAt: new Date().toISOString(),
          source: 'bench',
          employee: { email: `bench${employee}@example.com` },
          details: { rule: `rule-${rule}` },
        }),
      });
      await res.arrayBuffer();
      postLatency.push(Date.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  say(`storm: ${opts.alerts} alerts for ${opts.employees} employees within ${opts.seconds} s…`);
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  const postedMs = Date.now() - started;
  say(
    `storm: posted in ${(postedMs / 1000).toFixed(1)} s; answering "No" to each DM until every alert ends…`,
  );

  // Employees answer every DM; the run ends when every alert of the storm has an outcome.
  const answered = new Set<string>();
  const ids = { _id: { $regex: `^storm-${runId}-` } };
  const deadline = Date.now() + opts.maxMinutes * 60_000;
  let decided = 0;
  let lastReport = 0;
  while (Date.now() < deadline) {
    for (const [workflowId, employee] of dmWorkflows) {
      if (answered.has(workflowId)) continue;
      answered.add(workflowId);
      await stack.client.workflow
        .getHandle(workflowId)
        .signal(employeeResponse, {
          responseId: randomUUID(),
          slackUserId: `UBENCH${employee}`,
          answer: 'denied',
        })
        .catch(() => answered.delete(workflowId));
    }
    decided = await c.alerts.countDocuments({ ...ids, outcome: { $ne: null } });
    if (decided >= opts.alerts) break;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      say(
        `  ${decided}/${opts.alerts} decided, ${dms} DMs, ${updates} updates, ${slack.rateLimited.length} 429s`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const allDecidedMs = Date.now() - started;
  const outcomes = await c.alerts
    .aggregate<{ _id: string; n: number }>([{ $match: ids }, { $group: { _id: '$outcome', n: { $sum: 1 } } }])
    .toArray();
  const recorded = await c.alerts.countDocuments(ids);
  const grouping = await stormRecord(stack.db, `storm-${runId}-`, (id) => dmWorkflows.get(id));
  const firstDm = [...firstDmAt].map(([e, at]) => at - firstAlertAt.get(e)!).sort((a, b) => a - b);
  postLatency.sort((a, b) => a - b);
  await app.close();

  console.log('\nstorm through the intake');
  console.log(
    `  alerts posted            ${opts.alerts} in ${(postedMs / 1000).toFixed(1)} s (answers: ${JSON.stringify(Object.fromEntries(statuses))})`,
  );
  console.log(
    `  intake POST latency      p50 ${percentile(postLatency, 50).toFixed(0)} ms, p99 ${percentile(postLatency, 99).toFixed(0)} ms`,
  );
  console.log(
    `  DMs sent                 ${dms} (to ${firstDmAt.size} of ${opts.employees} employees; ${duplicateDms} a second time for the same interview)`,
  );
  console.log(`  DM updates (chat.update) ${updates}`);
  const limitedBy = new Map<string, number>();
  for (const r of slack.rateLimited) {
    const key = r.channel ? `${r.method} ${r.channel}` : r.method;
    limitedBy.set(key, (limitedBy.get(key) ?? 0) + 1);
  }
  console.log(
    `  429s from the stand-in   ${slack.rateLimited.length}${limitedBy.size ? ` (${[...limitedBy].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`,
  );
  console.log(
    `  alert → employee's first DM  p50 ${(percentile(firstDm, 50) / 1000).toFixed(1)} s, p99 ${(percentile(firstDm, 99) / 1000).toFixed(1)} s`,
  );
  console.log(
    `  records / outcomes       ${recorded} / ${decided} (${outcomes.map((o) => `${o._id}: ${o.n}`).join(', ')})`,
  );
  const fallbacks = Object.entries(grouping.fallbacks).map(([reason, n]) => `${reason}: ${n}`);
  console.log(
    `  grouping                 ${grouping.led} led an interview, ${grouping.joined} joined one, ${grouping.queued} waited for a slot`,
  );
  console.log(`  own way (fallbacks)      ${fallbacks.length ? fallbacks.join(', ') : 'none'}`);
  console.log(`  most DMs open at once    ${grouping.maxOpenPerEmployee} for one employee`);
  console.log(`  records with a hole      ${grouping.withHoles} (an event write lost by the store)`);
  console.log(
    `  every alert decided      ${decided >= opts.alerts ? `after ${(allDecidedMs / 1000).toFixed(0)} s` : `NOT within ${opts.maxMinutes} min`}\n`,
  );
}
