import { emailKey } from '../../shared/employee-key';
import type http from 'node:http';
import { createTeamsDeps } from '../../activities/channels/teams';
import { createFailClosedActivities } from '../../activities/fail-closed';
import type { TeamsConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
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
} from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';
import { PagerDutyStandIn } from '../helpers/pagerduty-stand-in';
import { listInDirectory, startTeamsBot } from '../helpers/teams-bot-under-test';
import { type ConnectorActivity, TeamsStandIn } from '../helpers/teams-stand-in';
import { teamsConfigFor } from '../helpers/teams-endpoint';

const APP = {
  appId: '6f2c1d7e-8a4b-4c3d-9e5f-0a1b2c3d4e5f',
  appPassword: 'teams-client-secret',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
};
const OPS = '19:vouch-operators@thread.tacv2';
const CAROL_OID = '1c9f8b2e-3d4a-4b5c-8d6e-7f8091a2b3c4';
const ANA_OID = '2d0a9c3f-4e5b-4c6d-9e7f-8091a2b3c4d5';
const MALLORY_OID = '3e1b0d4a-5f6c-4d7e-8f9a-91a2b3c4d5e6';
const OPERATOR_OID = '4f2c1e5b-6a7d-4e8f-9a0b-a2b3c4d5e6f7';

/**
 * The Teams channel end to end: the real workflow and worker on Temporal, the real Teams endpoint
 * (`POST /api/messages`) fed activities signed with a key the OpenID stand-in publishes, and the Bot
 * Connector stand-in receiving the cards, replies and updates.
 */
describe('Microsoft Teams', () => {
  let h: Harness;
  let teams: TeamsStandIn;
  let bot: http.Server;
  let endpoint: string;
  let pd: PagerDutyStandIn;
  let teamsConfig: TeamsConfig;

  beforeAll(async () => {
    teams = await new TeamsStandIn(APP).start();
    pd = await new PagerDutyStandIn().start();
    teams.addChannel(OPS);
    const config = teamsConfigFor(teams, {
      VOUCH_TEAMS_OPERATORS_CONVERSATION: OPS,
      VOUCH_TEAMS_OPERATORS: OPERATOR_OID,
    });
    teamsConfig = config;
    h = await createDevServerHarness({
      activityDeps: {
        teams: createTeamsDeps({ teams: config }),
        pagerDutyUrl: pd.url,
        outboundAllowHosts: ['127.0.0.1'], // the PagerDuty stand-in is local
      },
    });
    ({ server: bot, endpoint } = await startTeamsBot(h, config));
    await listInDirectory(h, [
      { email: 'carol@example.com', name: 'Carol Contractor', aadObjectId: CAROL_OID },
      { email: ANA.email, slackUserId: ANA.id, name: ANA.name, aadObjectId: ANA_OID },
      { email: 'mallory@example.com', aadObjectId: MALLORY_OID },
    ]);
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => bot?.close(r));
    await h?.teardown();
    await teams?.stop();
    await pd?.stop();
  });

  /** An activity as Teams posts it to the bot: from a user of the tenant, in their chat with the bot. */
  const activity = (from: string, conversationId: string, over: Record<string, unknown>) =>
    teams.userActivity(from, conversationId, over);
  const post = async (body: unknown, token?: string) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const signedPost = async (body: unknown) => post(body, await teams.sign());
  const deny = (from: string, card: ConnectorActivity, workflowId: string) =>
    activity(from, card.conversationId, { type: 'message', value: { vouch: 'deny', workflowId } });

  const cardFor = (workflowId: string) =>
    teams
      .waitFor(() => teams.activities.some((a) => JSON.stringify(a.body).includes(workflowId)))
      .then(() => teams.activities.find((a) => JSON.stringify(a.body).includes(workflowId))!);
  const cardText = (a: Record<string, unknown>) => JSON.stringify(a);

  it('asks a Teams-only employee with a card, reminds in reply, refuses bad tokens and another user, and escalates their "No"', async () => {
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['teams'], reminders: ['3s'], deadline: '1h' });
    const handle = await start(h, alertFor({ email: 'carol@example.com' }, { type }));
    const card = await cardFor(handle.workflowId);
    // A proactive 1:1 chat with Carol, by her Entra object id, in the bot's tenant.
    expect(teams.conversations.get(card.conversationId)?.members).toEqual([
      expect.objectContaining({ aadObjectId: CAROL_OID }),
    ]);
    const shown = cardText(card.body);
    expect(shown).toContain('New admin added to the AWS account');
    expect(shown).toContain('203.0.113.7');
    expect(shown).toContain('Hi Carol Contractor');
    expect(shown).not.toContain('123456789012'); // the sensitive detail stays out of Teams
    expect(shown).toContain('"msteams":{"type":"task/fetch"}');
    await teams.waitFor(() => teams.activities.some((a) => a.replyToId === card.id));
    const reminder = teams.activities.find((a) => a.replyToId === card.id)!;
    expect(reminder.conversationId).toBe(card.conversationId);
    expect(reminder.body.text).toMatch(/^Reminder: please answer the security check about "New admin added/);

    // Refused before anything is read: no token, a forged signature, another bot's audience, an
    // expired token, a token for another connector than the activity names.
    const carolSaysNo = deny(CAROL_OID, card, handle.workflowId);
    expect((await post(carolSaysNo)).status).toBe(401);
    expect((await post(carolSaysNo, await teams.sign({}, { key: 'forged' }))).status).toBe(401);
    expect(
      (await post(carolSaysNo, await teams.sign({ aud: '00000000-0000-0000-0000-000000000001' }))).status,
    ).toBe(401);
    expect((await post(carolSaysNo, await teams.sign({}, { expiresIn: -600 }))).status).toBe(401);
    expect(
      (await post(carolSaysNo, await teams.sign({}, { issuer: 'https://sts.example.com/' }))).status,
    ).toBe(401);
    expect((await post(carolSaysNo, await teams.sign({}, { key: 'other-channel' }))).status).toBe(401);
    expect(
      (await post(carolSaysNo, await teams.sign({ serviceurl: 'https://smba.example.com/teams/' }))).status,
    ).toBe(401);
    // Mallory's token is genuine, but the alert is not hers.
    expect((await signedPost(deny(MALLORY_OID, card, handle.workflowId))).status).toBe(200);
    await teams.waitFor(() =>
      teams.activities.some(
        (a) => a.conversationId === card.conversationId && /isn't your alert/.test(String(a.body.text)),
      ),
    );
    const before = await state(handle);
    expect(before.phase).toBe('awaiting_response');
    expect(before.transcript.map((e) => e.kind)).not.toContain('employee_answer');
    expect(before.transcript.map((e) => e.kind)).toContain('teams_sent');
    const audit = await alertStore(collections(h.mongo.db)).auditOf(handle.workflowId.replace(/^alert-/, ''));
    expect(audit).toEqual([
      expect.objectContaining({ kind: 'unauthorized_click', actor: `aad:${MALLORY_OID}` }),
    ]);

    expect((await signedPost(carolSaysNo)).status).toBe(200);
    expect((await resultWithin(handle)).outcome).toBe('denied');
    recordHistory('teams-denied', await handle.fetchHistory());
    // The card, updated in place at the outcome: no buttons left.
    const updated = card.versions.at(-1)!;
    expect(card.versions.length).toBe(2);
    expect(cardText(updated)).toContain('security team');
    expect(cardText(updated)).not.toContain('Action.Submit');
    // The operators' Teams channel has the escalation.
    const escalation = teams.activitiesIn(OPS).find((a) => cardText(a.body).includes('Escalated: denied'));
    expect(escalation).toBeDefined();
    expect(cardText(escalation!.body)).toContain('carol@example.com');
  }, 120_000);

  it('"Yes" opens the code dialog; a wrong code says so, the right one verifies, and the card shows it', async () => {
    const secret = await enroll(h, ANA.id);
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['teams'], reminders: [], deadline: '1h' });
    const handle = await start(h, alertFor({ email: ANA.email }, { type }));
    const card = await cardFor(handle.workflowId);
    const invoke = (from: string, name: string, data: Record<string, unknown>) =>
      activity(from, card.conversationId, {
        type: 'invoke',
        name,
        value: { data, context: { theme: 'default' } },
      });

    // Someone else's "Yes" opens no dialog.
    const foreign = await signedPost(
      invoke(MALLORY_OID, 'task/fetch', {
        vouch: 'confirm',
        workflowId: handle.workflowId,
        msteams: { type: 'task/fetch' },
      }),
    );
    expect(foreign.body).toEqual({
      task: {
        type: 'message',
        value: ":no_entry: This isn't your alert, so you can't answer it.".replace(':no_entry: ', ''),
      },
    });

    const opened = await signedPost(
      invoke(ANA_OID, 'task/fetch', {
        vouch: 'confirm',
        workflowId: handle.workflowId,
        msteams: { type: 'task/fetch' },
      }),
    );
    expect(opened.status).toBe(200);
    const dialog = JSON.stringify(opened.body);
    expect(dialog).toContain('"type":"continue"');
    expect(dialog).toContain('"id":"code"');
    expect(dialog).toContain('New admin added to the AWS account');

    const submit = (code: string) =>
      signedPost(
        invoke(ANA_OID, 'task/submit', {
          vouch: 'submit_code',
          workflowId: handle.workflowId,
          code,
          justification: 'rotating keys',
        }),
      );
    const malformed = await submit('12ab');
    expect(JSON.stringify(malformed.body)).toContain('Enter the 6 digits');
    const wrongCode = String((Number(validCode(secret)) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await submit(wrongCode);
    expect(JSON.stringify(wrong.body)).toContain("That code didn't work. 2 attempts left.");
    const right = await submit(validCode(secret));
    expect(right.body).toEqual({ task: { type: 'message', value: 'Verified: thanks, nothing else to do.' } });

    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');
    recordHistory('teams-confirmed-verified', await handle.fetchHistory());
    const events = (await state(handle)).transcript;
    expect(events.find((e) => e.kind === 'employee_answer')).toMatchObject({
      answer: 'confirmed',
      justification: 'rotating keys',
    });
    expect(
      events.filter((e) => e.kind === 'second_factor_attempt').map((e) => (e as { result?: string }).result),
    ).toEqual(['rejected', 'accepted']);
    // The code never reached Temporal's history in the clear.
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain(validCode(secret));
    const updated = card.versions.at(-1)!;
    expect(card.versions.length).toBe(2);
    expect(cardText(updated)).toContain('you confirmed this and verified it was you');
    expect(cardText(updated)).not.toContain('Action.Submit');
  }, 120_000);

  it('a Teams-only employee verifies "Yes" with the factor kept under their email', async () => {
    const secret = await enroll(h, emailKey('carol@example.com'));
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['teams'], reminders: [], deadline: '1h' });
    const handle = await start(h, alertFor({ email: 'carol@example.com' }, { type }));
    const card = await cardFor(handle.workflowId);
    const submitted = await signedPost(
      activity(CAROL_OID, card.conversationId, {
        type: 'invoke',
        name: 'task/submit',
        value: {
          data: { vouch: 'submit_code', workflowId: handle.workflowId, code: validCode(secret) },
          context: { theme: 'default' },
        },
      }),
    );
    expect(submitted.body).toEqual({
      task: { type: 'message', value: 'Verified: thanks, nothing else to do.' },
    });
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');
    const events = (await state(handle)).transcript;
    expect(events.find((e) => e.kind === 'employee_answer')).toMatchObject({ actor: `aad:${CAROL_OID}` });
    expect(events.filter((e) => e.kind === 'second_factor_attempt')).toHaveLength(1);
  }, 120_000);

  it('passes over Teams to the next channel when the bot is not installed for the employee', async () => {
    teams.notInstalled.add(ANA_OID);
    try {
      const type = uniqueName('type');
      await setPolicy(h, type, { channels: ['teams', 'slack'], reminders: [], deadline: '1h' });
      const handle = await start(h, alertFor({ email: ANA.email }, { type }));
      await h.slack.waitForCall('chat.postMessage', (c) =>
        JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
      );
      const skipped = (await state(handle)).transcript.find((e) => e.kind === 'channel_skipped');
      expect(skipped).toMatchObject({ channel: 'teams', reason: 'failed', errorType: 'TeamsRejected' });
      await handle.terminate('test done');
    } finally {
      teams.notInstalled.delete(ANA_OID);
    }
  }, 120_000);

  it("an operator closes a waiting escalation from the Teams channel; anyone else's Close is refused", async () => {
    const type = uniqueName('type');
    await setPolicy(h, type, {
      channels: ['teams'],
      reminders: [],
      deadline: '1h',
      escalation: { pagerDuty: { routingKey: 'R0UTINGKEY0123456789ABCDEFGHIJKL', severity: 'warning' } },
    });
    const handle = await start(h, alertFor({ email: 'carol@example.com' }, { type }));
    const card = await cardFor(handle.workflowId);
    expect((await signedPost(deny(CAROL_OID, card, handle.workflowId))).status).toBe(200);
    await teams.waitFor(() =>
      teams.activitiesIn(OPS).some((a) => cardText(a.body).includes(handle.workflowId)),
    );
    const escalation = teams.activitiesIn(OPS).find((a) => cardText(a.body).includes(handle.workflowId))!;
    expect(cardText(escalation.body)).toContain('"title":"Close"');
    const closeFrom = (oid: string, conversationId = `${OPS};messageid=${escalation.id}`) =>
      activity(oid, conversationId, {
        type: 'message',
        value: { vouch: 'close', workflowId: handle.workflowId },
      });

    // Not an operator; and an operator's Close from outside the operators' channel.
    expect((await signedPost(closeFrom(MALLORY_OID))).status).toBe(200);
    expect((await signedPost(closeFrom(OPERATOR_OID, card.conversationId))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await state(handle)).transcript.map((e) => e.kind)).not.toContain('resolved');

    expect((await signedPost(closeFrom(OPERATOR_OID))).status).toBe(200);
    const result = await resultWithin(handle);
    expect(result).toMatchObject({ outcome: 'denied', resolvedBy: `aad:${OPERATOR_OID}` });
    recordHistory('teams-escalation-closed-in-teams', await handle.fetchHistory());
    expect(pd.events().map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    // The card says who closed it and has no button left.
    const closed = escalation.versions.at(-1)!;
    expect(cardText(closed)).toContain(`Closed by aad:${OPERATOR_OID}.`);
    expect(cardText(closed)).not.toContain('"title":"Close"');
  }, 120_000);

  it("an approval request in the operators' Teams channel: an operator approves, then the employee is asked", async () => {
    const type = uniqueName('type');
    await setPolicy(h, type, {
      channels: ['teams'],
      reminders: [],
      deadline: '1h',
      mode: 'approval',
      approval: { timeout: '1h', onTimeout: 'skip' },
    });
    const handle = await start(h, alertFor({ email: 'carol@example.com' }, { type }));
    const ofThis = (a: ConnectorActivity) => cardText(a.body).includes(`"workflowId":"${handle.workflowId}"`);
    await teams.waitFor(() => teams.activitiesIn(OPS).some(ofThis));
    const request = teams.activitiesIn(OPS).find(ofThis)!;
    expect(cardText(request.body)).toContain('Approval needed');
    expect(cardText(request.body)).toContain('"title":"Approve"');
    const press = (oid: string, vouch: string) =>
      activity(oid, `${OPS};messageid=${request.id}`, {
        type: 'message',
        value: { vouch, workflowId: handle.workflowId },
      });
    const askedCarol = () => teams.activities.some((a) => a.conversationId !== OPS && ofThis(a));

    // Not an operator: refused before the interview hears of it; Carol is not asked.
    expect((await signedPost(press(MALLORY_OID, 'approve'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await state(handle)).phase).toBe('awaiting_approval');
    expect(askedCarol()).toBe(false);

    expect((await signedPost(press(OPERATOR_OID, 'approve'))).status).toBe(200);
    await teams.waitFor(askedCarol);
    const events = (await state(handle)).transcript;
    expect(events.find((e) => e.kind === 'approval_decided')).toMatchObject({
      decision: 'approve',
      by: `aad:${OPERATOR_OID}`,
    });
    // The request lost its buttons and says who decided.
    await teams.waitFor(() => request.versions.length === 2);
    expect(cardText(request.versions.at(-1)!)).toContain(`Decided: approve by aad:${OPERATOR_OID}.`);
    expect(cardText(request.versions.at(-1)!)).not.toContain('"title":"Approve"');
    const card = teams.activities.find((a) => a.conversationId !== OPS && ofThis(a))!;
    expect((await signedPost(deny(CAROL_OID, card, handle.workflowId))).status).toBe(200);
    expect((await resultWithin(handle)).outcome).toBe('denied');
    recordHistory('teams-approved-then-denied', await handle.fetchHistory());
  }, 120_000);

  it("an interview that fails closed in an organisation without Slack is told in the operators' Teams channel", async () => {
    const notice = {
      workflowId: 'alert-teams-fail-closed',
      alertId: 'teams-fail-closed',
      employee: 'carol@example.com',
      step: 'activity askEmployeeVia',
      errorType: 'TeamsRejected',
    };
    const failClosed = createFailClosedActivities({
      c: collections(h.mongo.db),
      logger: createLogger('teams-test', 'silent'),
      teams: createTeamsDeps({ teams: teamsConfig }),
      now: () => new Date(),
    });
    const posted = await failClosed.postFailedClosed(notice);
    expect(posted.channel).toBe(OPS);
    const told = teams.activitiesIn(OPS).find((a) => a.id === posted.ts)!;
    expect(told.body).toMatchObject({ type: 'message', textFormat: 'plain' });
    expect(String(told.body.text)).toContain('teams-fail-closed');
    expect(String(told.body.text)).toContain('TeamsRejected');
    // With neither Slack nor a Teams channel, the notice says where it needs to go (and is retried).
    const nowhere = createFailClosedActivities({
      c: collections(h.mongo.db),
      logger: createLogger('teams-test', 'silent'),
      now: () => new Date(),
    });
    await expect(nowhere.postFailedClosed(notice)).rejects.toThrow(/VOUCH_TEAMS_OPERATORS_CONVERSATION/);
  });
});
