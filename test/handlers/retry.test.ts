import { boundedRetryStrategy, MAX_ATTEMPTS, MAX_TOTAL_RETRY_DELAY_MS } from '../../lambda/shared/retry';

const error = (name: string) => Object.assign(new Error(name), { name });

/** Runs the strategy as the SDK's retry middleware does until it gives up; returns the delays it chose. */
async function delaysFor(
  errorType: 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR',
  name: string,
  random = () => 0.999,
) {
  const strategy = boundedRetryStrategy(random);
  let token = await strategy.acquireInitialRetryToken('scope');
  const delays: number[] = [];
  for (;;) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, {
        errorType,
        error: error(name),
        retryAfterHint: new Date(Date.now() + 60_000),
      } as never);
      delays.push(token.getRetryDelay());
    } catch {
      return delays;
    }
  }
}

describe('bounded retry strategy', () => {
  it.each([
    ['THROTTLING', 'ThrottlingException', [499, 999]],
    ['TRANSIENT', 'ServiceUnavailableException', [99, 199]],
  ] as const)(
    'retries %s errors (%s) twice with capped backoff, ignoring a 60 s Retry-After',
    async (type, name, expected) => {
      const delays = await delaysFor(type, name);
      expect(delays).toEqual(expected);
      expect(delays.length).toBe(MAX_ATTEMPTS - 1);
      expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_TOTAL_RETRY_DELAY_MS);
    },
  );

  it.each([
    ['THROTTLING', 'LimitExceededException'],
    ['CLIENT_ERROR', 'BadRequestException'],
    ['CLIENT_ERROR', 'NotFoundException'],
    ['SERVER_ERROR', 'SomethingElse'],
  ] as const)('never retries %s %s', async (type, name) => {
    expect(await delaysFor(type, name)).toEqual([]);
  });

  it('uses full jitter: a zero draw retries at once', async () => {
    expect(await delaysFor('THROTTLING', 'ThrottlingException', () => 0)).toEqual([0, 0]);
  });
});

describe('throttle counting', () => {
  it('reports every throttled attempt, the last included, and nothing else', async () => {
    let throttled = 0;
    const strategy = boundedRetryStrategy(
      () => 0,
      () => {
        throttled += 1;
      },
    );
    let token = await strategy.acquireInitialRetryToken('scope');
    const info = (errorType: string, name: string) => ({ errorType, error: error(name) }) as never;
    token = await strategy.refreshRetryTokenForRetry(token, info('THROTTLING', 'ThrottlingException'));
    token = await strategy.refreshRetryTokenForRetry(token, info('THROTTLING', 'ThrottlingException'));
    await expect(
      strategy.refreshRetryTokenForRetry(token, info('THROTTLING', 'ThrottlingException')),
    ).rejects.toThrow();
    await expect(
      strategy.refreshRetryTokenForRetry(token, info('THROTTLING', 'LimitExceededException')),
    ).rejects.toThrow();
    await expect(
      strategy.refreshRetryTokenForRetry(token, info('TRANSIENT', 'ServiceUnavailableException')),
    ).rejects.toThrow();
    expect(throttled).toBe(3);
  });
});
