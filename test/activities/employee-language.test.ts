import { Writable } from 'node:stream';
import { activityContext } from '../../activities/context';
import { employeeLanguages } from '../../activities/employee-language';
import { createSlackClient } from '../../activities/slack-client';
import { SlackRateLimiter } from '../../activities/slack-rate-limiter';
import { createLogger } from '../../lib/logger';
import { collections } from '../../store/collections';
import { employeeCache } from '../../store/employee-cache';
import { isolatedMongo } from '../helpers/servers';
import { SlackStandIn } from '../helpers/slack-stand-in';

/**
 * The language of a message is looked up in passing: with users.info out of budget (a storm of alerts
 * for people Vouch has not asked yet), the message goes at once in the last known language or English,
 * rather than waiting for budget; with budget, Slack is asked and the answer kept.
 */
describe('the employee’s language under users.info’s rate tier', () => {
  let mongo: Awaited<ReturnType<typeof isolatedMongo>>;
  let slack: SlackStandIn;
  beforeAll(async () => {
    mongo = await isolatedMongo();
    slack = await new SlackStandIn().start();
    slack
      .addUser({ id: 'ULANG0001', email: 'anna@example.com', name: 'Anna', locale: 'de-DE' })
      .addUser({ id: 'ULANG0002', email: 'ben@example.com', name: 'Ben', locale: 'de-DE' });
  });
  afterAll(async () => {
    await slack?.stop();
    await mongo?.drop();
  });

  const languagesWith = (limiter: SlackRateLimiter) =>
    employeeLanguages(
      activityContext({
        db: mongo.db,
        logger: createLogger('test', 'info', new Writable({ write: (_c, _e, cb) => cb() })),
        slack: createSlackClient('xoxb-test', slack.url, limiter),
      }),
    );

  it('out of budget: English at once, and Slack is not asked', async () => {
    // A tiny share leaves one call in the bucket and the next one many minutes away; waiting for
    // it (the limiter would, up to an hour here) is what the lookup must not do.
    const limiter = new SlackRateLimiter({ budgetScale: 0.001, maxWaitMs: 3_600_000 });
    await limiter.acquire('users.info');
    const before = slack.callsTo('users.info').length;
    await expect(languagesWith(limiter).languageOf('ULANG0001')).resolves.toBe('en');
    expect(slack.callsTo('users.info')).toHaveLength(before);
  });

  it('out of budget: the last known locale is kept', async () => {
    await employeeCache(collections(mongo.db)).saveLocale(
      'ULANG0002',
      'de-DE',
      new Date(Date.now() - 2 * 86_400_000),
    );
    const limiter = new SlackRateLimiter({ budgetScale: 0.001, maxWaitMs: 3_600_000 });
    await limiter.acquire('users.info');
    await expect(languagesWith(limiter).languageOf('ULANG0002')).resolves.toBe('de');
  });

  it('with budget: Slack is asked once and its locale kept', async () => {
    const languages = languagesWith(new SlackRateLimiter());
    await expect(languages.languageOf('ULANG0001')).resolves.toBe('de');
    const asked = slack.callsTo('users.info').filter((c) => c.args.user === 'ULANG0001').length;
    expect(asked).toBe(1);
    await expect(languages.languageOf('ULANG0001')).resolves.toBe('de');
    expect(slack.callsTo('users.info').filter((c) => c.args.user === 'ULANG0001')).toHaveLength(asked);
  });
});
