import { collections } from '../../store/collections';
import { CLAIM_TTL_MS, USED_CODE_TTL_MS, pruneSpentClaims } from '../../store/housekeeping';
import { isolatedMongo } from '../helpers/servers';

describe('pruning spent claims', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  beforeAll(async () => {
    mongo = await isolatedMongo();
  });
  afterAll(async () => mongo.drop());

  it('deletes used TOTP steps past any window, claims that outlived every link and Teams follow-ups long timed out, and nothing newer', async () => {
    const c = collections(mongo.db);
    const now = new Date('2026-11-21T12:00:00Z');
    const ago = (ms: number) => new Date(now.getTime() - ms);
    await c.usedCodes.insertMany([
      { _id: 'U1:0:100', at: ago(USED_CODE_TTL_MS + 1000) },
      { _id: 'U1:0:200', at: ago(60_000) },
    ]);
    await c.claims.insertMany([
      { _id: 'link-bind:old', at: ago(CLAIM_TTL_MS + 1000) },
      { _id: 'link-bind:new', at: ago(20 * 60_000) },
    ]);
    const challenge = (id: string, expiresAt: Date) => ({
      _id: id,
      purpose: 'authentication' as const,
      employee: 'U1',
      scope: 'link',
      createdAt: ago(3 * 3600_000),
      expiresAt,
    });
    await c.passkeyChallenges.insertMany([
      challenge('old', ago(2 * 3600_000)),
      challenge('new', ago(60_000)),
    ]);
    // A follow-up question whose time ran out over an hour ago, left by an interview that was stopped.
    const followUp = (id: string, until: Date) => ({
      _id: id,
      conversationId: 'a:chat',
      employee: 'aad:1',
      n: 1,
      askedAt: ago(5 * 3600_000),
      until,
    });
    await c.teamsFollowUps.insertMany([
      followUp('alert-stale', ago(3600_000 + 1000)),
      followUp('alert-timed-out', ago(60_000)),
      followUp('alert-waiting', new Date(now.getTime() + 60_000)),
    ]);
    expect(await pruneSpentClaims(c, now)).toEqual({
      usedCodes: 1,
      claims: 1,
      passkeyChallenges: 1,
      teamsFollowUps: 1,
    });
    expect((await c.teamsFollowUps.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([
      'alert-timed-out',
      'alert-waiting',
    ]);
    expect((await c.passkeyChallenges.find().toArray()).map((d) => d._id)).toEqual(['new']);
    expect((await c.usedCodes.find().toArray()).map((d) => d._id)).toEqual(['U1:0:200']);
    expect((await c.claims.find().toArray()).map((d) => d._id)).toEqual(['link-bind:new']);
  });
});
