/**
 * Each source's alerts a second, as a token bucket: a burst of four seconds' worth, then the rate.
 * Over it the intake answers 429 with Retry-After; the SIEM's retry is the queue.
 */
const BURST_SECONDS = 4;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaultPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one alert's slot; otherwise says how many seconds until there is one. */
  take(source: string, perSecond = this.defaultPerSecond): { ok: true } | { ok: false; retryAfter: number } {
    const capacity = Math.max(1, perSecond * BURST_SECONDS);
    const now = this.now();
    const b = this.buckets.get(source) ?? { tokens: capacity, updatedAt: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.updatedAt) / 1000) * perSecond);
    b.updatedAt = now;
    this.buckets.set(source, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) };
  }
}
