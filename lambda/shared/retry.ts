import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/** Attempts per AWS call, the first one included (the SDK's standard mode uses 3 too). */
export const MAX_ATTEMPTS = 3;
/** Backoff bases: retry n (1, 2) waits a random time below base × 2^(n-1). */
const BASE_DELAY_MS = { THROTTLING: 500, TRANSIENT: 100 } as const;
/** Chime answers its fixed 250-attendee cap with this; the SDK counts it as throttling, but waiting cannot help. */
const NEVER_RETRIED = new Set(['LimitExceededException']);

/** Longest time the strategy can sleep across one call's retries (for sizing timeouts): 0.5 s + 1 s. */
export const MAX_TOTAL_RETRY_DELAY_MS = BASE_DELAY_MS.THROTTLING * (2 ** (MAX_ATTEMPTS - 1) - 1);

class Token implements RetryToken {
  constructor(
    private readonly count: number,
    private readonly delay: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
}

/**
 * The SDK's standard policy (3 attempts, exponential backoff with full jitter, throttling and transient errors
 * only) bounded for a Lambda function behind API Gateway. It does not sleep for the server's Retry-After hint,
 * which can be longer than the function's whole timeout: once the attempts are spent the handler answers
 * 429/503 and passes the hint on to the caller instead. Throwing from `refreshRetryTokenForRetry` makes the SDK
 * rethrow the service's own error.
 */
export function boundedRetryStrategy(random: () => number = Math.random, onThrottled?: () => void): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => new Token(0, 0),
    refreshRetryTokenForRetry: async (token: RetryToken, info: RetryErrorInfo) => {
      const retry = token.getRetryCount() + 1;
      const name = (info.error as { name?: string } | undefined)?.name ?? '';
      // Every throttled attempt, the last one included (the SDK asks here before giving up too).
      if (info.errorType === 'THROTTLING' && !NEVER_RETRIED.has(name)) onThrottled?.();
      if (retry >= MAX_ATTEMPTS) throw new Error('retry attempts exhausted');
      if (info.errorType !== 'THROTTLING' && info.errorType !== 'TRANSIENT') throw new Error('not retryable');
      if (NEVER_RETRIED.has(name)) throw new Error('not retryable');
      return new Token(retry, Math.floor(random() * BASE_DELAY_MS[info.errorType] * 2 ** (retry - 1)));
    },
    recordSuccess: () => undefined,
  };
}
