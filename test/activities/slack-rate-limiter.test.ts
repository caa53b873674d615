import { SlackRateLimiter } from '../../activities/slack-rate-limiter';
import { TIER_PER_MINUTE } from '../../shared/slack-rate-tiers';

/** A limiter on a clock the test moves: waiting advances the clock by exactly the wait. */
function onTestClock(opts: { share?: number; maxWaitMs?: number } = {}) {
  let now = 1_000_000;
  const limiter = new SlackRateLimiter({
    ...opts,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return {
    limiter,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The most calls that fall in any window of `windowMs` (windows starting at each call). */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + windowMs).length;
    most = Math.max(most, inWindow);
  }
  return most;
}

describe('SlackRateLimiter', () => {
  it('keeps a Tier 3 method (chat.update) under 50 calls in any minute, with a small burst first', async () => {
    const t = onTestClock();
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      await t.limiter.acquire('chat.update');
      times.push(t.now());
    }
    expect(times.filter((x) => x === times[0])).toHaveLength(5); // the burst: a tenth of the minute
    expect(busiestWindow(times, 60_000)).toBeLessThanOrEqual(TIER_PER_MINUTE[3]);
    // And not much slower than the tier allows: 200 calls in at most 200/45 minutes.
    expect(times.at(-1)! - times[0]!).toBeLessThanOrEqual((200 / 45) * 60_000);
  });

  it('spaces chat.postMessage to one channel over a second apart, and other channels are not held up', async () => {
    const t = onTestClock();
    const security: number[] = [];
    for (let i = 0; i < 5; i++) {
      await t.limiter.acquire('chat.postMessage', 'CSEC');
      security.push(t.now());
    }
    for (let i = 1; i < security.length; i++)
      expect(security[i]! - security[i - 1]!).toBeGreaterThanOrEqual(1_000);
    const before = t.now();
    await t.limiter.acquire('chat.postMessage', 'D0BOB');
    expect(t.now()).toBe(before);
  });

  it('halves the budget for a worker that shares the workspace with another', async () => {
    const t = onTestClock({ share: 0.5 });
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      await t.limiter.acquire('views.open');
      times.push(t.now());
    }
    expect(busiestWindow(times, 60_000)).toBeLessThanOrEqual(TIER_PER_MINUTE[4] / 2);
  });

  it("after Slack's 429 no call of that method goes out before Retry-After", async () => {
    const t = onTestClock();
    t.limiter.blockFor('chat.update', undefined, 7);
    const before = t.now();
    await t.limiter.acquire('chat.update');
    expect(t.now() - before).toBe(7_000);
  });

  it('a wait longer than the bound fails the activity for Temporal to retry after it', async () => {
    const t = onTestClock({ maxWaitMs: 1_000 });
    t.limiter.blockFor('chat.update', undefined, 30);
    await expect(t.limiter.acquire('chat.update')).rejects.toMatchObject({
      type: 'SlackRateBudget',
      nextRetryDelay: '30s',
    });
    // The refused call did not spend a slot: after the block, the burst is whole.
    t.advance(30_000);
    const before = t.now();
    for (let i = 0; i < 5; i++) await t.limiter.acquire('chat.update');
    expect(t.now()).toBe(before);
  });

  it('a wait longer than the time the caller has left fails before the slot is taken', async () => {
    const t = onTestClock();
    for (let i = 0; i < 5; i++) await t.limiter.acquire('chat.update'); // the burst is spent
    await expect(t.limiter.acquire('chat.update', undefined, 100)).rejects.toMatchObject({
      type: 'SlackRateBudget',
      message: expect.stringMatching(/too little of this attempt is left/),
    });
    // No time left at all: refused even with budget to spare, and retried after at least a second.
    await expect(t.limiter.acquire('chat.postMessage', 'D0BOB', -1)).rejects.toMatchObject({
      nextRetryDelay: '1s',
    });
    const before = t.now();
    await t.limiter.acquire('chat.postMessage', 'D0BOB', 5_000); // the refused call took no slot
    expect(t.now()).toBe(before);
  });

  it('has room for a call that may be skipped only with calls to spare, and never while blocked', async () => {
    const t = onTestClock();
    expect(t.limiter.hasRoom('chat.update')).toBe(true); // a whole burst of 5
    for (let i = 0; i < 3; i++) await t.limiter.acquire('chat.update');
    expect(t.limiter.hasRoom('chat.update')).toBe(false); // 2 left: kept for calls that matter
    t.advance(60_000);
    expect(t.limiter.hasRoom('chat.update')).toBe(true);
    t.limiter.blockFor('chat.update', undefined, 10);
    expect(t.limiter.hasRoom('chat.update')).toBe(false);
    // One call per second to a channel: room whenever that call is free.
    expect(t.limiter.hasRoom('chat.postMessage', 'D0BOB')).toBe(true);
    await t.limiter.acquire('chat.postMessage', 'D0BOB');
    expect(t.limiter.hasRoom('chat.postMessage', 'D0BOB')).toBe(false);
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => new SlackRateLimiter({ share: 0 })).toThrow(/share/);
    expect(() => new SlackRateLimiter({ share: 1.5 })).toThrow(/share/);
  });
});
