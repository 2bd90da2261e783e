// The clients' SigV4 hashing (lambda/shared/sha256.ts) and the middleware the handlers drop: the one-shot
// SHA-256/HMAC must give the same bytes as node:crypto's Hash and Hmac for any input, and a client using it must
// sign exactly as a client using the SDK's default.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { ChimeSDKMeetingsClient, CreateAttendeeCommand, GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import { chimeClient, dynamodbClient, leanClient } from '../../lambda/shared/clients';
import { Sha256 } from '../../lambda/shared/sha256';

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
