import { ApplicationFailure } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import type { InterviewEvent } from '../../shared/record/events';
import { renderEvent } from '../../shared/record/render';
import { coordinatorId } from '../../activities/rollup';
import { rollupTaskQueue } from '../../shared/constants';
import { buildReport } from '../../report/investigation';
import { verdictOf } from '../../report/verdict';
import { recordHistory } from '../helpers/history';
import {
  BOB,
  SECURITY_CHANNEL,
  act,
  alertFor,
  answer,
  createDevServerHarness,
  createHarness,
  dmSent,
  state,
  enroll,
  setPolicy,
  start,
  submitCode,
  validCode,
  whileBusy,
  type Harness,
} from '../helpers/interview-harness';

/**
 * Alert storms, end to end on the suite's Temporal dev server with the real activities, FerretDB and
 * the Slack stand-in: alerts for the same employee that the policy groups join one interview, one
 * answer decides them all, and at most `rollup.maxOpenPerEmployee` interviews are open at once.
 */
describe('alert storms become one conversation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createDevServerHarness({ overridable: true, rollup: true });
  });
  afterAll(async () => h?.teardown());

  /** An employee of the test's own, so no two tests share a coordinator. */
  function newEmployee() {
    const n = randomBytes(3).toString('hex').toUpperCase();
    const user = { id: `UR${n}`, email: `r${n.toLowerCase()}@example.com`, name: `Rollup ${n}`, tz: 'UTC' };
    h.slack.addUser(user);
    return user;
  }
  const dmChannel = (user: { id: string }) => `D${user.id.slice(1)}`;
  const dmsTo = (user: { id: string }) =>
    h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === dmChannel(user) && !c.args.thread_ts);
  /** Waits until `n` DMs reached the employee (an interview's phase is set just before its DM). */
  const dmsReach = (user: { id: string }, n: number) =>
    h.slack.waitForCall('chat.postMessage', () => dmsTo(user).length >= n);
  const escalationPosts = (alertIds: string[]) =>
    h.slack
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          c.args.channel === SECURITY_CHANNEL && alertIds.some((id) => JSON.stringify(c.args).includes(id)),
      );
  const docs = (alertIds: string[]) =>
    whileBusy(() =>
      collections(h.mongo.db)
        .alerts.find({ _id: { $in: alertIds } })
        .toArray(),
    );
  const kinds = (events: InterviewEvent[]) => events.map((e) => e.kind);

  type Doc = Awaited<ReturnType<typeof docs>>[number];
  /** Waits until every alert is in one of the phases (and meets `also`); returns the docs. */
  async function settled(
    alertIds: string[],
    phases: string[],
    also: (d: Doc) => boolean = () => true,
    timeoutMs = 240_000,
  ) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = await docs(alertIds);
      if (found.length === alertIds.length && found.every((d) => phases.includes(d.phase) && also(d)))
        return found;
      if (Date.now() > until)
        throw new Error(
          `not settled: ${JSON.stringify(found.map((d) => kinds(d.transcript)))} ${JSON.stringify(found.map((d) => d.phase).reduce<Record<string, number>>((a, p) => ({ ...a, [p]: (a[p] ?? 0) + 1 }), {}))} of ${alertIds.length}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const handleOf = (alertId: string) => h.client.workflow.getHandle(`alert-${alertId}`);

  it('a leader with members: one DM, one "Yes" with a verified code decides all of them confirmed_verified', async () => {
    const emp = newEmployee();
    const secret = await enroll(h, emp.id);
    const alerts = [0, 1, 2].map(() => alertFor(emp, { type: 'rollup.verified' }));
    const leaderHandle = await start(h, alerts[0]!);
    await settled([alerts[0]!.id!], ['awaiting_response']);
    for (const a of alerts.slice(1)) await start(h, a);
    await settled(
      alerts.map((a) => a.id!),
      ['awaiting_response', 'awaiting_leader'],
    );
    await dmsReach(emp, 1);
    expect(dmsTo(emp)).toHaveLength(1);
    // The DM says how many alerts it covers (coalesced updates; the last one counts all three).
    await h.slack.waitForCall(
      'chat.update',
      (c) => c.args.channel === dmChannel(emp) && String(c.args.text).includes('3 similar alerts'),
    );

    await answer(leaderHandle, emp.id, 'confirmed', 'my deploy');
    expect(await submitCode(h, leaderHandle, emp.id, validCode(secret))).toMatchObject({ accepted: true });
    const results = await Promise.all(alerts.map((a) => handleOf(a.id!).result()));
    expect(results.map((r) => r.outcome)).toEqual(Array(3).fill('confirmed_verified'));
    const [leader, ...members] = await Promise.all(alerts.map(async (a) => (await docs([a.id!]))[0]!));
    expect(kinds(leader!.transcript)).toContain('rollup_led');
    expect(renderEvent(leader!.transcript.find((e) => e.kind === 'rollup_led')!)).toContain(
      'decides 3 alerts',
    );
    for (const m of members) {
      const decided = m!.transcript.find((e) => e.kind === 'rollup_decided_by_leader');
      expect(decided).toMatchObject({
        leaderAlertId: alerts[0]!.id,
        outcome: 'confirmed_verified',
        secondFactorVerified: true,
      });
      expect(kinds(m!.transcript)).not.toContain('dm_sent');
      // The report names the interview that decided it.
      const report = buildReport((await alertStore(collections(h.mongo.db)).get(m!._id))!);
      expect(report.decidedBy).toMatchObject({ leaderAlertId: alerts[0]!.id });
      expect(verdictOf(report).decidedBy).toMatchObject({ alertId: alerts[0]!.id });
    }
    await dmsReach(emp, 1);
    expect(dmsTo(emp)).toHaveLength(1);
    recordHistory('rollup-leader-with-members-confirmed', await leaderHandle.fetchHistory());
    recordHistory('rollup-member-decided-by-leader', await handleOf(alerts[1]!.id!).fetchHistory());
  });

  it("the employee's coordinator runs on the rollup task queue, served by a worker of its own", async () => {
    const emp = newEmployee();
    const alert = alertFor(emp, { type: 'rollup.queue' });
    const handle = await start(h, alert);
    await settled([alert.id!], ['awaiting_response']);
    const coordinator = await h.client.workflow.getHandle(coordinatorId(h.taskQueue, emp.id)).describe();
    expect(coordinator.taskQueue).toBe(rollupTaskQueue(h.taskQueue));
    expect(coordinator.taskQueue).not.toBe(h.taskQueue);
    await act(handle, 'close');
  });

  it("an update of the DM skipped for Slack's budget is shown at a later turn", async () => {
    const emp = newEmployee();
    const alerts = [0, 1, 2].map(() => alertFor(emp, { type: 'rollup.skipped-update' }));
    const real = h.activities.updateRolledUpDm;
    const calls: { covers: number; skipped: boolean }[] = [];
    // The first update that would say 3 finds no budget to spare, as in a storm.
    h.overrides.updateRolledUpDm = async (input) => {
      const skipped = input.covers === 3 && !calls.some((c) => c.covers === 3);
      calls.push({ covers: input.covers, skipped });
      return skipped ? false : real(input);
    };
    const updatesSaying = (n: number) =>
      h.slack
        .callsTo('chat.update')
        .filter(
          (c) => c.args.channel === dmChannel(emp) && String(c.args.text).includes(`${n} similar alerts`),
        );
    try {
      const leaderHandle = await start(h, alerts[0]!);
      await settled([alerts[0]!.id!], ['awaiting_response']);
      await start(h, alerts[1]!);
      await h.slack.waitForCall('chat.update', () => updatesSaying(2).length > 0, 40_000);
      await start(h, alerts[2]!);
      await h.slack.waitForCall('chat.update', () => updatesSaying(3).length > 0, 40_000);
      // Skipped, then shown at a later turn (no alert joined in between to prompt it).
      const threes = calls.filter((c) => c.covers === 3);
      expect(threes.map((c) => c.skipped)).toEqual([true, false]);
      await answer(leaderHandle, emp.id, 'denied');
      const results = await Promise.all(alerts.map((a) => handleOf(a.id!).result()));
      expect(results.map((r) => r.outcome)).toEqual(Array(3).fill('denied'));
    } finally {
      delete h.overrides.updateRolledUpDm;
    }
  });

  it('a leader closed by an operator releases its members to their own way', async () => {
    const emp = newEmployee();
    const alerts = [0, 1, 2].map(() => alertFor(emp, { type: 'rollup.released' }));
    const leaderHandle = await start(h, alerts[0]!);
    await settled([alerts[0]!.id!], ['awaiting_response']);
    for (const a of alerts.slice(1)) await start(h, a);
    await settled(
      alerts.map((a) => a.id!),
      ['awaiting_response', 'awaiting_leader'],
    );
    await act(leaderHandle, 'close');
    expect(await leaderHandle.result()).toMatchObject({ outcome: 'closed_by_operator' });
    // Released, the two ask again: one leads a new interview (a second DM), the other joins it.
    const released = await settled(
      alerts.slice(1).map((a) => a.id!),
      ['awaiting_response', 'awaiting_leader'],
      // Released, then leading (the DM sent) or joined again.
      (d) =>
        kinds(d.transcript).includes('rollup_released') &&
        (d.phase === 'awaiting_response' ||
          kinds(d.transcript).filter((k) => k === 'rollup_joined').length === 2),
    );
    for (const d of released)
      expect(d.transcript.find((e) => e.kind === 'rollup_released')).toMatchObject({
        leaderAlertId: alerts[0]!.id,
        leaderOutcome: 'closed_by_operator',
      });
    await dmsReach(emp, 2);
    expect(dmsTo(emp)).toHaveLength(2);
    const newLeader = released.find((d) => d.phase === 'awaiting_response')!;
    await answer(handleOf(newLeader._id), emp.id, 'denied');
    const results = await Promise.all(alerts.slice(1).map((a) => handleOf(a.id!).result()));
    expect(results.map((r) => r.outcome)).toEqual(['denied', 'denied']);
  });

  it('a leader that fails closed releases its members: they are not left undecided', async () => {
    const emp = newEmployee();
    const alerts = [0, 1].map(() => alertFor(emp, { type: 'rollup.leader-fails' }));
    const leaderHandle = await start(h, alerts[0]!);
    await settled([alerts[0]!.id!], ['awaiting_response']);
    await start(h, alerts[1]!);
    await settled([alerts[1]!.id!], ['awaiting_leader']);
    const real = h.activities.finishInterview;
    h.overrides.finishInterview = async (input) => {
      if (input.alertId === alerts[0]!.id)
        throw ApplicationFailure.create({ type: 'SlackRefused', message: 'test', nonRetryable: true });
      return real(input);
    };
    try {
      await answer(leaderHandle, emp.id, 'denied');
      expect(await leaderHandle.result()).toMatchObject({ outcome: 'failed_closed' });
      const [member] = await settled([alerts[1]!.id!], ['awaiting_response'], (d) =>
        kinds(d.transcript).includes('rollup_released'),
      );
      expect(member!.transcript.find((e) => e.kind === 'rollup_released')).toMatchObject({
        leaderOutcome: 'failed_closed',
      });
      await dmsReach(emp, 2);
      await act(handleOf(alerts[1]!.id!), 'close');
      expect(await handleOf(alerts[1]!.id!).result()).toMatchObject({ outcome: 'closed_by_operator' });
    } finally {
      delete h.overrides.finishInterview;
    }
  });

  it('a leader cancelled in Temporal releases its members', async () => {
    const emp = newEmployee();
    const alerts = [0, 1].map(() => alertFor(emp, { type: 'rollup.cancelled' }));
    const leaderHandle = await start(h, alerts[0]!);
    await settled([alerts[0]!.id!], ['awaiting_response']);
    // The phase is set just before the DM: cancelling in between would leave the employee one DM.
    await dmsReach(emp, 1);
    await start(h, alerts[1]!);
    await settled([alerts[1]!.id!], ['awaiting_leader']);
    await leaderHandle.cancel();
    expect(await leaderHandle.result()).toMatchObject({ outcome: 'cancelled' });
    const [member] = await settled([alerts[1]!.id!], ['awaiting_response'], (d) =>
      kinds(d.transcript).includes('rollup_released'),
    );
    expect(member!.transcript.find((e) => e.kind === 'rollup_released')).toMatchObject({
      leaderOutcome: 'cancelled',
    });
    await dmsReach(emp, 2);
    await act(handleOf(alerts[1]!.id!), 'close');
  });

  it('a leader terminated in Temporal (nothing told): the next alert leads its own interview', async () => {
    const emp = newEmployee();
    const alerts = [0, 1].map(() => alertFor(emp, { type: 'rollup.terminated' }));
    const leaderHandle = await start(h, alerts[0]!);
    await settled([alerts[0]!.id!], ['awaiting_response']);
    await dmsReach(emp, 1);
    await leaderHandle.terminate('test: a leader that vanishes');
    await start(h, alerts[1]!);
    // The coordinator's join cannot reach the leader: its slot is freed and the alert asked again.
    const [next] = await settled([alerts[1]!.id!], ['awaiting_response']);
    expect(kinds(next!.transcript)).not.toContain('rollup_joined');
    await dmsReach(emp, 2);
    await act(handleOf(alerts[1]!.id!), 'close');
  });

  it('an operator action on a member still works, and the leader decides the rest', async () => {
    const emp = newEmployee();
    const alerts = [0, 1, 2].map(() => alertFor(emp, { type: 'rollup.member-closed' }));
    const leaderHandle = await start(h, alerts[0]!);
    await settled([alerts[0]!.id!], ['awaiting_response']);
    for (const a of alerts.slice(1)) await start(h, a);
    await settled(
      alerts.map((a) => a.id!),
      ['awaiting_response', 'awaiting_leader'],
    );
    await act(handleOf(alerts[1]!.id!), 'close');
    expect(await handleOf(alerts[1]!.id!).result()).toMatchObject({ outcome: 'closed_by_operator' });
    await answer(leaderHandle, emp.id, 'denied');
    expect(await leaderHandle.result()).toMatchObject({ outcome: 'denied' });
    expect(await handleOf(alerts[2]!.id!).result()).toMatchObject({ outcome: 'denied' });
    // The member's escalation is the leader's post: one post for the interview.
    const leaderPost = (await docs([alerts[0]!.id!]))[0]!.transcript.find(
      (e) => e.kind === 'escalation_posted',
    );
    const member = (await docs([alerts[2]!.id!]))[0]!;
    expect(member.transcript.find((e) => e.kind === 'rollup_decided_by_leader')).toMatchObject({
      outcome: 'denied',
      escalationChannel: SECURITY_CHANNEL,
      escalationTs: (leaderPost as { ts: string }).ts,
    });
    expect(escalationPosts(alerts.map((a) => a.id!))).toHaveLength(1);
    recordHistory('rollup-leader-denied-with-members', await leaderHandle.fetchHistory());
    recordHistory('rollup-member-denied-by-leader', await handleOf(alerts[2]!.id!).fetchHistory());
  });

  it('the queue: a 4th distinct fingerprint waits until one of the 3 open interviews ends', async () => {
    const emp = newEmployee();
    const alerts = [1, 2, 3, 4].map((n) =>
      alertFor(emp, { type: 'rollup.queue', details: { sourceIp: `203.0.113.${n}` } }),
    );
    for (const a of alerts.slice(0, 3)) await start(h, a);
    await settled(
      alerts.slice(0, 3).map((a) => a.id!),
      ['awaiting_response'],
    );
    await start(h, alerts[3]!);
    const [queued] = await settled([alerts[3]!.id!], ['queued']);
    expect(queued!.transcript.find((e) => e.kind === 'rollup_queued')).toMatchObject({ open: 3, limit: 3 });
    await dmsReach(emp, 3);
    expect(dmsTo(emp)).toHaveLength(3);

    await answer(handleOf(alerts[0]!.id!), emp.id, 'denied');
    expect(await handleOf(alerts[0]!.id!).result()).toMatchObject({ outcome: 'denied' });
    await settled([alerts[3]!.id!], ['awaiting_response']);
    await dmsReach(emp, 4);
    expect(dmsTo(emp)).toHaveLength(4);
    const coordinator = h.client.workflow.getHandle(coordinatorId(h.taskQueue, emp.id));
    recordHistory('rollup-coordinator-queue', await coordinator.fetchHistory());
    for (const a of alerts.slice(1)) await act(handleOf(a.id!), 'close');
  });

  it('rollup.window: an alert joins only an interview started within the window', async () => {
    const emp = newEmployee();
    await setPolicy(h, 'rollup.window', {
      rollup: { enabled: true, by: 'type', maxOpenPerEmployee: 3, window: '2s' },
    });
    const alerts = [1, 2, 3].map((n) =>
      alertFor(emp, { type: 'rollup.window', details: { sourceIp: `198.51.100.${n}` } }),
    );
    await start(h, alerts[0]!);
    await settled([alerts[0]!.id!], ['awaiting_response']);
    // by: type: different details join; within the window.
    await start(h, alerts[1]!);
    await settled([alerts[1]!.id!], ['awaiting_leader']);
    await new Promise((r) => setTimeout(r, 2500));
    await start(h, alerts[2]!);
    await settled([alerts[2]!.id!], ['awaiting_response']);
    await dmsReach(emp, 2);
    expect(dmsTo(emp)).toHaveLength(2);
    for (const a of [alerts[0]!, alerts[2]!]) await act(handleOf(a.id!), 'close');
  });

  it('rollup disabled: each alert has its own interview, as before', async () => {
    const emp = newEmployee();
    await setPolicy(h, 'rollup.off', {
      rollup: { enabled: false, by: 'fingerprint', maxOpenPerEmployee: 3 },
    });
    const alerts = [0, 1].map(() => alertFor(emp, { type: 'rollup.off' }));
    for (const a of alerts) await start(h, a);
    const found = await settled(
      alerts.map((a) => a.id!),
      ['awaiting_response'],
    );
    await dmsReach(emp, 2);
    expect(dmsTo(emp)).toHaveLength(2);
    for (const d of found) expect(kinds(d.transcript).filter((k) => k.startsWith('rollup_'))).toEqual([]);
    for (const a of alerts) await act(handleOf(a.id!), 'close');
  });

  it('coordinator unavailable: the alert falls back to its own interview', async () => {
    const emp = newEmployee();
    h.overrides.askRollup = async () => {
      throw ApplicationFailure.create({
        type: 'Unavailable',
        message: 'test: no coordinator',
        nonRetryable: true,
      });
    };
    try {
      const alerts = [0, 1].map(() => alertFor(emp, { type: 'rollup.unavailable' }));
      for (const a of alerts) await start(h, a);
      const found = await settled(
        alerts.map((a) => a.id!),
        ['awaiting_response'],
      );
      await dmsReach(emp, 2);
      expect(dmsTo(emp)).toHaveLength(2);
      for (const d of found)
        expect(d.transcript.find((e) => e.kind === 'rollup_fallback')).toMatchObject({
          reason: 'coordinator_unavailable',
        });
      for (const a of alerts) await act(handleOf(a.id!), 'close');
    } finally {
      delete h.overrides.askRollup;
    }
  });
});

/** On the time-skipping server: a coordinator that never answers costs the alert a bounded wait only. */
describe('alert storms: a coordinator that does not answer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ timeSkipping: true, overridable: true, rollup: true });
  });
  afterAll(async () => h?.teardown());

  it('the alert waits at most 2 minutes, then has its own interview', async () => {
    // The question is "sent" but nothing answers it, as with a coordinator stuck on a dead worker.
    h.overrides.askRollup = async () => ({ coordinatorId: 'employee-000000000000000000000000' });
    const alert = alertFor(BOB, { type: 'rollup.silent' });
    const handle = await start(h, alert);
    await h.env!.sleep('1 minute');
    expect(
      h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${BOB.id.slice(1)}`),
    ).toEqual([]);
    await h.env!.sleep('2 minutes');
    await dmSent(h, handle);
    const events = (await state(handle)).transcript;
    expect(events.find((e) => e.kind === 'rollup_fallback')).toMatchObject({ reason: 'no_answer' });
    await act(handle, 'close');
    expect(await handle.result()).toMatchObject({ outcome: 'closed_by_operator' });
  });
});
