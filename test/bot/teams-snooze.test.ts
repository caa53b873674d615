import { createTeamsDeps } from '../../activities/channels/teams';
import { emailKey } from '../../shared/employee-key';
import { eventsOfKind } from '../../shared/record/events';
import { snoozeDecision } from '../../shared/messages';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { recordHistory } from '../helpers/history';
import * as iv from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';
import { listInDirectory } from '../helpers/teams-bot-under-test';
import { listenTeamsBot, teamsConfigFor } from '../helpers/teams-endpoint';
import { type ConnectorActivity, TeamsStandIn } from '../helpers/teams-stand-in';

const { ANA, alertFor, enroll, setPolicy, start, state, validCode } = iv;
type Handle = Awaited<ReturnType<typeof start>>;
const OPS = '19:vouch-ops-snooze@thread.tacv2';
/** Entra object ids: Carol (employee, Teams only), Ana (employee and operator, also in Slack), Olga
 * (an operator and approver), Pete (an operator some policies' approvers do not list), Mallory (nobody). */
const PEOPLE = ['carol', 'ana', 'olga', 'pete', 'mallory'] as const;
const OID = Object.fromEntries(
  PEOPLE.map((name) => [
    name,
    `00000000-0000-4000-9000-${Buffer.from(name).toString('hex').slice(0, 12).padStart(12, '0')}`,
  ]),
) as Record<(typeof PEOPLE)[number], string>;

/**
 * The snooze after a verified "yes", in Teams: the outcome card offers it, the employee (and nobody
 * else) picks a length in its dialog, and an approval-required snooze is decided by an operator in
 * the operators' channel. The real workflow, worker and Teams endpoint, fed activities signed as Bot
 * Framework signs them; the Bot Connector is a stand-in. No security channel in Slack.
 */
describe('the snooze in Teams', () => {
  let h: iv.Harness;
  let teams: TeamsStandIn;
  let bot: Awaited<ReturnType<typeof listenTeamsBot>>;
  const post = (body: unknown) => bot.post(body);

  beforeAll(async () => {
    teams = await new TeamsStandIn({
      appId: '8b4e3f90-ac6d-4e5f-9a7b-2c3d4e5f6071',
      appPassword: 'teams-snooze-secret',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    }).start();
    teams.addChannel(OPS);
    const config = teamsConfigFor(teams, {
      VOUCH_TEAMS_OPERATORS_CONVERSATION: OPS,
      VOUCH_TEAMS_OPERATORS: [OID.ana, OID.olga, OID.pete].join(','),
    });
    h = await iv.createDevServerHarness({
      activityDeps: { teams: createTeamsDeps({ teams: config }), securityChannel: undefined },
    });
    bot = await listenTeamsBot(h, teams, config);
    await listInDirectory(h, [
      { email: 'carol@example.com', name: 'Carol Contractor', aadObjectId: OID.carol },
      { email: ANA.email, slackUserId: ANA.id, name: ANA.name, aadObjectId: OID.ana },
      { email: 'olga@example.com', name: 'Olga Ops', aadObjectId: OID.olga },
      { email: 'pete@example.com', name: 'Pete Ops', aadObjectId: OID.pete },
      { email: 'mallory@example.com', aadObjectId: OID.mallory },
    ]);
  }, 120_000);

  afterAll(async () => {
    await bot?.close();
    await h?.teardown();
    await teams?.stop();
  });

  const ofWorkflow = (workflowId: string) => (a: ConnectorActivity) =>
    JSON.stringify(a.body).includes(`"workflowId":"${workflowId}"`);
  const employeeCard = async (workflowId: string) => {
    const found = () => teams.activities.find((a) => a.conversationId !== OPS && ofWorkflow(workflowId)(a));
    await teams.waitFor(() => found() !== undefined);
    return found()!;
  };
  const invoke = (oid: string, card: ConnectorActivity, name: string, data: Record<string, unknown>) =>
    teams.userActivity(oid, card.conversationId, { type: 'invoke', name, value: { data } });
  /** An invoke's answer: the dialog's next step. */
  const dialog = async (body: unknown) => {
    const res = await fetch(bot.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { task: { type: string; value: unknown } };
  };
  /** An operator's button on a card in the operators' channel, as Teams posts it to the bot. */
  const press = (oid: string, card: ConnectorActivity, vouch: string, workflowId: string) => ({
    ...teams.userActivity(oid, `${OPS};messageid=${card.id}`, {
      type: 'message',
      value: { vouch, workflowId },
    }),
    conversation: {
      id: `${OPS};messageid=${card.id}`,
      conversationType: 'channel',
      tenantId: teams.app.tenantId,
    },
  });
  const toldInReply = async (pressed: { id: string }) => {
    await teams.waitFor(() => teams.activities.some((a) => a.replyToId === pressed.id));
    return String(teams.activities.find((a) => a.replyToId === pressed.id)!.body.text);
  };
  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const v = await read();
      if (ok(v) || Date.now() > until) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const transcriptWith = (handle: Handle, kind: string) =>
    eventually(
      async () => (await state(handle)).transcript,
      (t) => t.some((e) => e.kind === kind),
    );

  /** A "yes" verified in the code dialog; the card, once it shows the outcome with the offer. */
  async function verifiedYes(oid: string, email: string, secret: string, type: string) {
    const handle = await start(h, alertFor({ email }, { type }));
    const card = await employeeCard(handle.workflowId);
    const verified = await dialog(
      invoke(oid, card, 'task/submit', {
        vouch: 'submit_code',
        workflowId: handle.workflowId,
        code: validCode(secret),
      }),
    );
    expect(verified.task.value).toBe('Verified: thanks, nothing else to do.');
    await teams.waitFor(() => card.versions.length === 2);
    return { handle, card, outcome: JSON.stringify(card.versions.at(-1)) };
  }
  /** A later alert of the same type and details: suppressed, or asked (then ended). */
  async function laterAlert(email: string, type: string): Promise<string> {
    const handle = await start(h, alertFor({ email }, { type }));
    const now = await eventually(
      () => state(handle),
      (s) => s.outcome !== null || s.phase === 'awaiting_response',
    );
    if (now.outcome !== null) return now.outcome;
    await handle.terminate('test done');
    return 'asked';
  }
  const snoozePolicy = async (snooze: Record<string, unknown>, approvers: string[] = []) => {
    const type = uniqueName('type');
    await setPolicy(h, type, {
      channels: ['teams'],
      reminders: [],
      deadline: '1h',
      suppression: { window: '0s' },
      snooze,
      approval: { timeout: '1h', onTimeout: 'interview', approvers },
    });
    return type;
  };

  it('the employee snoozes from the outcome card, in their dialog alone, and the next similar alert is quiet', async () => {
    const secret = await enroll(h, emailKey('carol@example.com'));
    const type = await snoozePolicy({ max: '7d' });
    const { handle, card, outcome } = await verifiedYes(OID.carol, 'carol@example.com', secret, type);
    expect(outcome).toContain('you confirmed this and verified it was you');
    expect(outcome).toContain('Keep similar alerts quiet…');
    expect(outcome).toContain(`"vouch":"snooze","workflowId":"${handle.workflowId}"`);
    const open = { vouch: 'snooze', workflowId: handle.workflowId, msteams: { type: 'task/fetch' } };

    // Mallory cannot open Carol's snooze, nor ask for one past the dialog; both audited.
    expect((await dialog(invoke(OID.mallory, card, 'task/fetch', open))).task).toEqual({
      type: 'message',
      value: "This isn't your alert.",
    });
    const forged = { vouch: 'snooze_request', workflowId: handle.workflowId, duration: '7d' };
    expect((await dialog(invoke(OID.mallory, card, 'task/submit', forged))).task.value).toBe(
      "This isn't your alert.",
    );
    const audit = await alertStore(collections(h.mongo.db)).auditOf(handle.workflowId.replace(/^alert-/, ''));
    expect(audit.filter((e) => e.kind === 'unauthorized_click')).toEqual([
      expect.objectContaining({ actor: `aad:${OID.mallory}`, button: 'teams_snooze' }),
      expect.objectContaining({ actor: `aad:${OID.mallory}`, button: 'teams_snooze_request' }),
    ]);

    const opened = await dialog(invoke(OID.carol, card, 'task/fetch', open));
    expect(opened.task.type).toBe('continue');
    const shown = JSON.stringify(opened.task.value);
    for (const choice of [
      '"title":"1 day","value":"1d"',
      '"title":"3 days","value":"3d"',
      '"title":"1 week","value":"7d"',
    ])
      expect(shown).toContain(choice);
    expect(shown).toContain('New admin added to the AWS account');

    // Longer than the policy allows: the interview refuses it; then the 3 days Carol picks.
    const ask = (duration: string) =>
      dialog(
        invoke(OID.carol, card, 'task/submit', {
          vouch: 'snooze_request',
          workflowId: handle.workflowId,
          duration,
          reason: 'migrating billing all week',
        }),
      );
    expect((await ask('30d')).task.value).toBe('This check cannot keep similar alerts quiet any more.');
    expect((await ask('3d')).task.value).toBe(
      'Done. Alerts like this one stay quiet for the time you chose.',
    );
    expect((await iv.resultWithin(handle)).outcome).toBe('confirmed_verified');

    const record = (await state(handle)).transcript;
    expect(eventsOfKind(record, 'snooze_refused')).toMatchObject([
      { actor: `aad:${OID.carol}`, reason: 'longer_than_max' },
    ]);
    const [created] = eventsOfKind(record, 'snooze_created');
    expect(created).toMatchObject({ duration: '3d', requestedBy: `aad:${OID.carol}` });
    const stored = await collections(h.mongo.db).suppressions.findOne({ _id: created!.suppressionId });
    expect(stored?.snooze).toEqual({
      requestedBy: `aad:${OID.carol}`,
      duration: '3d',
      reason: 'migrating billing all week',
    });
    // Announced to the operators in Teams, the only channel there is.
    const announced = teams
      .activitiesIn(OPS)
      .find((a) => JSON.stringify(a.body).includes(created!.suppressionId));
    expect(JSON.stringify(announced?.body)).toContain('migrating billing all week');
    expect(eventsOfKind(record, 'snooze_announced')).toMatchObject([{ channel: OPS }]);
    recordHistory('teams-snooze-created', await handle.fetchHistory());

    expect(await laterAlert('carol@example.com', type)).toBe('suppressed');
  }, 120_000);

  it("an approval-required snooze: refused for a non-operator, for an operator the policy's approvers do not name and for the employee, approved by an approver", async () => {
    const secret = await enroll(h, ANA.id);
    const type = await snoozePolicy({ max: '7d', approval: true }, [`aad:${OID.olga}`]);
    // Ana is an operator in Teams; the interview names her by her Slack id.
    const { handle, card } = await verifiedYes(OID.ana, ANA.email, secret, type);
    const asked = await dialog(
      invoke(OID.ana, card, 'task/submit', {
        vouch: 'snooze_request',
        workflowId: handle.workflowId,
        duration: '1d',
        reason: 'on call this weekend',
      }),
    );
    expect(asked.task.value).toBe('Asked. The security team decides; until then you may still be asked.');
    const isRequest = (a: ConnectorActivity) =>
      ofWorkflow(handle.workflowId)(a) && JSON.stringify(a.body).includes('"vouch":"snooze_approve"');
    await teams.waitFor(() => teams.activitiesIn(OPS).some(isRequest));
    const request = teams.activitiesIn(OPS).find(isRequest)!;
    expect(JSON.stringify(request.body)).toContain('on call this weekend');

    // Mallory is no operator.
    const byMallory = press(OID.mallory, request, 'snooze_approve', handle.workflowId);
    expect(await post(byMallory)).toBe(200);
    expect(await toldInReply(byMallory)).toContain('Only the operators named in VOUCH_TEAMS_OPERATORS');
    // Ana is an operator, but the snooze is hers: the bot refuses, and so does the interview.
    const byAna = press(OID.ana, request, 'snooze_approve', handle.workflowId);
    expect(await post(byAna)).toBe(200);
    expect(await toldInReply(byAna)).toContain('This snooze is yours');
    await handle.signal(snoozeDecision, {
      decisionId: uniqueName('d'),
      operator: `aad:${OID.ana}`,
      decision: 'approve',
    });
    await transcriptWith(handle, 'self_action_refused');
    // Pete is an operator, but the policy's approvers name Olga alone.
    const byPete = press(OID.pete, request, 'snooze_approve', handle.workflowId);
    expect(await post(byPete)).toBe(200);
    await transcriptWith(handle, 'snooze_decision_refused');
    expect(await collections(h.mongo.db).suppressions.countDocuments({ alertType: type })).toBe(0);

    const byOlga = press(OID.olga, request, 'snooze_approve', handle.workflowId);
    expect(await post(byOlga)).toBe(200);
    expect(await toldInReply(byOlga)).toBe('Done: snooze approved.');
    expect((await iv.resultWithin(handle)).outcome).toBe('confirmed_verified');
    const record = (await state(handle)).transcript;
    expect(eventsOfKind(record, 'self_action_refused')).toMatchObject([
      { operator: `aad:${OID.ana}`, action: 'approve snooze' },
    ]);
    expect(eventsOfKind(record, 'snooze_decision_refused')).toMatchObject([
      { operator: `aad:${OID.pete}`, decision: 'approve', alertType: type },
    ]);
    expect(eventsOfKind(record, 'snooze_decided')).toMatchObject([
      { decision: 'approve', by: `aad:${OID.olga}` },
    ]);
    expect(eventsOfKind(record, 'snooze_created')).toMatchObject([
      { duration: '1d', requestedBy: ANA.id, approvedBy: `aad:${OID.olga}` },
    ]);
    const audit = await alertStore(collections(h.mongo.db)).auditOf(handle.workflowId.replace(/^alert-/, ''));
    expect(audit.map((e) => e.kind).sort()).toEqual(['self_action_refused', 'unauthorized_operator_action']);
    // The request lost its buttons and says who approved it.
    await teams.waitFor(() => request.versions.length === 2);
    expect(JSON.stringify(request.versions.at(-1))).toContain(`Snooze approved by aad:${OID.olga}`);
    expect(JSON.stringify(request.versions.at(-1))).not.toContain('snooze_approve');
    recordHistory('teams-snooze-approved-in-teams', await handle.fetchHistory());

    expect(await laterAlert(ANA.email, type)).toBe('suppressed');
  }, 120_000);
});
