import { ApplicationFailure } from '@temporalio/common';
import { slackRateRule } from '../shared/slack-rate-tiers';

/**
 * Keeps this process's Slack calls under Slack's per-method tiers, so a storm of alerts waits here
 * instead of drawing a cascade of 429s. Each method (each channel, for chat.postMessage) has a token
 * bucket sized so that no 60-second window holds more than the tier allows; `share` divides the budget
 * between processes that call Slack with the same token.
 */
export interface SlackRateLimiterOptions {
  /** This process's share of the workspace's budget (0–1]: 1 for a single worker. */
  share?: number;
  /** The longest a call waits here; longer waits fail the activity for Temporal to retry later. */
  maxWaitMs?: number;
  /**
   * Multiplies every budget (1: Slack's). Only for tests whose subject is not pacing, which would
   * otherwise wait minutes on Slack's floors.
   */
  budgetScale?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Hears each wait for budget before it starts (the benchmark reports the time waited here). */
  onWait?: (method: string, ms: number) => void;
}

interface Bucket {
  tokens: number;
  capacity: number;
  /** Tokens added per millisecond. */
  rate: number;
  updatedAt: number;
  /** A 429 from Slack closes the bucket until then. */
  blockedUntil: number;
}

/** A burst of at most a tenth of a minute's budget, refilled at 90% of the tier: always under the floor. */
const BURST_SHARE = 0.1;
const REFILL_SHARE = 0.9;

export class SlackRateBudgetError extends Error {
  override readonly name = 'SlackRateBudgetError';
}

export class SlackRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly share: number;
  private readonly maxWaitMs: number;
  private readonly budgetScale: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onWait?: (method: string, ms: number) => void;

  constructor(opts: SlackRateLimiterOptions = {}) {
    this.share = opts.share ?? 1;
    if (!(this.share > 0 && this.share <= 1)) throw new Error('SlackRateLimiter share must be in (0, 1]');
    this.maxWaitMs = opts.maxWaitMs ?? 20_000;
    this.budgetScale = opts.budgetScale ?? 1;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.onWait = opts.onWait;
  }

  /**
   * Waits until `method` (to `channel`) may be called, and takes its slot. Throws a retryable
   * activity failure, with the delay Temporal should wait, when the wait would exceed maxWaitMs or
   * `timeLeftMs` (what the caller can still spend before its call must start).
   */
  async acquire(method: string, channel?: string, timeLeftMs?: number): Promise<void> {
    const bucket = this.bucketFor(method, channel);
    const waitMs = this.reserve(bucket);
    if (waitMs > this.maxWaitMs || (timeLeftMs !== undefined && waitMs > timeLeftMs)) {
      this.release(bucket);
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw ApplicationFailure.create({
        type: 'SlackRateBudget',
        message:
          waitMs > this.maxWaitMs
            ? `Slack ${method} is at its rate limit here; retrying in ${seconds} s`
            : `too little of this attempt is left to call Slack ${method} safely; retrying in ${seconds} s`,
        nextRetryDelay: `${seconds}s`,
      });
    }
    if (waitMs > 0) {
      this.onWait?.(method, waitMs);
      await this.sleep(waitMs);
    }
  }

  /**
   * Whether `method` (to `channel`) could be called now with `keep` calls still to spare after it:
   * for calls that may be skipped (a cosmetic update), so that they never hold up those that matter.
   */
  hasRoom(method: string, channel?: string, keep = 2): boolean {
    const b = this.bucketFor(method, channel);
    const now = this.now();
    const tokens = Math.min(b.capacity, b.tokens + (now - b.updatedAt) * b.rate);
    return b.blockedUntil <= now && tokens >= 1 + Math.min(keep, b.capacity - 1);
  }

  /** Slack answered 429 with Retry-After: no call of this method (to this channel) before then. */
  blockFor(method: string, channel: string | undefined, seconds: number): void {
    const bucket = this.bucketFor(method, channel);
    bucket.blockedUntil = Math.max(bucket.blockedUntil, this.now() + seconds * 1000);
  }

  private bucketFor(method: string, channel: string | undefined): Bucket {
    const share = this.share * this.budgetScale;
    const rule = slackRateRule(method);
    const key = rule.kind === 'per-channel' ? `${method}:${channel ?? ''}` : method;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // Per channel: one call per interval, spaced a tenth wider than Slack's second.
      const [capacity, rate] =
        rule.kind === 'per-channel'
          ? [1, share / (rule.intervalMs * 1.1)]
          : [
              Math.max(1, Math.floor(rule.perMinute * BURST_SHARE * share)),
              (rule.perMinute * REFILL_SHARE * share) / 60_000,
            ];
      bucket = { tokens: capacity, capacity, rate, updatedAt: this.now(), blockedUntil: 0 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Takes a token now or in the future (tokens may go negative: callers queue in order). */
  private reserve(b: Bucket): number {
    const now = this.now();
    b.tokens = Math.min(b.capacity, b.tokens + (now - b.updatedAt) * b.rate);
    b.updatedAt = now;
    b.tokens -= 1;
    const untilToken = b.tokens >= 0 ? 0 : -b.tokens / b.rate;
    return Math.max(untilToken, b.blockedUntil - now);
  }

  private release(b: Bucket): void {
    b.tokens += 1;
  }
}
