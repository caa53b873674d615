import { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { attemptClock, attemptTimeLeftMs } from '../../activities/attempt-clock';
import { createSlackClient } from '../../activities/slack-client';
import { SlackStandIn } from '../helpers/slack-stand-in';

describe('the time left in an activity attempt', () => {
  let slack: SlackStandIn;
  beforeAll(async () => {
    slack = await new SlackStandIn().start();
  });
  afterAll(async () => {
    await slack?.stop();
  });

  it('is counted from the attempt start the worker saw, against its start-to-close timeout', async () => {
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 30_000 });
    const left = await env.run(async () => {
      attemptClock(Context.current());
      return attemptTimeLeftMs(Date.now() + 12_000);
    });
    expect(left).toBeGreaterThan(17_000);
    expect(left).toBeLessThanOrEqual(18_000);
    expect(attemptTimeLeftMs()).toBeUndefined(); // outside an activity: no bound
  });

  it('a Slack call is not started without time for its answer and its record', async () => {
    const client = createSlackClient('xoxb-test-token', slack.url);
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 10_000 });
    // 10 s in all is less than the reserve: the message is not sent, and the attempt fails retryably.
    await expect(
      env.run(async () => {
        attemptClock(Context.current());
        return client.chat.postMessage({ channel: 'D0BOB', text: 'hello' });
      }),
    ).rejects.toMatchObject({ type: 'SlackRateBudget' });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    // With time to spare the same call goes out.
    const roomy = new MockActivityEnvironment({ startToCloseTimeoutMs: 30_000 });
    await roomy.run(async () => {
      attemptClock(Context.current());
      return client.chat.postMessage({ channel: 'D0BOB', text: 'hello' });
    });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });
});
