import { WebClient } from '@slack/web-api';
import { slackTaskQueue } from '../../shared/constants';
import { SlackStandIn } from '../helpers/slack-stand-in';
import {
  SECURITY_CHANNEL,
  alertFor,
  answer,
  createDevServerHarness,
  dmSent,
  start,
  type Harness,
} from '../helpers/interview-harness';

/**
 * A burst of alerts against a Slack stand-in that enforces Slack's published rate tiers: the worker's
 * Slack steps queue on the Slack task queue and wait for their budget, so Slack answers no 429.
 */
describe("Slack's rate limits", () => {
  const STORM = 15;
  const people = Array.from({ length: STORM }, (_, i) => ({
    id: `USTORM${String(i).padStart(3, '0')}`,
    email: `storm${i}@example.com`,
  }));
  let h: Harness;
  beforeAll(async () => {
    h = await createDevServerHarness();
    h.slack.enforceRateLimits();
    for (const p of people) h.slack.addUser(p);
  });
  afterAll(async () => h?.teardown());

  it('the stand-in answers 429 with Retry-After to calls over a tier, as Slack does', async () => {
    const slack = await new SlackStandIn().enforceRateLimits().start();
    try {
      const client = new WebClient('xoxb-test', {
        slackApiUrl: slack.url,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      });
      const posts = await Promise.allSettled(
        [1, 2, 3].map(() => client.chat.postMessage({ channel: 'C1', text: 'hi' })),
      );
      expect(posts.filter((p) => p.status === 'fulfilled')).toHaveLength(1); // one per second per channel
      const updates = await Promise.allSettled(
        Array.from({ length: 60 }, () => client.chat.update({ channel: 'C1', ts: '1.1', text: 'x' })),
      );
      expect(updates.filter((p) => p.status === 'fulfilled')).toHaveLength(50); // Tier 3
      expect(slack.rateLimited.length).toBe(2 + 10);
      expect(slack.rateLimited[0]!.retryAfter).toBeGreaterThanOrEqual(1);
    } finally {
      await slack.stop();
    }
  });

  it(`${STORM} alerts denied at once: every DM, update and escalation sent, no 429 from Slack`, async () => {
    const started = Date.now();
    const handles = await Promise.all(people.map((p) => start(h, alertFor(p))));
    // Twenty first DMs open twenty channels: Tier 3, about 45 a minute after a burst of five.
    await Promise.all(
      handles.map((handle) =>
        h.slack.waitForCall(
          'chat.postMessage',
          (c) => JSON.stringify(c.args.blocks ?? '').includes(handle.workflowId),
          90_000,
        ),
      ),
    );
    await Promise.all(handles.map((handle, i) => answer(handle, people[i]!.id, 'denied')));
    const results = await Promise.all(handles.map((handle) => handle.result()));
    const seconds = (Date.now() - started) / 1000;
    expect(results.map((r) => r.outcome)).toEqual(people.map(() => 'denied'));
    expect(h.slack.rateLimited).toEqual([]);

    // The escalations share one channel: Slack's one post per second per channel was kept.
    const escalations = h.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === SECURITY_CHANNEL)
      .map((c) => c.at);
    expect(escalations).toHaveLength(STORM);
    for (let i = 1; i < escalations.length; i++)
      expect(escalations[i]! - escalations[i - 1]!).toBeGreaterThanOrEqual(1_000);
    // Paced, not stalled: about a second per escalation, plus the DMs' Tier 3 channel opens.
    expect(seconds).toBeLessThan(STORM * 3);
    console.log(`${STORM} denied alerts in ${seconds.toFixed(1)} s, 0 rate-limited calls`);
  }, 180_000);

  it('the DM, its update and the escalation are scheduled on the Slack task queue', async () => {
    const p = { id: 'UREUSE001', email: 'reuse@example.com' };
    h.slack.addUser(p);
    const interview = async () => {
      const handle = await start(h, alertFor(p));
      await dmSent(h, handle);
      await answer(handle, p.id, 'denied');
      await handle.result();
      return handle;
    };
    await interview();
    const handle = await interview();
    const history = await handle.fetchHistory();
    const queues = Object.fromEntries(
      history
        .events!.map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType?.name)
        .map((a) => [a!.activityType!.name!, a!.taskQueue!.name]),
    );
    expect(queues.sendInterview).toBe(slackTaskQueue(h.taskQueue));
    expect(queues.finishInterview).toBe(slackTaskQueue(h.taskQueue));
    // A second DM to the same person reuses the channel Slack opened the first time.
    expect(h.slack.callsTo('conversations.open').filter((c) => c.args.users === p.id)).toHaveLength(1);
  }, 60_000);
});
