/**
 * The SDK's standard retry strategy (3 attempts, exponential backoff with full jitter, throttling and transient
 * errors only, and its retry quota: a container that keeps failing stops retrying until calls succeed again),
 * bounded for a Lambda function behind API Gateway:
 * - backoff bases are capped (0.5 s for throttling instead of the SDK's 1 s), so one call's retries sleep at most
 *   MAX_TOTAL_RETRY_DELAY_MS;
 * - a server's Retry-After hint is not slept on (the SDK would wait up to 5 s more per retry): once the attempts
 *   are spent the handler answers 429/503 and passes the hint on to its caller instead;
 * - Chime's LimitExceededException (the fixed 250-attendee cap), which the SDK classes as throttling, is never
 *   retried: waiting cannot help;
 * - for the Chime client, throttling is not retried at all (`retryThrottling: false`): Chime's rate is the
 *   account's, shared by every caller, and retries multiply one caller's share (two calls tried three times each
 *   made 5.8 Chime calls per throttled request). A throttled request answers 429 with Retry-After at once, so one
 *   API request makes at most as many Chime calls as its route needs (two at most).
 * Throttled attempts are counted by a middleware (clients.ts), not here.
 */
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

/** Attempts per AWS call, the first one included (the SDK's standard mode uses 3 too). */
export const MAX_ATTEMPTS = 3;
/** Largest backoff base: retry n (1, 2) sleeps a random time below base × 2^(n-1). */
const MAX_DELAY_BASE_MS = 500;
/** Longest time one call's retries can sleep in all (for sizing timeouts): 0.5 s + 1 s. */
export const MAX_TOTAL_RETRY_DELAY_MS = MAX_DELAY_BASE_MS * (2 ** (MAX_ATTEMPTS - 1) - 1);
const NEVER_RETRIED: ReadonlySet<string> = new Set(['LimitExceededException']);

/** The SDK's full-jitter exponential backoff with the base it asks for, capped at MAX_DELAY_BASE_MS. */
export class BoundedBackoff {
  private base = MAX_DELAY_BASE_MS;
  constructor(private readonly random: () => number = Math.random) {}
  setDelayBase(delay: number): void {
    this.base = Math.min(delay, MAX_DELAY_BASE_MS);
  }
  computeNextBackoffDelay(retryCount: number): number {
    return Math.floor(this.random() * this.base * 2 ** retryCount);
  }
}

export interface BoundedRetryOptions {
  /** Whether throttled attempts are retried (DynamoDB: yes; Chime: no). @default true */
  readonly retryThrottling?: boolean;
  readonly random?: () => number;
}

export function boundedRetryStrategy(options: BoundedRetryOptions = {}): RetryStrategyV2 {
  const { retryThrottling = true, random = Math.random } = options;
  // Tokens pass through unchanged: the SDK hands back the ones this strategy issued.
  const standard = new StandardRetryStrategy({ maxAttempts: MAX_ATTEMPTS, backoff: new BoundedBackoff(random) });
  return {
    acquireInitialRetryToken: (scope: string) => standard.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token: StandardRetryToken, info: RetryErrorInfo) => {
      const name = (info.error as { name?: string } | undefined)?.name;
      // Throwing makes the SDK rethrow the service's own error: these messages reach no one.
      // Stryker disable next-line StringLiteral: the SDK rethrows the service's error, never this one
      if (NEVER_RETRIED.has(name ?? '')) throw new Error('not retryable');
      // Stryker disable next-line StringLiteral: the SDK rethrows the service's error, never this one
      if (!retryThrottling && info.errorType === 'THROTTLING') throw new Error('throttling is not retried');
      return standard.refreshRetryTokenForRetry(token, { ...info, retryAfterHint: undefined });
    },
    recordSuccess: (token: StandardRetryToken) => standard.recordSuccess(token),
  };
}
