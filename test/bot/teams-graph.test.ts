import { createEmployeeResolver } from '../../activities/employees';
import { graphUsers } from '../../activities/graph-users';
import { emailKey } from '../../shared/employee-key';
import { collections } from '../../store/collections';
import { employeeCache } from '../../store/employee-cache';
import {
  alertFor,
  enroll,
  resultWithin,
  setPolicy,
  start,
  state,
  validCode,
} from '../helpers/interview-harness';
import { extractPayloads, recordHistory } from '../helpers/history';
import type { ReceivedRequest } from '../helpers/http-stand-in';
import type { ConnectorActivity } from '../helpers/teams-stand-in';
import { uniqueName } from '../helpers/servers';
import { listInDirectory } from '../helpers/teams-bot-under-test';
import { type TeamsHarness, startTeamsHarness } from '../helpers/teams-harness';

const DAVE = {
  id: '5a3d2f6c-7b8e-4f90-a1b2-c3d4e5f60718',
  userPrincipalName: 'dave@contoso.onmicrosoft.com',
  mail: 'Dave@example.com',
  displayName: 'Dave Graph',
};
const FAYE = {
  id: '6b4e3a7d-8c9f-4a01-b2c3-d4e5f6071829',
  userPrincipalName: 'faye@example.com',
  mail: 'faye@example.com',
  displayName: 'Faye Entra',
  preferredLanguage: 'de-DE',
};
const GUS = {
  id: '7c5f4b8e-9d0a-4b12-83d4-e5f60718293a',
  userPrincipalName: 'gus@example.com',
  mail: null,
  displayName: 'Gus Throttled',
};
const IVY = {
  id: '9e7b6d0a-1f2c-4d34-a5f6-0718293a4b5c',
  userPrincipalName: 'ivy@example.com',
  mail: 'ivy@example.com',
  displayName: 'Ivy Manager',
};
const JO = {
  id: '0f8c7e1b-2a3d-4e45-b6a7-18293a4b5c6d',
  userPrincipalName: 'jo@example.com',
  mail: 'jo@example.com',
  displayName: 'Jo Report',
};
const DISABLED = {
  id: '8d6a5c9f-0e1b-4c23-94e5-f60718293a4b',
  userPrincipalName: 'hal@example.com',
  mail: 'hal@example.com',
  accountEnabled: false,
};

/**
 * Employees found through Microsoft Graph (VOUCH_GRAPH_LOOKUP): someone the directory gives no Entra
 * object id and Slack does not know, named by email or UPN, is looked up in Graph and asked in Teams
 * end to end. All real (workflow, worker, Teams endpoint, MongoDB wire server) but Microsoft's side: the
 * stand-in's token endpoint, Bot Connector and Graph users endpoint, speaking their protocols.
 */
describe('employees found through Microsoft Graph', () => {
  let th: TeamsHarness;

  beforeAll(async () => {
    th = await startTeamsHarness({ graph: true });
    th.teams.graph.users.push(DAVE, FAYE, GUS, IVY, JO, DISABLED);
    th.teams.graph.managers.set(JO.id, IVY.id);
    // Gus is listed without an Entra object id: Graph gives it, the directory's email stays his.
    await listInDirectory(th.h, [{ email: 'gus@example.com', name: 'Gus Listed' }]);
  }, 120_000);

  afterAll(async () => {
    await th?.stop();
  });

  const graphScope = () => `${th.teams.graphUrl}/.default`;
  const graphRequests = () => th.teams.requests.filter((r) => r.path.startsWith('/v1.0/'));
  const lookupsOf = (address: string) =>
    graphRequests().filter((r) => decodeURIComponent(r.path).toLowerCase().includes(address));
  async function askedInTeams(email: string) {
    const type = uniqueName('type');
    await setPolicy(th.h, type, { channels: ['teams'], reminders: [], deadline: '1h' });
    return start(th.h, alertFor({ email }, { type }));
  }

  it('asks in Teams someone known only by email, found in Graph; their "No" is theirs, and a second alert asks Graph nothing', async () => {
    const handle = await askedInTeams('dave@example.com');
    const card = await th.cardFor(handle.workflowId);
    expect(th.teams.conversations.get(card.conversationId)?.members).toEqual([
      expect.objectContaining({ aadObjectId: DAVE.id }),
    ]);
    expect(th.cardText(card.body)).toContain('Hi Dave Graph');
    // Not his UPN: Graph's GET /users/{upn} says 404, and the mail filter finds him.
    expect(lookupsOf('dave@example.com').map((r) => [r.path.split('?')[0], r.status])).toEqual([
      ['/v1.0/users/dave%40example.com', 404],
      ['/v1.0/users', 200],
    ]);
    const policy = (await state(handle)).transcript.find((e) => e.kind === 'policy');
    expect(policy).toMatchObject({ employee: { email: 'dave@example.com', name: 'Dave Graph' } });

    expect((await th.signedPost(th.press(DAVE.id, card, 'deny', handle.workflowId))).status).toBe(200);
    const result = await resultWithin(handle);
    expect(result.outcome).toBe('denied');
    recordHistory('teams-graph-found-denied', await handle.fetchHistory());
    const answer = (await state(handle)).transcript.find((e) => e.kind === 'employee_answer');
    expect(answer).toMatchObject({ actor: `aad:${DAVE.id}` });

    const again = await askedInTeams('dave@example.com');
    await th.cardFor(again.workflowId);
    expect(lookupsOf('dave@example.com')).toHaveLength(2); // cached: Graph was not asked again
    await again.cancel();
  }, 120_000);

  it('verifies "Yes" with the factor kept under the email Graph gave, and writes the first card in Graph\'s language', async () => {
    const secret = await enroll(th.h, emailKey('faye@example.com'));
    const handle = await askedInTeams('faye@example.com');
    const card = await th.cardFor(handle.workflowId);
    expect(th.cardText(card.body)).toContain('Hallo Faye Entra'); // preferredLanguage de-DE, no Teams locale yet
    const submitted = await th.signedPost(
      th.invoke(FAYE.id, card, 'task/submit', {
        vouch: 'submit_code',
        workflowId: handle.workflowId,
        code: validCode(secret),
      }),
    );
    expect(JSON.stringify(submitted.body)).toMatch(/Bestätigt|Verified/);
    expect((await resultWithin(handle)).outcome).toBe('confirmed_verified');
  }, 120_000);

  it('ends an unknown address as today (unknown_employee), and a disabled account the same', async () => {
    for (const email of ['nobody@example.com', 'hal@example.com']) {
      const handle = await askedInTeams(email);
      expect((await resultWithin(handle)).outcome).toBe('unknown_employee');
      expect(lookupsOf(email).length).toBeGreaterThan(0);
    }
    // Graph's own error body for nobody.
    const notFound = lookupsOf('nobody@example.com')[0]!;
    expect(notFound.status).toBe(404);
  }, 120_000);

  it("waits out Graph's 429 for its Retry-After, then asks the employee the directory lists without an object id", async () => {
    th.teams.graph.throttleNext(3);
    const handle = await askedInTeams('gus@example.com');
    const card = await th.cardFor(handle.workflowId);
    expect(th.teams.conversations.get(card.conversationId)?.members).toEqual([
      expect.objectContaining({ aadObjectId: GUS.id }),
    ]);
    const [throttled, retried] = lookupsOf('gus@example.com') as [ReceivedRequest, ReceivedRequest];
    expect(throttled.status).toBe(429);
    expect(retried.status).toBe(200);
    // Temporal's own backoff would have retried after 1 s; Graph asked for 3.
    expect(retried.at - throttled.at).toBeGreaterThanOrEqual(2_900);
    expect(th.cardText(card.body)).toContain('Hi Gus Listed'); // the directory's name, the directory's email
    // Neither the client secret nor a token reached the interview's history (the 429 is in it).
    const history =
      JSON.stringify(await handle.fetchHistory()) + extractPayloads(await handle.fetchHistory());
    expect(history).not.toContain(th.config.appPassword);
    expect(history).not.toMatch(/stand-in-[0-9a-f-]{36}/);
    const kept = await employeeCache(collections(th.h.mongo.db)).entraUser(GUS.id);
    expect(kept).toMatchObject({ email: 'gus@example.com' });
    expect((await th.signedPost(th.press(GUS.id, card, 'deny', handle.workflowId))).status).toBe(200);
    expect((await resultWithin(handle)).outcome).toBe('denied');
  }, 120_000);

  it('the ladder asks the manager Graph names, in Teams, when the directory names none', async () => {
    const type = uniqueName('type');
    const ladder = { steps: [{ ask: 'manager', wait: '1m' }], onManagerConfirms: 'close' };
    await setPolicy(th.h, type, { ladder, channels: ['teams'], reminders: [], deadline: '2s' });
    const handle = await start(th.h, alertFor({ email: 'jo@example.com' }, { type }));
    const isQuestion = (a: ConnectorActivity) =>
      JSON.stringify(a.body).includes(handle.workflowId) &&
      JSON.stringify(a.body).includes('"vouch":"manager_answer"');
    await th.teams.waitFor(() => th.teams.activities.some(isQuestion));
    const question = th.teams.activities.find(isQuestion)!;
    expect(JSON.stringify(th.teams.conversations.get(question.conversationId)?.members)).toContain(IVY.id);
    expect((await state(handle)).managerAsked).toBe(`aad:${IVY.id}`);
    expect(lookupsOf(`/v1.0/users/${JO.id}/manager`).map((r) => r.status)).toEqual([200]);

    // Jo is not his own manager: refused. Ivy, whom only Graph named, answers.
    const pressBy = (oid: string) => ({
      ...th.press(oid, question, 'manager_answer', handle.workflowId),
      value: { vouch: 'manager_answer', workflowId: handle.workflowId, answer: 'knows' },
    });
    expect((await th.signedPost(pressBy(JO.id))).status).toBe(200);
    expect((await state(handle)).phase).toBe('awaiting_manager');
    expect((await th.signedPost(pressBy(IVY.id))).status).toBe(200);
    expect((await resultWithin(handle)).outcome).toBe('manager_confirmed');
    recordHistory('teams-graph-manager-knows', await handle.fetchHistory());
  }, 120_000);

  it('fails closed at once, naming Graph, when the permission was not granted: Teams is not passed over in silence', async () => {
    th.teams.graph.permissionGranted = false;
    try {
      const handle = await askedInTeams('kim@example.com');
      expect((await resultWithin(handle)).outcome).toBe('failed_closed');
      const failed = (await state(handle)).transcript.find((e) => e.kind === 'failed_closed');
      expect(failed).toMatchObject({ step: 'activity prepareInterview', errorType: 'GraphRefused' });
      expect(lookupsOf('kim@example.com').map((r) => r.status)).toEqual([403]); // not retried
    } finally {
      th.teams.graph.permissionGranted = true;
    }
  }, 120_000);

  it('asked for one Graph token and reused it for every lookup', () => {
    expect(graphRequests().length).toBeGreaterThan(4);
    expect(th.teams.tokensIssuedFor(graphScope())).toBe(1);
    // Every Graph request carried it; none was refused for its token.
    expect(graphRequests().filter((r) => r.status === 401)).toEqual([]);
  });

  it('an organisation without Slack finds them in Graph too; a username never reaches Graph', async () => {
    const c = collections(th.h.mongo.db);
    const graph = graphUsers({ ...th.config, graph: th.config.graph! });
    const resolve = createEmployeeResolver(c, undefined, undefined, graph);
    const before = graphRequests().length;
    expect(
      await resolve({ email: 'jo@example.com' }, new Date(), { withoutSlack: true, inTeams: true }),
    ).toEqual({
      email: 'jo@example.com',
      name: 'Jo Report',
      aadObjectId: JO.id,
    });
    expect(await resolve({ username: 'jo' }, new Date(), { withoutSlack: true, inTeams: true })).toBeNull();
    // Jo was looked up by the worker earlier: this new resolver finds him in `employees`, not in Graph.
    expect(graphRequests().length).toBe(before);
    // A policy that does not ask in Teams does not ask Graph: without Slack, nobody answers for them.
    await expect(resolve({ email: 'jo@example.com' }, new Date(), { withoutSlack: true })).rejects.toThrow(
      /Slack is not connected/,
    );
  });
});
