// The clients' SigV4 hashing (lambda/shared/sha256.ts) and the middleware the handlers drop: the one-shot
// SHA-256/HMAC must give the same bytes as node:crypto's Hash and Hmac for any input, and a client using it must
// sign exactly as a client using the SDK's default. Then the production clients themselves: their regions and
// signing names, bounded retries (none for a throttled Chime call), request timeouts, the throttle count on the
// request's record, and that a handler gets no client while the configuration is broken.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { ChimeSDKMeetingsClient, CreateAttendeeCommand, GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  awsDeps,
  awsTableDeps,
  chimeClient,
  countThrottles,
  discardClients,
  dynamodbClient,
  leanClient,
} from '../../lambda/shared/clients';
import { withCounters } from '../../lambda/shared/metrics';
import { Sha256 } from '../../lambda/shared/sha256';
import { ENV } from '../../lib/contract';

type Chunk = string | Uint8Array | ArrayBuffer | DataView;

const bytesOf = (chunk: Chunk): Buffer =>
  typeof chunk === 'string'
    ? Buffer.from(chunk, 'utf8')
    : ArrayBuffer.isView(chunk)
      ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      : Buffer.from(chunk);

/** Strings (any Unicode), byte arrays, bare ArrayBuffers, and views onto the middle of a larger buffer. */
const chunk: fc.Arbitrary<Chunk> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 100 }).map((bytes) => bytes.slice().buffer),
  fc.tuple(fc.uint8Array({ minLength: 2, maxLength: 100 }), fc.nat(), fc.nat()).map(([bytes, a, b]) => {
    const start = a % bytes.length;
    return new DataView(bytes.buffer, start, b % (bytes.length - start + 1));
  }),
);

/** Feeds the same chunks to ours and to node:crypto's Hash or Hmac and expects the same digest. */
async function expectSameDigest(ours: Sha256, reference: Hash | Hmac, chunks: Chunk[]) {
  for (const c of chunks) {
    ours.update(c);
    reference.update(bytesOf(c));
  }
  expect(Buffer.from(await ours.digest()).toString('hex')).toBe(reference.digest('hex'));
}

describe('Sha256 (one-shot SHA-256 and HMAC-SHA256)', () => {
  it('digests any sequence of chunks as node:crypto createHash does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { maxLength: 6 }), async (chunks) => {
        await expectSameDigest(new Sha256(), createHash('sha256'), chunks);
      }),
      { numRuns: 500 },
    );
  });

  it('keys HMAC as createHmac does, for keys shorter than, equal to and longer than the 64-byte block', async () => {
    const key = fc.oneof(
      fc.string({ minLength: 1, maxLength: 100 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(64, 63, 65, 128).map((n) => new Uint8Array(n).fill(0xa5)),
    );
    await fc.assert(
      fc.asyncProperty(key, fc.array(chunk, { maxLength: 4 }), async (secret, chunks) => {
        await expectSameDigest(new Sha256(secret), createHmac('sha256', bytesOf(secret)), chunks);
      }),
      { numRuns: 500 },
    );
  });

  it('matches the published test vectors (FIPS 180-2 "abc", RFC 4231 case 2)', async () => {
    const abc = new Sha256();
    abc.update('abc');
    expect(Buffer.from(await abc.digest()).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const hmac = new Sha256('Jefe');
    hmac.update('what do ya want for nothing?');
    expect(Buffer.from(await hmac.digest()).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('treats no secret and an empty string as a plain digest, as the SDK does, and starts over after reset()', async () => {
    const plain = createHash('sha256').update('x').digest('hex');
    for (const hash of [new Sha256(), new Sha256('')]) {
      hash.update('stale');
      hash.reset();
      hash.update('x');
      expect(Buffer.from(await hash.digest()).toString('hex')).toBe(plain);
    }
  });
});

describe('clients signing with Sha256 and one reused signer (leanClient)', () => {
  const credentials = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    sessionToken: 'session',
  };

  /** A transport that records what it is asked to send and answers 200 `{}`. */
  function recorder() {
    const sent: Array<Record<string, string>> = [];
    return {
      sent,
      handle: async (request: { headers: Record<string, string> }) => {
        sent.push({ ...request.headers });
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: Readable.from([Buffer.from('{}')]),
          },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
  }

  /** amz-sdk-invocation-id is a new UUID per call and is signed: fixed just before signing, so both sign alike. */
  function pinInvocationId<T extends ChimeSDKMeetingsClient | DynamoDBClient>(client: T): T {
    (client.middlewareStack as any).addRelativeTo(
      (next: (args: any) => Promise<any>) => async (args: any) => {
        args.request.headers['amz-sdk-invocation-id'] = '00000000-0000-4000-8000-000000000000';
        return next(args);
      },
      { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'pinInvocationId' },
    );
    return client;
  }

  beforeAll(() => {
    // Only the clock is fixed (both signers then stamp the same X-Amz-Date); timers stay real.
    jest.useFakeTimers({
      now: new Date('2030-06-01T12:34:56Z'),
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
  });
  afterAll(() => jest.useRealTimers());

  it('signs Chime (REST-JSON, with and without a body) and DynamoDB (JSON-RPC) calls byte for byte as the SDK default does, reusing one signer per client', async () => {
    const signed = async (lean: boolean) => {
      const chime = recorder();
      const dynamo = recorder();
      const options = { region: 'us-east-1', credentials, ...(lean && { sha256: Sha256 }) };
      const build = <T extends ChimeSDKMeetingsClient | DynamoDBClient>(client: T, name: string) =>
        pinInvocationId(lean ? leanClient(client, name) : client);
      const chimeSdk = build(new ChimeSDKMeetingsClient({ ...options, requestHandler: chime }), 'chime');
      const dynamodb = build(new DynamoDBClient({ ...options, requestHandler: dynamo }), 'dynamodb');
      const meetingId = '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11';
      await chimeSdk.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: 'user-ä-1' }));
      await chimeSdk.send(new GetMeetingCommand({ MeetingId: meetingId }));
      await chimeSdk.send(new GetMeetingCommand({ MeetingId: meetingId }));
      await dynamodb.send(
        new PutItemCommand({
          TableName: 't',
          Item: { ExternalUserId: { S: 'user-ä-1' }, MeetingId: { S: meetingId } },
        }),
      );
      return [...chime.sent, ...dynamo.sent];
    };
    const spy = jest.spyOn(SignatureV4.prototype, 'sign');
    const ours = await signed(true);
    const oursSigners = spy.mock.contexts.splice(0);
    const theirs = await signed(false);
    const theirSigners = spy.mock.contexts.splice(0);
    spy.mockRestore();

    expect(ours).toHaveLength(4);
    for (const [i, headers] of ours.entries()) {
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20300601\/us-east-1\/(chime|dynamodb)\/aws4_request, SignedHeaders=.+, Signature=[0-9a-f]{64}$/,
      );
      expect(headers.authorization).toBe(theirs[i].authorization);
      expect(headers['x-amz-date']).toBe('20300601T123456Z');
    }
    // The three Chime calls went through one signer, the DynamoDB call through another; the SDK's default made four.
    expect(oursSigners).toHaveLength(4);
    expect(new Set(oursSigners.slice(0, 3)).size).toBe(1);
    expect(oursSigners[3]).not.toBe(oursSigners[0]);
    expect(new Set(theirSigners).size).toBe(4);
  });

  it('builds the production clients with it, and without the SDK logger middleware (no logger is configured)', () => {
    for (const client of [chimeClient(), dynamodbClient()]) {
      expect(client.config.sha256).toBe(Sha256);
      const names = client.middlewareStack.identify().join('\n');
      expect(names).toMatch(/retryMiddleware/);
      expect(names).not.toMatch(/loggerMiddleware/);
    }
  });
});

describe('the production clients (chimeClient, dynamodbClient, awsDeps)', () => {
  const ENVIRONMENT = {
    AWS_REGION: 'eu-central-1',
    [ENV.chimeRegion]: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: undefined,
    AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: undefined,
    [ENV.tableName]: undefined,
  };
  const saved = Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]] as const);
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  beforeAll(() => setEnv(ENVIRONMENT));
  beforeEach(() => {
    // No backoff between retries (the strategy draws its full jitter from Math.random when a client is built).
    jest.spyOn(Math, 'random').mockReturnValue(0);
    discardClients();
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    discardClients();
    setEnv(Object.fromEntries(saved));
  });

  /** A transport that records each request (host and authorization) and gives the next answer, the last one again. */
  function transport(...answers: Array<{ statusCode: number; headers?: Record<string, string>; body: object }>) {
    const sent: Array<{ hostname: string; authorization: string }> = [];
    return {
      sent,
      handle: async (request: { hostname: string; headers: Record<string, string> }) => {
        const answer = answers[Math.min(sent.length, answers.length - 1)];
        sent.push({ hostname: request.hostname, authorization: request.headers.authorization });
        return {
          response: {
            statusCode: answer.statusCode,
            headers: { 'content-type': 'application/json', ...answer.headers },
            body: Readable.from([Buffer.from(JSON.stringify(answer.body))]),
          },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
      destroy: () => undefined,
    };
  }
  const CHIME_THROTTLED = {
    statusCode: 429,
    headers: { 'x-amzn-errortype': 'ThrottlingException' },
    body: { Code: 'ThrottlingException', Message: 'Rate exceeded' },
  };
  const DYNAMODB_THROTTLED = {
    statusCode: 400,
    body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate exceeded' },
  };
  const MEETING_ID = '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11';
  const getMeeting = () => new GetMeetingCommand({ MeetingId: MEETING_ID });
  const putItem = () => new PutItemCommand({ TableName: 't', Item: { ExternalUserId: { S: 'u' } } });

  /** The production client, built now, sending through `fake` instead of the network. */
  function withTransport<T extends ChimeSDKMeetingsClient | DynamoDBClient>(client: T, fake: object): T {
    (client.config as { requestHandler: unknown }).requestHandler = fake;
    return client;
  }

  it('hands a handler no client, and no configuration, while the configuration is broken; the container clients once it reads', () => {
    for (const read of [
      () => awsDeps.chime,
      () => awsDeps.dynamodb,
      () => awsDeps.config,
      () => awsTableDeps.dynamodb,
      () => awsTableDeps.config,
    ]) {
      expect(read).toThrow(new Error('ATTENDEE_TABLE_NAME is not set'));
    }
    setEnv({ [ENV.tableName]: 'attendees' });
    try {
      expect(awsDeps.chime).toBe(chimeClient());
      expect(awsDeps.dynamodb).toBe(dynamodbClient());
      expect(awsTableDeps.dynamodb).toBe(dynamodbClient());
      expect(awsDeps.config.tableName).toBe('attendees');
      expect(awsTableDeps.config).toBe(awsDeps.config);
    } finally {
      setEnv({ [ENV.tableName]: undefined });
    }
  });

  it('signs Chime calls for the chime service in CHIME_REGION, DynamoDB calls for dynamodb in the SDK region', async () => {
    const chime = transport({ statusCode: 200, body: { Meeting: { MeetingId: MEETING_ID } } });
    const dynamodb = transport({ statusCode: 200, body: {} });
    await withTransport(chimeClient(), chime).send(getMeeting());
    await withTransport(dynamodbClient(), dynamodb).send(putItem());
    expect(chime.sent).toEqual([
      {
        hostname: 'meetings-chime.us-east-1.amazonaws.com',
        authorization: expect.stringMatching(
          /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/chime\/aws4_request,/,
        ),
      },
    ]);
    expect(dynamodb.sent).toEqual([
      {
        hostname: 'dynamodb.eu-central-1.amazonaws.com',
        authorization: expect.stringMatching(
          /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/dynamodb\/aws4_request,/,
        ),
      },
    ]);
  });

  it('builds each client once per container, and new ones (the old ones destroyed) after discardClients', () => {
    const chime = chimeClient();
    const dynamodb = dynamodbClient();
    expect(chimeClient()).toBe(chime);
    expect(dynamodbClient()).toBe(dynamodb);
    const destroyed = [jest.spyOn(chime, 'destroy'), jest.spyOn(dynamodb, 'destroy')];
    discardClients();
    for (const destroy of destroyed) expect(destroy).toHaveBeenCalledTimes(1);
    expect(chimeClient()).not.toBe(chime);
    expect(dynamodbClient()).not.toBe(dynamodb);
  });

  it('answers a throttled Chime call at once, without a retry, and counts it on the running request', async () => {
    const chime = transport(CHIME_THROTTLED);
    const client = withTransport(chimeClient(), chime);
    const counters = await withCounters(async (running) => {
      await expect(client.send(getMeeting())).rejects.toMatchObject({
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 429, attempts: 1 },
      });
      return running;
    });
    expect(chime.sent).toHaveLength(1);
    expect(counters.chimeThrottles).toBe(1);
  });

  it('retries a throttled DynamoDB call, three attempts in all', async () => {
    const dynamodb = transport(DYNAMODB_THROTTLED, DYNAMODB_THROTTLED, { statusCode: 200, body: {} });
    await expect(withTransport(dynamodbClient(), dynamodb).send(putItem())).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200, attempts: 3 },
    });
    const failing = transport(DYNAMODB_THROTTLED);
    discardClients();
    await expect(withTransport(dynamodbClient(), failing).send(putItem())).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { attempts: 3 },
    });
    expect(failing.sent).toHaveLength(3);
  });

  it('ends a Chime attempt that gets no answer with a TimeoutError, not only a warning, and resolves middleware once per client', async () => {
    // A server that accepts and never answers (it drops idle connections after 2 s, so a client that waits fails).
    const server = createServer(() => undefined);
    server.setTimeout(2_000);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    setEnv({ AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      const client = chimeClient();
      expect(client.config.cacheMiddleware).toBe(true);
      // The 3 s request timeout, shortened for this call only (the options' throwOnRequestTimeout still applies).
      await expect(client.send(getMeeting(), { requestTimeout: 100 })).rejects.toMatchObject({
        name: 'TimeoutError',
        $metadata: { attempts: 3 },
      });
      const handler = client.config.requestHandler as { httpHandlerConfigs(): object };
      expect(handler.httpHandlerConfigs()).toMatchObject({
        connectionTimeout: 1_000,
        requestTimeout: 3_000,
        throwOnRequestTimeout: true,
      });
    } finally {
      setEnv({ AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS: undefined });
      discardClients();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the throttle count of a Chime client (countThrottles)', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  /** A Chime client with the SDK's own retries (throttling retried) and the counter, over `handle`. */
  const counted = (handle: () => Promise<unknown>) =>
    countThrottles(
      new ChimeSDKMeetingsClient({
        region: 'us-east-1',
        credentials,
        maxAttempts: 3,
        requestHandler: { handle, updateHttpClientConfig: () => undefined, httpHandlerConfigs: () => ({}) } as any,
      }),
    );
  const throttled = async () => ({
    response: {
      statusCode: 429,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' },
      body: Readable.from([Buffer.from('{"Message":"Rate exceeded"}')]),
    },
  });
  const getMeeting = () => new GetMeetingCommand({ MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11' });
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0));
  afterEach(() => jest.restoreAllMocks());

  it('sits inside the retry middleware, so it counts every throttled attempt', async () => {
    const client = counted(jest.fn(throttled));
    const names = client.middlewareStack.identify();
    expect(names[names.indexOf('retryMiddleware - finalizeRequest') + 1]).toBe(
      'throttleCounter - after retryMiddleware',
    );
    const counters = await withCounters(async (running) => {
      await expect(client.send(getMeeting())).rejects.toMatchObject({ name: 'ThrottlingException' });
      return running;
    });
    expect(counters.chimeThrottles).toBe(3);
  });

  it('counts nothing, and passes the error on, outside a request', async () => {
    const handle = jest.fn(throttled);
    await expect(counted(handle).send(getMeeting())).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429, attempts: 3 },
    });
    expect(handle).toHaveBeenCalledTimes(3);
  });

  it('passes on, uncounted, an error that is no service answer (a transport failure)', async () => {
    const failure = new Error('socket hang up');
    const counters = await withCounters(async (running) => {
      await expect(counted(() => Promise.reject(failure)).send(getMeeting())).rejects.toBe(failure);
      return running;
    });
    expect(counters.chimeThrottles).toBe(0);
  });
});
