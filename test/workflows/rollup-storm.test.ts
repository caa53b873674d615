import { collections } from '../../store/collections';
import { rollupTaskQueue } from '../../shared/constants';
import { recordHistory } from '../helpers/history';
import { employeeResponse } from '../../shared/messages';
import {
  SECURITY_CHANNEL,
  alertFor,
  createDevServerHarness,
  start,
  whileBusy,
  type Harness,
} from '../helpers/interview-harness';

/**
 * The storm from the issue, end to end on the dev server: 300 alerts of one type for one employee
 * in bursts become at most 3 DMs; one "No" on each open interview decides all 300 `denied`, with one
 * escalation post per interview, not per alert.
 */
const STORM = 300;
const EMP = { id: 'USTORM001', email: 'storm@example.com', name: 'Storm Test', tz: 'UTC' };

describe('an alert storm', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createDevServerHarness({ rollup: true });
    h.slack.addUser(EMP);
  });
  afterAll(async () => h?.teardown());

  const alerts = () => collections(h.mongo.db).alerts;
  async function phases(ids: string[]) {
    const found = await whileBusy(() =>
      alerts()
        .find({ _id: { $in: ids } }, { projection: { phase: 1, outcome: 1 } })
        .toArray(),
    );
    return found;
  }
  async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const got = await check();
      if (got !== undefined) return got;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  it(
    `${STORM} alerts of one type in bursts: at most 3 DMs, ${STORM} records, one "No" decides all`,
    async () => {
      const t0 = Date.now();
      const drafts = Array.from({ length: STORM }, () => alertFor(EMP, { type: 'storm.login' }));
      const ids = drafts.map((d) => d.id!);
      // Sent in bursts of 30, as a misfiring detection would. How fast they go out depends on the
      // machine; the bounds below hold however long sending takes, because later alerts join the
      // interview still open.
      for (let i = 0; i < STORM; i += 30) {
        await Promise.all(drafts.slice(i, i + 30).map((d) => start(h, d)));
        await new Promise((r) => setTimeout(r, 300));
      }
      const sentWithinMs = Date.now() - t0;

      const open = await until(
        'every alert asked or joined',
        async () => {
          const found = await phases(ids);
          const waiting = found.filter((d) =>
            ['awaiting_response', 'awaiting_leader', 'queued'].includes(d.phase),
          );
          return found.length === STORM && waiting.length === STORM ? found : undefined;
        },
        8 * 60_000,
      );
      const settledMs = Date.now() - t0;
      const dmChannel = `D${EMP.id.slice(1)}`;
      const dms = h.slack
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === dmChannel && !c.args.thread_ts);
      expect(dms.length).toBeGreaterThanOrEqual(1);
      expect(dms.length).toBeLessThanOrEqual(3);
      const leaders = open.filter((d) => d.phase === 'awaiting_response');
      expect(leaders.length).toBe(dms.length);
      expect(await whileBusy(() => alerts().countDocuments({ _id: { $in: ids } }))).toBe(STORM);

      for (const l of leaders)
        await h.client.workflow
          .getHandle(`alert-${l._id}`)
          .signal(employeeResponse, { responseId: `no-${l._id}`, slackUserId: EMP.id, answer: 'denied' });
      const results = await Promise.all(ids.map((id) => h.client.workflow.getHandle(`alert-${id}`).result()));
      const decidedMs = Date.now() - t0;
      expect(results.filter((r) => r.outcome === 'denied')).toHaveLength(STORM);
      const stored = await phases(ids);
      expect(stored.filter((d) => d.outcome === 'denied')).toHaveLength(STORM);

      const escalations = h.slack
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === SECURITY_CHANNEL);
      expect(escalations.length).toBe(leaders.length);
      // The one post per interview says how many alerts it stands for.
      expect(escalations.map((c) => JSON.stringify(c.args.blocks)).join()).toMatch(/covers \d+ alerts/);
      const coordinators = h.client.workflow.list({ query: `WorkflowType = 'rollupCoordinator'` });
      const runIds: { workflowId: string; runId: string; status: string }[] = [];
      for await (const run of coordinators)
        if (run.taskQueue === rollupTaskQueue(h.taskQueue))
          runIds.push({ workflowId: run.workflowId, runId: run.runId, status: run.status.name });
      const runs = runIds.length;
      const continued = runIds.find((r) => r.status === 'CONTINUED_AS_NEW');
      if (continued)
        recordHistory(
          'rollup-coordinator-continued-as-new',
          await h.client.workflow.getHandle(continued.workflowId, continued.runId).fetchHistory(),
        );
      // Its history stays small: it continued as new at least once in the storm.
      expect(runs).toBeGreaterThanOrEqual(2);
      const dmUpdates = h.slack.callsTo('chat.update').filter((c) => c.args.channel === dmChannel);
      // Coalesced: one update per 5 s at most while alerts join, and one with the outcome per DM.
      expect(dmUpdates.length).toBeLessThanOrEqual(
        Math.ceil(settledMs / 5000) * leaders.length + leaders.length,
      );
      console.log(
        `[storm] ${STORM} alerts sent in ${sentWithinMs} ms; all asked or joined after ${settledMs} ms; ` +
          `all decided after ${decidedMs} ms; DMs ${dms.length}, DM updates ${dmUpdates.length}, escalation posts ${escalations.length}, coordinator runs ${runs} (${runIds.map((r) => r.status).join(', ')})`,
      );
    },
    15 * 60_000,
  );
});
