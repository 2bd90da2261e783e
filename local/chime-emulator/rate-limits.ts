/** Token buckets per operation: a request finding its bucket empty answers ThrottlingException (429). */
import { ChimeError } from './errors';
import type { ChimeOperation } from './operations';

/** A token bucket: `burst` requests at once, refilled at `ratePerSecond`. */
export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Send `Retry-After` on 429. @default true */
  readonly retryAfter?: boolean;
}

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes a token; returns undefined on success, else the seconds until one is available. */
  take(now: number): number | undefined {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.ratePerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return (1 - this.tokens) / this.limit.ratePerSecond;
  }
}

export class RateLimits {
  private readonly buckets = new Map<ChimeOperation, TokenBucket>();

  set(operation: ChimeOperation, limit: RateLimit | undefined, now: number): void {
    if (!limit) {
      this.buckets.delete(operation);
      return;
    }
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) {
      throw new Error('rate limit needs ratePerSecond > 0 and burst >= 1');
    }
    this.buckets.set(operation, new TokenBucket(limit, now));
  }

  /**
   * Takes a token for one request, or throws ThrottlingException with `Retry-After` set to the seconds until the
   * bucket holds a token again (rounded up), so the SDK's own retry waits long enough.
   */
  take(operation: ChimeOperation, now: number): void {
    const bucket = this.buckets.get(operation);
    const wait = bucket?.take(now);
    if (bucket && wait !== undefined) {
      const retryAfter = bucket.limit.retryAfter === false ? undefined : Math.max(1, Math.ceil(wait));
      throw new ChimeError('ThrottlingException', undefined, retryAfter);
    }
  }

  clear(): void {
    this.buckets.clear();
  }
}
