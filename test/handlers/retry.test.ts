// The bounded retries (lambda/shared/retry.ts: the SDK's standard strategy, its quota kept, its backoff capped and
// Retry-After not slept on) and the throttle counter (clients.ts), which counts each throttled attempt.
import { Readable } from 'node:stream';
import { ChimeSDKMeetingsClient, GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { countThrottles } from '../../lambda/shared/clients';
import { withCounters } from '../../lambda/shared/metrics';
import {
  BoundedBackoff,
  boundedRetryStrategy,
  MAX_ATTEMPTS,
  MAX_TOTAL_RETRY_DELAY_MS,
} from '../../lambda/shared/retry';

const error = (name: string) => Object.assign(new Error(name), { name });
type ErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

/** Runs the strategy as the SDK's retry middleware does until it gives up; returns how many retries it granted. */
async function retriesFor(
  errorType: ErrorType,
  name: string,
  random = () => 0,
  retryAfterSeconds?: number,
  retryThrottling = true,
) {
  const strategy = boundedRetryStrategy({ random, retryThrottling });
  let token = await strategy.acquireInitialRetryToken('scope');
  let retries = 0;
  for (;;) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, {
        errorType,
        error: error(name),
        ...(retryAfterSeconds !== undefined && { retryAfterHint: new Date(Date.now() + retryAfterSeconds * 1000) }),
      } as never);
      retries += 1;
    } catch {
      return retries;
    }
  }
}

describe('backoff', () => {
  it.each([
    // The SDK asks for a 1 s base for throttling (capped at 0.5 s) and 50 ms for transient errors.
    [1000, [499, 999]],
    [50, [49, 99]],
  ])('with a requested base of %i ms, waits below base × 2^n (full jitter)', (base, expected) => {
    const backoff = new BoundedBackoff(() => 0.999);
    backoff.setDelayBase(base);
    expect([0, 1].map((n) => backoff.computeNextBackoffDelay(n))).toEqual(expected);
  });

  it('sleeps at most MAX_TOTAL_RETRY_DELAY_MS over one call, and a zero draw not at all', () => {
    const backoff = new BoundedBackoff(() => 0.999999);
    backoff.setDelayBase(60_000);
    const total = [0, 1].reduce((sum, n) => sum + backoff.computeNextBackoffDelay(n), 0);
    expect(total).toBeLessThanOrEqual(MAX_TOTAL_RETRY_DELAY_MS);
    expect(MAX_TOTAL_RETRY_DELAY_MS).toBe(1500);
    const none = new BoundedBackoff(() => 0);
    expect(none.computeNextBackoffDelay(1)).toBe(0);
  });
});

describe('bounded retry strategy', () => {
  it.each([
    ['THROTTLING', 'ThrottlingException'],
    ['TRANSIENT', 'ServiceUnavailableException'],
  ] as const)('retries %s errors (%s) twice: three attempts in all', async (type, name) => {
    expect(await retriesFor(type, name)).toBe(MAX_ATTEMPTS - 1);
  });

  it.each([
    ['THROTTLING', 'LimitExceededException'],
    ['CLIENT_ERROR', 'BadRequestException'],
    ['CLIENT_ERROR', 'NotFoundException'],
    ['SERVER_ERROR', 'SomethingElse'],
  ] as const)('never retries %s %s', async (type, name) => {
    expect(await retriesFor(type, name)).toBe(0);
  });

  // The Chime client's form: Chime's rate is the account's, so a throttled call is answered (429), not retried.
  it.each([
    ['THROTTLING', 'ThrottlingException'],
    ['THROTTLING', 'TooManyRequestsException'],
  ] as const)('without retryThrottling never retries %s %s', async (type, name) => {
    expect(await retriesFor(type, name, () => 0, undefined, false)).toBe(0);
  });

  it.each([
    ['TRANSIENT', 'ServiceUnavailableException'],
    ['TRANSIENT', 'TimeoutError'],
  ] as const)('without retryThrottling still retries %s %s twice', async (type, name) => {
    expect(await retriesFor(type, name, () => 0, undefined, false)).toBe(MAX_ATTEMPTS - 1);
  });

  it('retries a transient error that the SDK reports without the error itself', async () => {
    const strategy = boundedRetryStrategy({ random: () => 0 });
    const token = await strategy.acquireInitialRetryToken('chime');
    const retry = await strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' });
    expect(retry.getRetryCount()).toBe(1);
  });

  it("does not sleep on the server's Retry-After (the SDK would wait up to 5 s more per retry)", async () => {
    const started = Date.now();
    expect(await retriesFor('THROTTLING', 'ThrottlingException', () => 0, 60)).toBe(2);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("keeps the SDK's retry quota: a container whose calls keep failing stops retrying, and success refills it", async () => {
    const strategy = boundedRetryStrategy({ random: () => 0 });
    const throttled = { errorType: 'THROTTLING', error: error('ThrottlingException') } as never;
    let granted = 0;
    for (let call = 0; call < 200; call++) {
      const token = await strategy.acquireInitialRetryToken('scope');
      try {
        await strategy.refreshRetryTokenForRetry(token, throttled);
        granted += 1;
      } catch {
        break;
      }
    }
    // 500 tokens at 5 per throttling retry.
    expect(granted).toBe(100);
    const token = await strategy.acquireInitialRetryToken('scope');
    await expect(strategy.refreshRetryTokenForRetry(token, throttled)).rejects.toThrow();
    for (let i = 0; i < 5; i++) strategy.recordSuccess(await strategy.acquireInitialRetryToken('scope'));
    await expect(
      strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken('scope'), throttled),
    ).resolves.toBeDefined();
  });
});

describe('throttle counting', () => {
  /** A transport that answers every call with one status and Chime's error shape for it. */
  function answering(status: number, type: string) {
    let calls = 0;
    return {
      calls: () => calls,
      handle: async () => {
        calls += 1;
        return {
          response: {
            statusCode: status,
            headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
            body: Readable.from([Buffer.from(JSON.stringify({ Code: type.replace(/Exception$/, ''), Message: 'no' }))]),
          },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
  }
  const client = (transport: ReturnType<typeof answering>) =>
    countThrottles(
      new ChimeSDKMeetingsClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
        requestHandler: transport,
        retryStrategy: boundedRetryStrategy({ random: () => 0 }),
      }),
    );
  const send = (c: ChimeSDKMeetingsClient) =>
    c.send(new GetMeetingCommand({ MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11' }));

  it('counts every throttled attempt of the running request, the retried ones included', async () => {
    const transport = answering(429, 'ThrottlingException');
    const counted = await withCounters(async (counters) => {
      await expect(send(client(transport))).rejects.toMatchObject({ name: 'ThrottlingException' });
      return counters.chimeThrottles;
    });
    expect(transport.calls()).toBe(MAX_ATTEMPTS);
    expect(counted).toBe(MAX_ATTEMPTS);
  });

  it.each([
    [400, 'LimitExceededException'],
    [503, 'ServiceUnavailableException'],
    [404, 'NotFoundException'],
  ])('does not count a %i %s', async (status, type) => {
    const counted = await withCounters(async (counters) => {
      await expect(send(client(answering(status, type)))).rejects.toMatchObject({ name: type });
      return counters.chimeThrottles;
    });
    expect(counted).toBe(0);
  });
});
