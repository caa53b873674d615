import { ApplicationFailure } from '@temporalio/common';
import { graphUsers } from '../../activities/graph-users';
import type { TeamsConfig } from '../../lib/config';
import { teamsConfigFor } from '../helpers/teams-endpoint';
import { TEAMS_APP } from '../helpers/teams-harness';
import { TeamsStandIn } from '../helpers/teams-stand-in';

const USERS = Array.from({ length: 5 }, (_, i) => ({
  id: `0000000${i}-1111-4222-8333-444455556666`,
  userPrincipalName: `user${i}@contoso.onmicrosoft.com`,
  mail: `user${i}@example.com`,
  displayName: `User ${i}`,
}));

/** The Graph client against the stand-in's token endpoint and users endpoint: what each answer becomes. */
describe('Microsoft Graph users', () => {
  let teams: TeamsStandIn;
  let config: TeamsConfig & { graph: NonNullable<TeamsConfig['graph']> };

  beforeAll(async () => {
    teams = await new TeamsStandIn(TEAMS_APP).start();
    teams.graph.users.push(...USERS);
    const loaded = teamsConfigFor(teams, { VOUCH_GRAPH_LOOKUP: 'true', VOUCH_GRAPH_URL: teams.graphUrl });
    config = { ...loaded, graph: loaded.graph! };
  });
  afterAll(() => teams?.stop());

  const failureOf = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a failure');
      },
      (err: unknown) => err as Error,
    );

  it('finds users by UPN and by mail, with one token for a burst of lookups', async () => {
    const graph = graphUsers(config);
    const found = await Promise.all([
      ...USERS.map((u) => graph.byAddress(u.mail)),
      graph.byAddress('USER0@contoso.onmicrosoft.com'),
    ]);
    expect(found.map((u) => u?.aadObjectId)).toEqual([...USERS.map((u) => u.id), USERS[0]!.id]);
    expect(found[0]).toEqual({
      aadObjectId: USERS[0]!.id,
      email: 'user0@example.com',
      addresses: ['user0@example.com', 'user0@contoso.onmicrosoft.com'],
      name: 'User 0',
    });
    expect(teams.tokensIssuedFor(`${teams.graphUrl}/.default`)).toBe(1);
    expect(await graph.byAddress('nobody@example.com')).toBeNull();
  });

  it("retries a 429 after Graph's Retry-After (at most five minutes), an outage with backoff", async () => {
    const graph = graphUsers(config);
    await graph.byAddress(USERS[1]!.mail); // the token, before the failures below
    teams.graph.throttleNext(7, 3600);
    const throttled = await failureOf(graph.byAddress(USERS[1]!.mail));
    expect(throttled).toBeInstanceOf(ApplicationFailure);
    expect(throttled).toMatchObject({ type: 'GraphThrottled', nextRetryDelay: '7s', nonRetryable: false });
    expect(await failureOf(graph.byAddress(USERS[1]!.mail))).toMatchObject({ nextRetryDelay: '300s' });
    teams.failNext(502);
    const outage = await failureOf(graph.byAddress(USERS[1]!.mail));
    expect(outage).not.toBeInstanceOf(ApplicationFailure);
    expect(outage.message).toBe('Microsoft Graph answered 502');
  });

  it('fails for good, naming the fix and never the secret, when the credentials or the permission are refused', async () => {
    const wrongSecret = graphUsers({ ...config, appPassword: 'not-the-secret' });
    const refused = await failureOf(wrongSecret.byAddress(USERS[2]!.mail));
    expect(refused).toMatchObject({ type: 'GraphRefused', nonRetryable: true });
    expect(refused.message).toMatch(/token endpoint refused .* 401 invalid_client/);
    expect(refused.message).not.toContain('not-the-secret');

    teams.graph.permissionGranted = false;
    try {
      const denied = await failureOf(graphUsers(config).byAddress(USERS[2]!.mail));
      expect(denied).toMatchObject({ type: 'GraphRefused', nonRetryable: true });
      expect(denied.message).toMatch(/403 Authorization_RequestDenied: grant .*User\.Read\.All/);
      expect(denied.message).not.toMatch(/stand-in-/); // no token in it
    } finally {
      teams.graph.permissionGranted = true;
    }
  });

  it("gives a user's manager, and null for none", async () => {
    teams.graph.managers.set(USERS[3]!.id, USERS[4]!.id);
    const graph = graphUsers(config);
    expect((await graph.managerOf(USERS[3]!.id))?.email).toBe('user4@example.com');
    expect(await graph.managerOf(USERS[4]!.id)).toBeNull();
  });
});
