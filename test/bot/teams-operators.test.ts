import { createTeamsDeps } from '../../activities/channels/teams';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { recordHistory } from '../helpers/history';
import * as iv from '../helpers/interview-harness';
import { uniqueName } from '../helpers/servers';
import { listenTeamsBot, teamsConfigFor } from '../helpers/teams-endpoint';
import { type ConnectorActivity, TeamsStandIn } from '../helpers/teams-stand-in';

const { ANA, alertFor, resultWithin, setPolicy, start, state } = iv;
type Handle = Awaited<ReturnType<typeof start>>;
const OPS = '19:vouch-ops-approvals@thread.tacv2';
/** Entra object ids: Carol (employee, Teams only), Ana (employee and operator, also in Slack), Olga
 * (an approver by directory email), Pete (an operator whom some policies' approvers do not list). */
const PEOPLE = ['carol', 'ana', 'olga', 'pete', 'dana', 'mike'] as const;
const OID = Object.fromEntries(
  PEOPLE.map((name) => [
    name,
    `00000000-0000-4000-8000-${Buffer.from(name).toString('hex').padStart(12, '0')}`,
  ]),
) as Record<(typeof PEOPLE)[number], string>;

/**
 * The operators' side of Teams for an organisation that decides there: the policy's approvers and the
 * never-on-your-own-alert rule hold for Teams operators (matched through the directory) as for Slack
 * users. The real workflow, worker and Teams endpoint, fed activities signed as Bot Framework signs
 * them; the Bot Connector is a stand-in. No security channel in Slack: approvals are asked in Teams.
 */
describe('Teams operators', () => {
  let h: iv.Harness;
  let teams: TeamsStandIn;
  let bot: Awaited<ReturnType<typeof listenTeamsBot>>;
  const post = (body: unknown) => bot.post(body);

  beforeAll(async () => {
    teams = await new TeamsStandIn({
      appId: '7a3d2e8f-9b5c-4d4e-8f6a-1b2c3d4e5f60',
      appPassword: 'teams-operators-secret',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    }).start();
    teams.addChannel(OPS);
    const config = teamsConfigFor(teams, {
      VOUCH_TEAMS_OPERATORS_CONVERSATION: OPS,
      VOUCH_TEAMS_OPERATORS: [OID.ana, OID.olga, OID.pete].join(','),
    });
    // No security channel in Slack: the operators decide in Teams.
    h = await iv.createDevServerHarness({
      activityDeps: { teams: createTeamsDeps({ teams: config }), securityChannel: undefined },
    });
    bot = await listenTeamsBot(h, teams, config);
    const directory = directoryStore(collections(h.mongo.db));
    for (const entry of [
      { email: 'carol@example.com', name: 'Carol Contractor', aadObjectId: OID.carol },
      { email: ANA.email, slackUserId: ANA.id, name: ANA.name, aadObjectId: OID.ana },
      { email: 'olga@example.com', name: 'Olga Ops', aadObjectId: OID.olga },
      { email: 'pete@example.com', name: 'Pete Ops', aadObjectId: OID.pete },
      // Dana and her manager Mike: Teams alone knows them.
      { email: 'mike@example.com', name: 'Mike Manager', aadObjectId: OID.mike },
      { email: 'dana@example.com', name: 'Dana Dev', aadObjectId: OID.dana, manager: 'mike@example.com' },
    ])
      await iv.whileBusy(() => directory.set(directoryEntrySchema.parse(entry), 'test'));
  }, 120_000);

  afterAll(async () => {
    await bot?.close();
    await h?.teardown();
    await teams?.stop();
  });

  /** A policy of approval in Teams, by `approvers` (none: any operator). */
  const approvalPolicy = async (approvers: string[] = []) => {
    const type = uniqueName('type');
    const approval = { timeout: '1h', onTimeout: 'skip' as const, approvers };
    await setPolicy(h, type, {
      mode: 'approval',
      approval,
      channels: ['teams'],
      reminders: [],
      deadline: '1h',
    });
    return type;
  };
  /** An operator's button on a card in the operators' channel, as Teams posts it to the bot. */
  const press = (oid: string, card: ConnectorActivity, vouch: string, workflowId: string) => ({
    type: 'message',
    id: `f:${uniqueName('act')}`,
    channelId: 'msteams',
    serviceUrl: teams.serviceUrl,
    from: { id: `29:${oid}`, aadObjectId: oid },
    recipient: { id: `28:${teams.app.appId}` },
    conversation: {
      id: `${OPS};messageid=${card.id}`,
      conversationType: 'channel',
      tenantId: teams.app.tenantId,
    },
    channelData: { tenant: { id: teams.app.tenantId } },
    value: { vouch, workflowId },
  });
  const ofWorkflow = (workflowId: string) => (a: ConnectorActivity) =>
    JSON.stringify(a.body).includes(`"workflowId":"${workflowId}"`);
  const approvalRequest = async (workflowId: string) => {
    await teams.waitFor(() => teams.activitiesIn(OPS).some(ofWorkflow(workflowId)));
    return teams.activitiesIn(OPS).find(ofWorkflow(workflowId))!;
  };
  const employeeCard = async (workflowId: string) => {
    const found = () => teams.activities.find((a) => a.conversationId !== OPS && ofWorkflow(workflowId)(a));
    await teams.waitFor(() => found() !== undefined);
    return found()!;
  };
  const deny = (oid: string, card: ConnectorActivity, workflowId: string) => ({
    ...press(oid, card, 'deny', workflowId),
    conversation: { id: card.conversationId, conversationType: 'personal', tenantId: teams.app.tenantId },
  });
  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const v = await read();
      if (ok(v) || Date.now() > until) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  /** `oid` presses `action` on the request; the interview notes that the policy refused them. */
  const refusedByPolicy = async (handle: Handle, request: ConnectorActivity, oid: string, action: string) => {
    expect(await post(press(oid, request, action, handle.workflowId))).toBe(200);
    const after = await eventually(
      () => state(handle),
      (s) => s.transcript.some((e) => e.kind === 'approval_refused'),
    );
    expect(after.transcript.find((e) => e.kind === 'approval_refused')).toMatchObject({
      operator: `aad:${oid}`,
      action,
    });
    expect(after.phase).toBe('awaiting_approval');
  };
  const kinds = async (handle: Handle) => (await state(handle)).transcript.map((e) => e.kind);

  it("the policy's approvers hold for Teams operators: one they do not list is refused, one listed by directory email approves", async () => {
    const type = await approvalPolicy(['OLGA@example.com']);
    const handle = await start(h, alertFor({ email: 'carol@example.com' }, { type }));
    const request = await approvalRequest(handle.workflowId);

    // Pete may act in the channel (VOUCH_TEAMS_OPERATORS), but this policy's approvers do not name him.
    await refusedByPolicy(handle, request, OID.pete, 'approve');
    expect(teams.activities.some((a) => a.conversationId !== OPS && ofWorkflow(handle.workflowId)(a))).toBe(
      false,
    );

    // Olga is an approver by her directory email (the policy's spelling is not hers).
    expect(await post(press(OID.olga, request, 'approve', handle.workflowId))).toBe(200);
    const card = await employeeCard(handle.workflowId);
    expect((await state(handle)).transcript.find((e) => e.kind === 'approval_decided')).toMatchObject({
      decision: 'approve',
      by: `aad:${OID.olga}`,
    });
    expect(await post(deny(OID.carol, card, handle.workflowId))).toBe(200);
    expect((await resultWithin(handle)).outcome).toBe('denied');
    recordHistory('teams-operators-approvers', await handle.fetchHistory());
  }, 120_000);

  it('an approver named by Entra object id approves from Teams; an operator it does not name is refused', async () => {
    const listed = await approvalPolicy([`aad:${OID.pete}`]);
    const handle = await start(h, alertFor({ email: 'carol@example.com' }, { type: listed }));
    const request = await approvalRequest(handle.workflowId);
    await refusedByPolicy(handle, request, OID.olga, 'skip');
    expect(await post(press(OID.pete, request, 'approve', handle.workflowId))).toBe(200);
    await employeeCard(handle.workflowId);
    expect((await state(handle)).transcript.find((e) => e.kind === 'approval_decided')).toMatchObject({
      decision: 'approve',
      by: `aad:${OID.pete}`,
    });
    await handle.terminate('test done');
  }, 120_000);

  it('an operator never decides an alert about themselves: the bot refuses and audits it, and the interview refuses it too', async () => {
    const type = await approvalPolicy();
    // Ana is an operator in Teams; the alert names her by email, the interview by her Slack id.
    const handle = await start(h, alertFor({ email: ANA.email }, { type }));
    const request = await approvalRequest(handle.workflowId);
    expect((await state(handle)).employee).toBe(ANA.id);

    const pressed = press(OID.ana, request, 'approve', handle.workflowId);
    expect(await post(pressed)).toBe(200);
    await teams.waitFor(() => teams.activities.some((a) => a.replyToId === pressed.id));
    const told = teams.activities.find((a) => a.replyToId === pressed.id)!;
    expect(String(told.body.text)).toContain('This alert is about you');
    const audit = await alertStore(collections(h.mongo.db)).auditOf(handle.workflowId.replace(/^alert-/, ''));
    expect(audit).toContainEqual(
      expect.objectContaining({ kind: 'self_action_refused', operator: `aad:${OID.ana}`, action: 'approve' }),
    );
    expect(await kinds(handle)).not.toContain('operator_action');

    // The same approval signalled past the bot (an older bot, a script): the interview refuses it.
    await iv.act(handle, 'approve', `aad:${OID.ana}`);
    const refused = await eventually(
      () => state(handle),
      (s) => s.transcript.some((e) => e.kind === 'self_action_refused'),
    );
    expect(refused.transcript.find((e) => e.kind === 'self_action_refused')).toMatchObject({
      operator: `aad:${OID.ana}`,
      action: 'approve',
    });
    expect(refused.phase).toBe('awaiting_approval');

    expect(await post(press(OID.olga, request, 'approve', handle.workflowId))).toBe(200);
    const card = await employeeCard(handle.workflowId);
    expect(await post(deny(OID.ana, card, handle.workflowId))).toBe(200);
    expect((await resultWithin(handle)).outcome).toBe('denied');
    recordHistory('teams-operators-own-alert-refused', await handle.fetchHistory());
  }, 120_000);

  it('the ladder asks a manager only Teams knows with a card of three answers; only they may answer', async () => {
    const type = uniqueName('type');
    const ladder = { steps: [{ ask: 'manager', wait: '1m' }], onManagerConfirms: 'close' };
    await setPolicy(h, type, { ladder, channels: ['teams'], reminders: [], deadline: '2s' });
    const handle = await start(h, alertFor({ email: 'dana@example.com' }, { type }));
    const isQuestion = (a: ConnectorActivity) =>
      ofWorkflow(handle.workflowId)(a) && JSON.stringify(a.body).includes('"vouch":"manager_answer"');
    await teams.waitFor(() => teams.activities.some(isQuestion));
    const question = teams.activities.find(isQuestion)!;
    // A 1:1 chat with Mike, by his Entra object id.
    expect(JSON.stringify(teams.conversations.get(question.conversationId)?.members)).toContain(OID.mike);
    for (const title of ['I know about this', "I don't", "I can't tell"])
      expect(JSON.stringify(question.body)).toContain(`"title":"${title}"`);
    expect((await state(handle)).managerAsked).toBe(`aad:${OID.mike}`);

    const pressBy = (oid: string, answer: string) => ({
      ...deny(oid, question, handle.workflowId),
      value: { vouch: 'manager_answer', workflowId: handle.workflowId, answer },
    });
    // Pete is not the manager asked: told so, audited, and the interview still waits.
    const byPete = pressBy(OID.pete, 'knows');
    expect(await post(byPete)).toBe(200);
    await teams.waitFor(() => teams.activities.some((a) => a.replyToId === byPete.id));
    expect(String(teams.activities.find((a) => a.replyToId === byPete.id)!.body.text)).toContain(
      "This question isn't yours to answer",
    );
    const audit = await alertStore(collections(h.mongo.db)).auditOf(handle.workflowId.replace(/^alert-/, ''));
    expect(audit).toContainEqual(
      expect.objectContaining({ kind: 'unauthorized_click', actor: `aad:${OID.pete}` }),
    );
    expect((await state(handle)).phase).toBe('awaiting_manager');

    expect(await post(pressBy(OID.mike, 'knows'))).toBe(200);
    expect((await resultWithin(handle)).outcome).toBe('manager_confirmed');
    const answered = (await state(handle)).transcript.find((e) => e.kind === 'manager_answer');
    expect(answered).toMatchObject({ actor: `aad:${OID.mike}`, answer: 'knows' });
    // The card lost its buttons and says what Mike answered.
    await teams.waitFor(() => question.versions.length === 2);
    expect(JSON.stringify(question.versions.at(-1))).toContain('Thanks, recorded');
    expect(JSON.stringify(question.versions.at(-1))).not.toContain('manager_answer');
    recordHistory('teams-manager-knows-closes', await handle.fetchHistory());
  }, 120_000);
});
