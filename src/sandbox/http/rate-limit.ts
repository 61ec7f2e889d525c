/**
 * A token bucket per bearer token: `rps` tokens a second, at most `burst` saved up.
 * A request that finds the bucket empty is told to retry after the whole seconds until a token exists.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private rps = 0;
  private burst = 1;

  constructor(
    rps: number,
    burst: number | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.configure(rps, burst);
  }

  /** Changes the limit; buckets restart full. `rps` 0 turns limiting off. */
  configure(rps: number, burst?: number): void {
    if (!Number.isFinite(rps) || rps < 0) throw new RangeError(`rps must be ≥ 0, got ${rps}`);
    this.rps = rps;
    this.burst = Math.max(1, burst ?? Math.ceil(rps * 2));
    this.buckets.clear();
  }

  /** Takes a token for `key`; returns the Retry-After seconds (≥ 1) when there is none. */
  take(key: string): { ok: true } | { ok: false; retryAfterSec: number } {
    if (this.rps <= 0) return { ok: true };
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rps);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rps)) };
  }
}
