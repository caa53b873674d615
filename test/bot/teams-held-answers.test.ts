import type http from 'node:http';
import { Client } from '@temporalio/client';
import { createTeamsDeps } from '../../activities/channels/teams';
import { createInterviewGateway } from '../../bot/interviews';
import { createTeamsBot } from '../../bot/teams/create-teams-bot';
import { freePort } from '../../infra/processes';
import type { TeamsConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { ClosableConnection } from '../../lib/temporal-connection';
import { alertStore } from '../../store/alerts';
import { collections } from '../../store/collections';
import {
  type Harness,
  alertFor,
  createDevServerHarness,
  resultWithin,
  setPolicy,
  start,
  state,
} from '../helpers/interview-harness';
import { LlmStandIn } from '../helpers/llm-stand-in';
import { uniqueName } from '../helpers/servers';
import { listInDirectory, startTeamsBot } from '../helpers/teams-bot-under-test';
import { teamsConfigFor } from '../helpers/teams-endpoint';
import { type ConnectorActivity, TeamsStandIn } from '../helpers/teams-stand-in';

const APP = {
  appId: '0b7e4c2a-1d3f-4a5b-8c6d-7e8f9a0b1c2d',
  appPassword: 'teams-held-answers-secret',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
};
const CAROL_OID = '7c3b0d4e-5f6a-4b7c-8d9e-a0b1c2d3e4f5';
const MALLORY_OID = '8d4c1e5f-6a7b-4c8d-9e0f-b1c2d3e4f5a6';
const MIKE_OID = '9e5d2f6a-7b8c-4d9e-8f1a-c2d3e4f5a6b7';
const QUESTION = 'Who asked you to add the new administrator?';

/**
 * Answers from Teams while Temporal cannot be reached: the real Teams endpoint on a gateway whose
 * Temporal address answers nothing, then the endpoint on the real dev server (a restart after the
 * outage), on one MongoDB wire server. The interview's outcome and record are read from Temporal.
 */
describe('Microsoft Teams answers while Temporal is unreachable', () => {
  let h: Harness;
  let teams: TeamsStandIn;
  let llm: LlmStandIn;
  let config: TeamsConfig;
  let dead: ClosableConnection;
  const servers: http.Server[] = [];

  beforeAll(async () => {
    teams = await new TeamsStandIn(APP).start();
    llm = await new LlmStandIn().start();
    llm
      .byDefault('follow_up_plan', { json: { questions: [QUESTION] } })
      .byDefault('follow_up_next', { json: { enough: true } })
      .byDefault('analyst_summary', LlmStandIn.quotingSummary('Nothing in the alert confirms it.'));
    config = teamsConfigFor(teams);
    h = await createDevServerHarness({
      llm: { url: llm.url, model: 'test-model', apiKey: llm.apiKey, timeoutMs: 1000 },
      activityDeps: { teams: createTeamsDeps({ teams: config }) },
    });
    await listInDirectory(h, [
      { email: 'mike.h@example.com', name: 'Mike Manager', aadObjectId: MIKE_OID },
      {
        email: 'carol.h@example.com',
        name: 'Carol Contractor',
        aadObjectId: CAROL_OID,
        manager: 'mike.h@example.com',
      },
      { email: 'mallory.h@example.com', aadObjectId: MALLORY_OID },
    ]);
    dead = ClosableConnection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await dead?.close();
    await h?.teardown();
    await teams?.stop();
    await llm?.stop();
  });

  const listen = async (server: http.Server) => {
    servers.push(server);
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return { server, endpoint: `http://127.0.0.1:${port}/api/messages` };
  };
  /** The Teams endpoint during the outage: its Temporal address answers nothing. */
  const offlineBot = () =>
    listen(
      createTeamsBot(
        config,
        { encryptionKey: h.key },
        createLogger('teams-offline', 'silent'),
        createInterviewGateway(new Client({ connection: dead.connection })),
        h.mongo.db,
      ),
    );
  /** The endpoint started again once Temporal is back: it delivers what was held at its start. */
  const recoveredBot = async () => {
    const bot = await startTeamsBot(h, config);
    servers.push(bot.server);
    return bot;
  };
  const close = (server: http.Server) => new Promise((r) => server.close(r));

  const post = async (endpoint: string, body: unknown) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await teams.sign()}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  /** The bot's replies to one activity, once there are `n`. */
  const repliesTo = async (activity: { id: string }, n = 1) => {
    await teams.waitFor(() => teams.activities.filter((a) => a.replyToId === activity.id).length >= n);
    return teams.activities.filter((a) => a.replyToId === activity.id).map((a) => String(a.body.text));
  };
  const cardFor = async (workflowId: string) => {
    const ofThis = (a: ConnectorActivity) => JSON.stringify(a.body).includes(`"workflowId":"${workflowId}"`);
    await teams.waitFor(() => teams.activities.some(ofThis));
    return teams.activities.find(ofThis)!;
  };
  const press = (from: string, card: ConnectorActivity, vouch: string, workflowId: string) =>
    teams.userActivity(from, card.conversationId, { type: 'message', value: { vouch, workflowId } });
  const held = () => collections(h.mongo.db).heldAnswers.find().toArray();
  const askCarol = async (policy: Record<string, unknown> = {}) => {
    const type = uniqueName('type');
    await setPolicy(h, type, { channels: ['teams'], reminders: [], deadline: '1h', ...policy });
    const handle = await start(h, alertFor({ email: 'carol.h@example.com' }, { type }));
    return { handle, card: await cardFor(handle.workflowId) };
  };

  it('"No" is kept and the employee told so; after the restart it counts once, however often Teams sent it', async () => {
    const { handle, card } = await askCarol();
    const offline = await offlineBot();

    // Only the record can say who is asked: Mallory is refused and nothing of hers is kept.
    const mallorys = press(MALLORY_OID, card, 'deny', handle.workflowId);
    expect((await post(offline.endpoint, mallorys)).status).toBe(200);
    expect(await repliesTo(mallorys)).toEqual(["This isn't your alert, so you can't answer it."]);

    const no = press(CAROL_OID, card, 'deny', handle.workflowId);
    expect((await post(offline.endpoint, no)).status).toBe(200);
    // Teams delivers the same activity again (its retry): held once.
    expect((await post(offline.endpoint, no)).status).toBe(200);
    const kept = await repliesTo(no, 2);
    expect(kept).toEqual([
      expect.stringMatching(/^Vouch could not pass your answer on just now, so it has kept it/),
      expect.stringMatching(/^Vouch could not pass your answer on just now/),
    ]);
    expect(await held()).toEqual([
      expect.objectContaining({
        _id: `teams-deny:${no.id}`,
        workflowId: handle.workflowId,
        signal: 'employeeResponse',
        payload: expect.objectContaining({ answer: 'denied', slackUserId: `aad:${CAROL_OID}` }),
      }),
    ]);
    expect((await state(handle)).phase).toBe('awaiting_response');
    await close(offline.server);

    const bot = await recoveredBot();
    expect((await resultWithin(handle)).outcome).toBe('denied');
    expect(await held()).toEqual([]);
    // Teams sends it once more after the outage: still one answer.
    expect((await post(bot.endpoint, no)).status).toBe(200);
    const kinds = (await state(handle)).transcript.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'employee_answer')).toHaveLength(1);
    expect(kinds).not.toContain('unauthorized_response');
    const audit = (await alertStore(collections(h.mongo.db)).get(handle.workflowId.slice(6), {
      withAudit: true,
    }))!.audit;
    expect(audit).toEqual([
      expect.objectContaining({ actor: `aad:${MALLORY_OID}`, kind: 'unauthorized_click' }),
    ]);
    await close(bot.server);
  }, 120_000);

  it('a follow-up answer is kept, the employee told so in their language, and recorded once Temporal is back', async () => {
    const { handle, card } = await askCarol({ followUps: { enabled: true, maxQuestions: 1 } });
    const bot = await recoveredBot();
    expect((await post(bot.endpoint, press(CAROL_OID, card, 'deny', handle.workflowId))).status).toBe(200);
    await teams.waitFor(() =>
      teams.activities.some((a) => a.replyToId === card.id && JSON.stringify(a.body).includes(QUESTION)),
    );
    await close(bot.server);

    const offline = await offlineBot();
    const answer = teams.userActivity(CAROL_OID, card.conversationId, {
      type: 'message',
      text: 'My manager asked me to, ticket OPS-7',
      textFormat: 'plain',
      locale: 'de-DE',
    });
    expect((await post(offline.endpoint, answer)).status).toBe(200);
    expect(await repliesTo(answer)).toEqual([
      expect.stringMatching(/^Vouch konnte deine Antwort gerade nicht weitergeben; sie ist gespeichert/),
    ]);
    expect(await held()).toEqual([
      expect.objectContaining({ signal: 'employeeReply', workflowId: handle.workflowId }),
    ]);
    await close(offline.server);

    await recoveredBot();
    // The interview ends once its question has the answer (or its time is up, which is an hour here).
    expect((await resultWithin(handle)).outcome).toBe('denied');
    const answers = (await state(handle)).transcript.filter((e) => e.kind === 'follow_up_answer');
    expect(answers).toEqual([
      expect.objectContaining({ answer: 'My manager asked me to, ticket OPS-7', actor: `aad:${CAROL_OID}` }),
    ]);
    expect(await held()).toEqual([]);
  }, 120_000);

  it("the manager's answer is checked against the record, kept, and counts once Temporal is back", async () => {
    const ladder = { steps: [{ ask: 'manager', wait: '1h' }], onManagerConfirms: 'close' };
    const { handle } = await askCarol({ ladder, deadline: '2s' });
    const isQuestion = (a: ConnectorActivity) =>
      JSON.stringify(a.body).includes(`"workflowId":"${handle.workflowId}"`) &&
      JSON.stringify(a.body).includes('"vouch":"manager_answer"');
    await teams.waitFor(() => teams.activities.some(isQuestion));
    const question = teams.activities.find(isQuestion)!;
    // The record says whom the interview asks (written just after the card is sent).
    const recordAsks = async () =>
      (await alertStore(collections(h.mongo.db)).get(handle.workflowId.slice(6)))?.transcript.some(
        (e) => e.kind === 'manager_asked',
      );
    for (let i = 0; i < 100 && !(await recordAsks()); i++) await new Promise((r) => setTimeout(r, 100));
    const answerBy = (oid: string) =>
      teams.userActivity(oid, question.conversationId, {
        type: 'message',
        value: { vouch: 'manager_answer', workflowId: handle.workflowId, answer: 'knows' },
        locale: 'en-GB', // Carol's last locale was German
      });
    const offline = await offlineBot();
    const byCarol = answerBy(CAROL_OID);
    expect((await post(offline.endpoint, byCarol)).status).toBe(200);
    expect(await repliesTo(byCarol)).toEqual([
      expect.stringContaining("This question isn't yours to answer"),
    ]);
    const byMike = answerBy(MIKE_OID);
    expect((await post(offline.endpoint, byMike)).status).toBe(200);
    expect(await repliesTo(byMike)).toEqual([expect.stringMatching(/^Vouch could not pass your answer on/)]);
    expect(await held()).toEqual([
      expect.objectContaining({
        _id: `teams-manager:${byMike.id}`,
        signal: 'managerResponse',
        payload: expect.objectContaining({ slackUserId: `aad:${MIKE_OID}`, answer: 'knows' }),
      }),
    ]);
    await close(offline.server);

    const bot = await recoveredBot();
    expect((await resultWithin(handle)).outcome).toBe('manager_confirmed');
    const answers = (await state(handle)).transcript.filter((e) => e.kind === 'manager_answer');
    expect(answers).toEqual([expect.objectContaining({ actor: `aad:${MIKE_OID}`, answer: 'knows' })]);
    expect(await held()).toEqual([]);
    await close(bot.server);
  }, 120_000);

  it('a code is never kept (it would be stale when delivered): the dialog asks to try again', async () => {
    const { handle, card } = await askCarol();
    const offline = await offlineBot();
    const submit = teams.userActivity(CAROL_OID, card.conversationId, {
      type: 'invoke',
      name: 'task/submit',
      value: { data: { vouch: 'submit_code', workflowId: handle.workflowId, code: '123456' } },
      locale: 'en-GB',
    });
    const res = await post(offline.endpoint, submit);
    expect(res).toEqual({
      status: 200,
      body: {
        task: { type: 'message', value: expect.stringMatching(/^Vouch could not record that just now/) },
      },
    });
    expect(await held()).toEqual([]);
    expect((await state(handle)).phase).toBe('awaiting_response');
    await close(offline.server);
    await handle.terminate('test done');
  }, 120_000);
});
