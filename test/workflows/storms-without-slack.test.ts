import { createHash, randomUUID } from 'node:crypto';
import type http from 'node:http';
import nodemailer from 'nodemailer';
import { createTeamsDeps } from '../../activities/channels/teams';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { emailKey } from '../../shared/employee-key';
import type { InterviewEvent } from '../../shared/record/events';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { suppressionStore } from '../../store/suppressions';
import { recordHistory } from '../helpers/history';
import {
  ANA,
  type Harness,
  alertFor,
  createDevServerHarness,
  enroll,
  resultWithin,
  setPolicy,
  start,
  state,
  validCode,
  whileBusy,
} from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';
import { startSmtpServer } from '../helpers/smtp-server';
import { type ConnectorActivity, TeamsStandIn } from '../helpers/teams-stand-in';
import { teamsConfigFor } from '../helpers/teams-endpoint';
import { startTeamsBot } from '../helpers/teams-bot-under-test';

const APP = {
  appId: '7a3d2e8f-9b5c-4d4e-8f60-1b2c3d4e5f60',
  appPassword: 'teams-client-secret',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
};

/**
 * Storms and suppressions for employees Slack does not know, end to end: the real workflow, worker and
 * rollup coordinators on Temporal, FerretDB, the real Teams endpoint fed signed activities, and the Bot
 * Connector stand-in. The employees are in the directory by email and Entra object id only.
 */
describe('storms and suppressions without Slack', () => {
  let h: Harness;
  let teams: TeamsStandIn;
  let bot: http.Server;
  let endpoint: string;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    teams = await new TeamsStandIn(APP).start();
    smtp = await startSmtpServer();
    const config = teamsConfigFor(teams);
    h = await createDevServerHarness({
      rollup: true,
      activityDeps: {
        teams: createTeamsDeps({ teams: config }),
        mail: {
          transport: nodemailer.createTransport(smtp.url),
          from: 'Vouch <vouch@example.com>',
          publicUrl: 'http://localhost:3999',
        },
      },
    });
    ({ server: bot, endpoint } = await startTeamsBot(h, config));
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => bot?.close(r));
    await h?.teardown();
    await teams?.stop();
    await smtp?.close();
  });

  /** An employee of the test's own (so no two tests share a coordinator): an email and an Entra id, no Slack. */
  async function teamsOnlyEmployee() {
    const oid = randomUUID();
    const email = `${uniqueName('t')}@example.com`.toLowerCase();
    const entry = directoryEntrySchema.parse({ email, name: 'Tess Teams', aadObjectId: oid });
    await whileBusy(() => directoryStore(collections(h.mongo.db)).set(entry, 'test'));
    return { oid, email };
  }

  /** An activity as Teams posts it: from the employee, in their chat with the bot, signed. */
  const post = async (oid: string, conversationId: string, over: Record<string, unknown>) => {
    const body = {
      id: `f:${uniqueName('act')}`,
      channelId: 'msteams',
      serviceUrl: teams.serviceUrl,
      from: { id: `29:${oid}`, aadObjectId: oid },
      recipient: { id: `28:${APP.appId}` },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: APP.tenantId },
      channelData: { tenant: { id: APP.tenantId } },
      ...over,
    };
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const text = (v: unknown) => JSON.stringify(v);
  /** The questions sent to the employee: cards the bot started, not replies. */
  const cardsTo = (oid: string) =>
    teams.activities.filter(
      (a) => !a.replyToId && text(teams.conversations.get(a.conversationId)?.members ?? []).includes(oid),
    );
  const kinds = (events: InterviewEvent[]) => events.map((e) => e.kind);
  const handleOf = (alertId: string) => h.client.workflow.getHandle(`alert-${alertId}`);
  async function phaseOf(alertId: string, phases: string[]) {
    const until = Date.now() + 120_000;
    for (;;) {
      const s = await state(handleOf(alertId)).catch(() => undefined);
      if (s && phases.includes(s.phase)) return s;
      if (Date.now() > until)
        throw new Error(`alert ${alertId} never reached ${phases.join('/')}: ${s?.phase}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('a storm for a Teams-only employee is one card listing the alerts, and one "No" decides all of them', async () => {
    const tess = await teamsOnlyEmployee();
    const type = uniqueName('storm');
    await setPolicy(h, type, { channels: ['teams'], reminders: [], deadline: '1h' });
    const alerts = ['Console login from a new country', 'Access key created', 'MFA device removed'].map(
      (title) => alertFor({ email: tess.email }, { type, title }),
    );
    await start(h, alerts[0]!);
    await phaseOf(alerts[0]!.id!, ['awaiting_response']);
    for (const a of alerts.slice(1)) await start(h, a);
    for (const a of alerts.slice(1)) await phaseOf(a.id!, ['awaiting_leader']);

    // One card, updated to list every alert the one answer covers.
    await teams.waitFor(
      () => cardsTo(tess.oid).some((c) => text(c.body).includes('covers 3 alerts')),
      60_000,
    );
    const cards = cardsTo(tess.oid);
    expect(cards).toHaveLength(1);
    const card: ConnectorActivity = cards[0]!;
    for (const a of alerts) expect(text(card.body)).toContain(a.title);
    const leaderWorkflowId = `alert-${alerts[0]!.id}`;
    expect(text(card.body)).toContain(`"workflowId":"${leaderWorkflowId}"`);

    // Her "No" on the card: every alert of the storm is denied.
    const no = await post(tess.oid, card.conversationId, {
      type: 'message',
      value: { vouch: 'deny', workflowId: leaderWorkflowId },
    });
    expect(no.status).toBe(200);
    const results = await Promise.all(alerts.map((a) => resultWithin(handleOf(a.id!), 60_000)));
    expect(results.map((r) => r.outcome)).toEqual(['denied', 'denied', 'denied']);
    const [leader, ...members] = await Promise.all(alerts.map((a) => state(handleOf(a.id!))));
    expect(leader!.transcript.find((e) => e.kind === 'rollup_led')).toMatchObject({ covers: 3 });
    for (const m of members)
      expect(m.transcript.find((e) => e.kind === 'rollup_decided_by_leader')).toMatchObject({
        leaderAlertId: alerts[0]!.id,
        outcome: 'denied',
      });
    // Still one question in Teams: the members sent none of their own.
    expect(cardsTo(tess.oid)).toHaveLength(1);
    recordHistory('storms-teams-leader-denied', await handleOf(alerts[0]!.id!).fetchHistory());
    recordHistory('storms-teams-member-denied-by-leader', await handleOf(alerts[1]!.id!).fetchHistory());
  }, 240_000);

  it('one verified "Yes" on the storm\'s card confirms every alert of it', async () => {
    const tess = await teamsOnlyEmployee();
    const secret = await enroll(h, emailKey(tess.email));
    const type = uniqueName('storm-yes');
    await setPolicy(h, type, { channels: ['teams'], reminders: [], deadline: '1h' });
    const alerts = ['Access key created', 'Access key used from a new IP'].map((title) =>
      alertFor({ email: tess.email }, { type, title }),
    );
    await start(h, alerts[0]!);
    await phaseOf(alerts[0]!.id!, ['awaiting_response']);
    await start(h, alerts[1]!);
    await phaseOf(alerts[1]!.id!, ['awaiting_leader']);
    await teams.waitFor(
      () => cardsTo(tess.oid).some((c) => text(c.body).includes('covers 2 alerts')),
      60_000,
    );
    const card = cardsTo(tess.oid)[0]!;
    const leaderWorkflowId = `alert-${alerts[0]!.id}`;
    const submitted = await post(tess.oid, card.conversationId, {
      type: 'invoke',
      name: 'task/submit',
      value: {
        data: { vouch: 'submit_code', workflowId: leaderWorkflowId, code: validCode(secret) },
        context: { theme: 'default' },
      },
    });
    expect(submitted.body).toEqual({
      task: { type: 'message', value: 'Verified: thanks, nothing else to do.' },
    });
    const results = await Promise.all(alerts.map((a) => resultWithin(handleOf(a.id!), 60_000)));
    expect(results.map((r) => r.outcome)).toEqual(['confirmed_verified', 'confirmed_verified']);
    const member = await state(handleOf(alerts[1]!.id!));
    expect(member.transcript.find((e) => e.kind === 'rollup_decided_by_leader')).toMatchObject({
      outcome: 'confirmed_verified',
      secondFactorVerified: true,
    });
    // The member asked nothing of its own: no second card, no code of its own.
    expect(kinds(member.transcript)).not.toContain('second_factor_attempt');
    expect(cardsTo(tess.oid)).toHaveLength(1);
    recordHistory('storms-teams-leader-confirmed', await handleOf(alerts[0]!.id!).fetchHistory());
  }, 240_000);

  /** A coordinator's id as every release so far computed it, written out: in-flight storms depend on it. */
  const coordinatorOf = (key: string) =>
    `employee-${createHash('sha256').update(`${h.taskQueue}\n${key}`).digest('hex').slice(0, 24)}`;

  it('coordinators: by Slack id for an employee with Slack, exactly as before; by email key for one without', async () => {
    const type = uniqueName('coordinator');
    await setPolicy(h, type, { reminders: [], deadline: '1h' });
    const slackAlert = alertFor(ANA, { type });
    await start(h, slackAlert);
    await phaseOf(slackAlert.id!, ['awaiting_response']);
    expect((await h.client.workflow.getHandle(coordinatorOf(ANA.id)).describe()).type).toBe(
      'rollupCoordinator',
    );
    await handleOf(slackAlert.id!).terminate('test done');

    const tess = await teamsOnlyEmployee();
    await setPolicy(h, type, { channels: ['teams'], reminders: [], deadline: '1h' });
    const teamsAlert = alertFor({ email: tess.email }, { type });
    await start(h, teamsAlert);
    await phaseOf(teamsAlert.id!, ['awaiting_response']);
    const coordinator = h.client.workflow.getHandle(coordinatorOf(`email:${tess.email}`));
    expect((await coordinator.describe()).type).toBe('rollupCoordinator');
    await handleOf(teamsAlert.id!).terminate('test done');
  }, 240_000);

  it('a verified "Yes" of a Teams-only employee suppresses the same alert for them', async () => {
    const tess = await teamsOnlyEmployee();
    const secret = await enroll(h, emailKey(tess.email));
    const type = uniqueName('suppress');
    await setPolicy(h, type, {
      channels: ['teams'],
      reminders: [],
      deadline: '1h',
      rollup: { enabled: false },
    });
    const first = alertFor({ email: tess.email }, { type });
    const handle = await start(h, first);
    await teams.waitFor(() => cardsTo(tess.oid).length === 1, 60_000);
    const card = cardsTo(tess.oid)[0]!;
    const submitted = await post(tess.oid, card.conversationId, {
      type: 'invoke',
      name: 'task/submit',
      value: {
        data: { vouch: 'submit_code', workflowId: handle.workflowId, code: validCode(secret) },
        context: { theme: 'default' },
      },
    });
    expect(submitted.body).toEqual({
      task: { type: 'message', value: 'Verified: thanks, nothing else to do.' },
    });
    const verified = await resultWithin(handle, 60_000);
    expect(verified.outcome).toBe('confirmed_verified');
    expect(verified.suppressionId).toBeDefined();
    recordHistory('suppressions-email-key-created', await handle.fetchHistory());

    // Kept under her email: no Slack id on it.
    const stored = await whileBusy(() =>
      suppressionStore(collections(h.mongo.db)).get(verified.suppressionId!),
    );
    expect(stored).toMatchObject({ email: tess.email, alertType: type, createdByAlertId: first.id });
    expect(stored!.slackUserId).toBeUndefined();
    expect(verified.suppressionId!.startsWith(`${emailKey(tess.email)}:${type}:`)).toBe(true);

    // The same alert again: suppressed, and she is not asked.
    const again = await start(h, alertFor({ email: tess.email }, { type }));
    const result = await resultWithin(again, 60_000);
    expect(result).toMatchObject({ outcome: 'suppressed', suppressionId: verified.suppressionId });
    expect(kinds((await state(again)).transcript)).toContain('suppressed');
    expect(cardsTo(tess.oid)).toHaveLength(1);
    recordHistory('suppressions-email-key-suppressed', await again.fetchHistory());
  }, 240_000);

  const emailsTo = (email: string) => smtp.received.filter((m) => JSON.stringify(m.to).includes(email));

  it('an employee asked by email first is not grouped: each alert of the storm has its own email', async () => {
    const tess = await teamsOnlyEmployee();
    const type = uniqueName('by-mail');
    await setPolicy(h, type, { channels: ['email', 'teams'], reminders: [], deadline: '1h' });
    const alerts = [0, 1].map(() => alertFor({ email: tess.email }, { type }));
    for (const a of alerts) await start(h, a);
    for (const a of alerts) await phaseOf(a.id!, ['awaiting_response']);
    await smtp.waitFor(() => emailsTo(tess.email).length === 2, 60_000).catch(() => undefined);
    expect(emailsTo(tess.email)).toHaveLength(2);
    for (const a of alerts) {
      const events = (await state(handleOf(a.id!))).transcript;
      expect(kinds(events).filter((k) => k.startsWith('rollup_'))).toEqual([]);
      await handleOf(a.id!).terminate('test done');
    }
    expect(cardsTo(tess.oid)).toHaveLength(0);
  }, 240_000);

  it('when Teams cannot reach the employee and the leader asks by email, its members are not decided by that answer', async () => {
    const tess = await teamsOnlyEmployee();
    teams.notInstalled.add(tess.oid);
    try {
      const type = uniqueName('fallback');
      // No answer within the deadline: a shared outcome, which would decide members shown the group.
      await setPolicy(h, type, { channels: ['teams', 'email'], reminders: [], deadline: '30s' });
      const alerts = ['Console login from a new country', 'Access key created'].map((title) =>
        alertFor({ email: tess.email }, { type, title }),
      );
      await start(h, alerts[0]!);
      await phaseOf(alerts[0]!.id!, ['awaiting_response']);
      await start(h, alerts[1]!);
      await phaseOf(alerts[1]!.id!, ['awaiting_leader']);
      expect((await resultWithin(handleOf(alerts[0]!.id!), 90_000)).outcome).toBe('no_response');

      // The member goes its own way at the leader's outcome and is asked about its own alert.
      const member = await phaseOf(alerts[1]!.id!, ['awaiting_response']);
      expect(member.transcript.find((e) => e.kind === 'rollup_fallback')).toMatchObject({
        reason: 'group_not_shown',
      });
      expect(kinds(member.transcript)).not.toContain('rollup_decided_by_leader');
      await smtp.waitFor(
        (m) =>
          JSON.stringify(m.to).includes(tess.email) && m.subject?.includes('Access key created') === true,
        60_000,
      );
      recordHistory(
        'storms-teams-unreachable-leader-by-email',
        await handleOf(alerts[0]!.id!).fetchHistory(),
      );
      expect((await resultWithin(handleOf(alerts[1]!.id!), 90_000)).outcome).toBe('no_response');
      recordHistory('storms-teams-unreachable-member-own-way', await handleOf(alerts[1]!.id!).fetchHistory());
    } finally {
      teams.notInstalled.delete(tess.oid);
    }
  }, 240_000);
});
