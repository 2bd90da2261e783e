// The meeting access decision as a unit: who is asked, what the function is told, how its answer bounds the
// capabilities, and that every failure refuses (fails closed). test/e2e/meeting-access-policy.test.ts drives the
// same through HTTP and a stand-in of Lambda's Invoke API.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { ENV } from '../../lib/contract';
import { JoinServiceError } from '../../lambda/shared/errors';
import { accessMeetingOf, decideAccess, type Invoke, invokeFunction, within } from '../../lambda/shared/meeting-access';
import type { MeetingRecord } from '../../lambda/shared/meeting-store';

// The signer class, counted: the invocations build one per region and reuse it.
jest.mock('@smithy/signature-v4', () => {
  const actual = jest.requireActual('@smithy/signature-v4');
  return { ...actual, SignatureV4: jest.fn((options: unknown) => new actual.SignatureV4(options)) };
});

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:policy';
const user = { externalUserId: 'alice', isAdmin: false };
const meeting = { MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11', ExternalMeetingId: 'standup', Host: 'hana' };
const full = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' } as const;
const listener = { Audio: 'Receive', Video: 'Receive', Content: 'None' } as const;
const answering =
  (answer: unknown): Invoke =>
  async () =>
    answer;

async function refusal(promise: Promise<unknown>): Promise<[number, string, string]> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof JoinServiceError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return [err.statusCode, err.code, err.message];
}

it('asks nobody for an administrator, or when no function is set (open): the request stands', async () => {
  const invoke = jest.fn();
  expect(await decideAccess(ARN, { isAdmin: true }, meeting, full, invoke)).toBe(full);
  expect(await decideAccess(undefined, user, meeting, full, invoke)).toBe(full);
  expect(invoke).not.toHaveBeenCalled();
});

it('tells the function the caller, the meeting and the request, and nothing else', async () => {
  const invoke = jest.fn(answering({ Allow: true }));
  await decideAccess(ARN, user, meeting, listener, invoke);
  expect(invoke).toHaveBeenCalledWith(ARN, {
    Caller: { ExternalUserId: 'alice' },
    Meeting: meeting,
    RequestedCapabilities: listener,
  });
  await decideAccess(ARN, user, meeting, undefined, invoke);
  expect(invoke).toHaveBeenLastCalledWith(ARN, { Caller: { ExternalUserId: 'alice' }, Meeting: meeting });
});

it('refuses a denied user with 403', async () => {
  expect(await refusal(decideAccess(ARN, user, meeting, undefined, answering({ Allow: false })))).toEqual([
    403,
    'Forbidden',
    "The meeting's access policy does not admit this user",
  ]);
});

it('grants what it answers to a request of none, keeps a request within it, refuses one above it', async () => {
  const grants = answering({ Allow: true, Capabilities: listener });
  expect(await decideAccess(ARN, user, meeting, undefined, grants)).toEqual(listener);
  const below = { Audio: 'Receive', Video: 'None', Content: 'None' } as const;
  expect(await decideAccess(ARN, user, meeting, below, grants)).toBe(below);
  expect(await refusal(decideAccess(ARN, user, meeting, full, grants))).toEqual([
    403,
    'Forbidden',
    "Capabilities.Audio is above what the meeting's access policy grants (Receive)",
  ]);
  // Allowed without capabilities: the request stands as asked.
  expect(await decideAccess(ARN, user, meeting, full, answering({ Allow: true }))).toBe(full);
});

const NOT_A_DECISION = 'meeting access function failed: the answer is not {Allow: boolean, Capabilities?}';
const NOT_CAPABILITIES = "meeting access function failed: the answer's Capabilities are not valid capabilities";
it.each([
  ['throws', async () => Promise.reject(new Error('boom')), 'meeting access function failed: boom'],
  [
    'throws a string',
    async () => Promise.reject('policy store down'),
    'meeting access function failed: policy store down',
  ],
  ['answers nothing', answering(undefined), NOT_A_DECISION],
  ['answers null', answering(null), NOT_A_DECISION],
  ['answers a string', answering('yes'), NOT_A_DECISION],
  ['answers Allow as a string', answering({ Allow: 'true' }), NOT_A_DECISION],
  ['answers no Allow', answering({ Capabilities: listener }), NOT_A_DECISION],
  [
    'answers capabilities of another shape',
    answering({ Allow: true, Capabilities: { Audio: 'Loud' } }),
    NOT_CAPABILITIES,
  ],
  [
    'answers capabilities against the seed rule',
    answering({ Allow: true, Capabilities: { ...listener, Video: 'None', Content: 'Receive' } }),
    NOT_CAPABILITIES,
  ],
] as [string, Invoke, string][])('fails closed (502 UpstreamFailure) when the function %s', async (_, invoke, why) => {
  const err = await decideAccess(ARN, user, meeting, undefined, invoke).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(JoinServiceError);
  expect(err).toMatchObject({ statusCode: 502, code: 'UpstreamFailure' });
  // Why goes to the log (the cause), never to the caller.
  expect((err as Error).cause).toEqual(new Error(why));
  expect((err as Error).message).toBe("The meeting's access policy could not decide");
});

it('cuts the logged reason of a failure to 300 characters', async () => {
  const invoke = async () => Promise.reject(new Error('x'.repeat(400)));
  const err = await decideAccess(ARN, user, meeting, undefined, invoke).catch((e: unknown) => e);
  const prefix = 'meeting access function failed: ';
  expect(((err as Error).cause as Error).message).toBe(prefix + 'x'.repeat(300 - prefix.length));
});

it('orders each capability: None below Send and Receive, both below SendReceive, Send and Receive apart', () => {
  const table = ['None', 'Send', 'Receive', 'SendReceive'].flatMap((asked) =>
    ['None', 'Send', 'Receive', 'SendReceive'].filter((granted) => within(asked, granted)).map((g) => `${asked}<=${g}`),
  );
  expect(table).toEqual([
    'None<=None',
    'None<=Send',
    'None<=Receive',
    'None<=SendReceive',
    'Send<=Send',
    'Send<=SendReceive',
    'Receive<=Receive',
    'Receive<=SendReceive',
    'SendReceive<=SendReceive',
  ]);
});

describe('accessMeetingOf: what the function is told about a meeting of the service', () => {
  const MEETING_ID = meeting.MeetingId;
  const features = { Video: { MaxResolution: 'None' as const } };
  const record = (fields: Partial<MeetingRecord> = {}): MeetingRecord => ({
    externalMeetingId: 'standup',
    generation: 1,
    state: 'live',
    meetingId: MEETING_ID,
    meeting: { MeetingId: MEETING_ID, ExternalMeetingId: 'standup', MeetingFeatures: features },
    host: 'hana',
    ...fields,
  });

  it("names the room, the meeting's features and its host, from the meeting's own record", () => {
    expect(accessMeetingOf(MEETING_ID, record())).toStrictEqual({
      MeetingId: MEETING_ID,
      ExternalMeetingId: 'standup',
      MeetingFeatures: features,
      Host: 'hana',
    });
  });

  it('leaves out the features and the host the record does not hold', () => {
    const bare = { MeetingId: MEETING_ID, ExternalMeetingId: 'standup' };
    expect(accessMeetingOf(MEETING_ID, record({ host: undefined, meeting: { MeetingId: MEETING_ID } }))).toStrictEqual(
      bare,
    );
    expect(accessMeetingOf(MEETING_ID, record({ host: undefined, meeting: undefined }))).toStrictEqual(bare);
  });

  it('tells only the MeetingId when there is no record, or the record holds another meeting', () => {
    expect(accessMeetingOf(MEETING_ID, undefined)).toStrictEqual({ MeetingId: MEETING_ID });
    const other = record({ meetingId: '3c8d6f3b-9b58-4d56-8b6d-1e4d3a1c2b22' });
    expect(accessMeetingOf(MEETING_ID, other)).toStrictEqual({ MeetingId: MEETING_ID });
  });
});

describe("invokeFunction: Lambda's Invoke API through a signed fetch", () => {
  const REGION = 'eu-west-1';
  const FUNCTION_ARN = `arn:aws:lambda:${REGION}:123456789012:function:policy`;
  const PATH = `/2015-03-31/functions/${encodeURIComponent(FUNCTION_ARN)}/invocations`;
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' };
  const payload = { Caller: { ExternalUserId: 'alice' }, Meeting: meeting };
  const saved = { ...process.env };
  let fetched: { url: string; init: RequestInit }[];
  let reply: () => Response;

  /** SHA-256 and HMAC from node:crypto, for the test's own signer. */
  class NodeSha256 {
    private readonly hash;
    constructor(secret?: string | Uint8Array) {
      this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
    }
    update(data: string | Uint8Array) {
      this.hash.update(data);
    }
    async digest() {
      return new Uint8Array(this.hash.digest());
    }
  }

  beforeEach(() => {
    fetched = [];
    reply = () => new Response(JSON.stringify({ Allow: true }), { status: 200 });
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
    delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    delete process.env[ENV.meetingAccessFunction];
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
      fetched.push({ url: String(url), init: init! });
      return reply();
    });
  });
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  it("POSTs the payload to the function's regional endpoint, signed for lambda with the environment's credentials", async () => {
    expect(await invokeFunction(FUNCTION_ARN, payload)).toEqual({ Allow: true });

    expect(fetched).toHaveLength(1);
    const [{ url, init }] = fetched;
    expect(url).toBe(`https://lambda.${REGION}.amazonaws.com${PATH}`);
    expect(init.method).toBe('POST');
    expect(init.body).toBe(JSON.stringify(payload));
    expect(init.signal).toBeInstanceOf(AbortSignal);
    const headers = init.headers as Record<string, string>;
    expect(headers).toMatchObject({
      host: `lambda.${REGION}.amazonaws.com`,
      'content-type': 'application/json',
      'x-amz-invocation-type': 'RequestResponse',
      'x-amz-security-token': 'session',
    });
    // The same request signed independently, at the same instant, gives the same signature.
    const date = headers['x-amz-date'];
    const signingDate = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    const { SignatureV4: RealSignatureV4 } = jest.requireActual('@smithy/signature-v4');
    const verifier = new RealSignatureV4({ service: 'lambda', region: REGION, sha256: NodeSha256, credentials });
    const expected = await verifier.sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: `lambda.${REGION}.amazonaws.com`,
        path: PATH,
        query: {},
        headers: {
          host: `lambda.${REGION}.amazonaws.com`,
          'content-type': 'application/json',
          'x-amz-invocation-type': 'RequestResponse',
        },
        body: JSON.stringify(payload),
      },
      { signingDate },
    );
    expect(headers.authorization).toBe(expected.headers.authorization);
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-invocation-type;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it('calls AWS_ENDPOINT_URL_LAMBDA instead when it is set (local runs), with its port', async () => {
    process.env.AWS_ENDPOINT_URL_LAMBDA = 'http://127.0.0.1:40123';
    await invokeFunction(FUNCTION_ARN, payload);
    expect(fetched[0].url).toBe(`http://127.0.0.1:40123${PATH}`);
    expect((fetched[0].init.headers as Record<string, string>).host).toBe('127.0.0.1:40123');
  });

  it('builds one signer per region and reuses it', async () => {
    const built = () =>
      (SignatureV4 as unknown as jest.Mock).mock.calls.filter(([options]) => options.region === 'ap-southeast-2');
    const arn = 'arn:aws:lambda:ap-southeast-2:123456789012:function:policy';
    await invokeFunction(arn, payload);
    await invokeFunction(arn, payload);
    expect(built()).toHaveLength(1);
    expect(built()[0][0]).toMatchObject({ service: 'lambda', region: 'ap-southeast-2' });
    expect(fetched).toHaveLength(2);
  });

  it.each([
    [
      'an ARN that names no region',
      () => invokeFunction('arn:aws:lambda::123456789012:function:policy', payload),
      'the function ARN names no region',
    ],
    [
      'no credentials in the environment',
      () => {
        delete process.env.AWS_ACCESS_KEY_ID;
        return invokeFunction(FUNCTION_ARN, payload);
      },
      'no credentials in the environment',
    ],
  ])('fails without calling Lambda for %s', async (_, run, message) => {
    await expect(run()).rejects.toThrow(new Error(message));
    expect(fetched).toEqual([]);
  });

  it('fails when Lambda answers other than 200', async () => {
    reply = () => new Response(JSON.stringify({ Allow: true }), { status: 429 });
    await expect(invokeFunction(FUNCTION_ARN, payload)).rejects.toThrow(new Error('Invoke answered 429'));
  });

  it('fails when the function failed (X-Amz-Function-Error), naming the error in at most 40 characters', async () => {
    const answer = JSON.stringify({ errorMessage: 'boom', errorType: 'Error' });
    reply = () => new Response(answer, { status: 200, headers: { 'x-amz-function-error': 'Unhandled' } });
    await expect(invokeFunction(FUNCTION_ARN, payload)).rejects.toThrow(new Error('the function failed (Unhandled)'));
    reply = () => new Response(answer, { status: 200, headers: { 'x-amz-function-error': 'E'.repeat(50) } });
    await expect(invokeFunction(FUNCTION_ARN, payload)).rejects.toThrow(
      new Error(`the function failed (${'E'.repeat(40)})`),
    );
  });
});
