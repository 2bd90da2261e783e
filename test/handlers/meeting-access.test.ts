// The meeting access decision as a unit: who is asked, what the function is told, how its answer bounds the
// capabilities, and that every failure refuses (fails closed). test/e2e/meeting-access-policy.test.ts drives the
// same through HTTP and a stand-in of Lambda's Invoke API.
import { decideAccess, type Invoke, within } from '../../lambda/shared/meeting-access';
import { JoinServiceError } from '../../lambda/shared/errors';

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

it.each([
  ['throws', async () => Promise.reject(new Error('boom'))],
  ['answers null', answering(null)],
  ['answers a string', answering('yes')],
  ['answers Allow as a string', answering({ Allow: 'true' })],
  ['answers no Allow', answering({ Capabilities: listener })],
  ['answers capabilities of another shape', answering({ Allow: true, Capabilities: { Audio: 'Loud' } })],
  [
    'answers capabilities against the seed rule',
    answering({ Allow: true, Capabilities: { ...listener, Video: 'None', Content: 'Receive' } }),
  ],
] as [string, Invoke][])('fails closed (502 UpstreamFailure) when the function %s', async (_, invoke) => {
  const err = await decideAccess(ARN, user, meeting, undefined, invoke).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(JoinServiceError);
  expect(err).toMatchObject({ statusCode: 502, code: 'UpstreamFailure' });
  // Why goes to the log (the cause), never to the caller.
  expect((err as Error).cause).toBeInstanceOf(Error);
  expect((err as Error).message).toBe("The meeting's access policy could not decide");
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
