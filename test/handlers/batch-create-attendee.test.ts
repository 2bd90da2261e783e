// Batch join: chunks of 100 created one after the other, each chunk's mappings written (25 per call) before
// the next chunk, per-item Errors passed through.
import { JoinServiceOperation } from '../../lib/operations';
import {
  BatchCreateAttendeeCommand,
  type BatchCreateAttendeeCommandInput,
  ChimeSDKMeetingsClient,
  LimitExceededException,
} from '@aws-sdk/client-chime-sdk-meetings';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { batchCreateAttendee } from '../../lambda/batch-create-attendee';
import { serve } from '../../lambda/shared/http';
import {
  captureLogs,
  chimeAttendee,
  MEETING_ID,
  NOW,
  NOW_SECONDS,
  request,
  TABLE,
  testDeps,
  TTL_SECONDS,
} from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
/** Every call to either service, in order, so tests can check what happened before what. */
let sequence: string[];
let created: number;

beforeEach(() => {
  captureLogs();
  chime.reset();
  dynamodb.reset();
  sequence = [];
  created = 0;
  chime.on(BatchCreateAttendeeCommand).callsFake(async (input: BatchCreateAttendeeCommandInput) => {
    sequence.push(`chime:${input.Attendees!.length}`);
    return { Attendees: input.Attendees!.map((a) => chimeAttendee(a.ExternalUserId!, created++)), Errors: [] };
  });
  dynamodb.on(BatchWriteItemCommand).callsFake(async (input) => {
    sequence.push(`dynamodb:${input.RequestItems[TABLE].length}`);
    return {};
  });
});
afterEach(() => jest.restoreAllMocks());

const users = (n: number) => Array.from({ length: n }, (_, i) => ({ ExternalUserId: `user-${i}` }));
const batch = (attendees: object[]) =>
  batchCreateAttendee(request({ body: JSON.stringify({ Attendees: attendees }) }), testDeps());
const writtenItems = () =>
  dynamodb
    .commandCalls(BatchWriteItemCommand)
    .flatMap((c) => c.args[0].input.RequestItems![TABLE].map((r) => r.PutRequest!.Item!));

it('creates 250 attendees in exactly 3 Chime calls and 10 DynamoDB writes, each chunk mapped before the next', async () => {
  const response = await batch(users(250));

  expect(response.statusCode).toBe(200);
  expect(sequence).toEqual([
    'chime:100',
    'dynamodb:25',
    'dynamodb:25',
    'dynamodb:25',
    'dynamodb:25',
    'chime:100',
    'dynamodb:25',
    'dynamodb:25',
    'dynamodb:25',
    'dynamodb:25',
    'chime:50',
    'dynamodb:25',
    'dynamodb:25',
  ]);
  const chunks = chime.commandCalls(BatchCreateAttendeeCommand).map((c) => c.args[0].input);
  expect(chunks.map((c) => c.MeetingId)).toEqual([MEETING_ID, MEETING_ID, MEETING_ID]);
  expect(chunks.flatMap((c) => c.Attendees!.map((a) => a.ExternalUserId))).toEqual(
    users(250).map((u) => u.ExternalUserId),
  );
  expect(
    writtenItems()
      .map((item) => item.ExternalUserId.S)
      .sort(),
  ).toEqual(
    users(250)
      .map((u) => u.ExternalUserId)
      .sort(),
  );
  const body = response.body as { Attendees: { JoinToken: string }[]; Errors: unknown[] };
  expect(body.Attendees).toHaveLength(250);
  expect(body.Errors).toEqual([]);
});

it("stores each item's Tags with its own mapping, never sends Tags to Chime, never stores a JoinToken", async () => {
  await batch([
    { ExternalUserId: 'ann', Tags: [{ Key: 'team', Value: 'red' }] },
    { ExternalUserId: 'bob', Capabilities: { Audio: 'Receive', Video: 'None', Content: 'None' } },
  ]);
  expect(chime.commandCalls(BatchCreateAttendeeCommand)[0].args[0].input.Attendees).toEqual([
    { ExternalUserId: 'ann', Capabilities: undefined },
    { ExternalUserId: 'bob', Capabilities: { Audio: 'Receive', Video: 'None', Content: 'None' } },
  ]);
  const [ann, bob] = writtenItems();
  expect(ann).toEqual({
    ExternalUserId: { S: 'ann' },
    MeetingId: { S: MEETING_ID },
    AttendeeId: { S: chimeAttendee('ann', 0).AttendeeId },
    Capabilities: { M: { Audio: { S: 'SendReceive' }, Video: { S: 'SendReceive' }, Content: { S: 'SendReceive' } } },
    Tags: { L: [{ M: { Key: { S: 'team' }, Value: { S: 'red' } } }] },
    CreatedAt: { S: NOW.toISOString() },
    ExpiresAt: { N: String(NOW_SECONDS + TTL_SECONDS) },
  });
  expect(bob).not.toHaveProperty('Tags');
  expect(JSON.stringify(dynamodb.calls().map((c) => c.args[0].input))).not.toContain('join-token');
});

it('passes per-item Errors through as Chime reports them and maps only the attendees it created', async () => {
  chime.on(BatchCreateAttendeeCommand).resolves({
    Attendees: [chimeAttendee('ann', 1)],
    Errors: [{ ExternalUserId: 'bob', ErrorCode: 'LimitExceeded', ErrorMessage: 'Attendee limit reached' }],
  });
  const response = await batch([{ ExternalUserId: 'ann' }, { ExternalUserId: 'bob' }]);
  expect(response).toEqual({
    statusCode: 200,
    body: {
      Attendees: [chimeAttendee('ann', 1)],
      Errors: [{ ExternalUserId: 'bob', ErrorCode: 'LimitExceeded', ErrorMessage: 'Attendee limit reached' }],
    },
  });
  expect(writtenItems().map((item) => item.ExternalUserId.S)).toEqual(['ann']);
});

it('retries the items DynamoDB leaves unprocessed until all are written', async () => {
  dynamodb
    .on(BatchWriteItemCommand)
    .callsFakeOnce(async (input) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE].slice(0, 3) } }))
    .resolves({});
  const response = await batch(users(10));
  expect(response.statusCode).toBe(200);
  const calls = dynamodb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems![TABLE]);
  expect(calls.map((items) => items.length)).toEqual([10, 3]);
  expect(calls[1]).toEqual(calls[0].slice(0, 3));
});

it('fails the request when items stay unprocessed after every retry', async () => {
  dynamodb
    .on(BatchWriteItemCommand)
    .callsFake(async (input) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE] } }));
  await expect(batch(users(2))).rejects.toThrow(/unprocessed/);
  expect(dynamodb.commandCalls(BatchWriteItemCommand)).toHaveLength(6);
});

it("keeps the first chunk's mappings when the second chunk fails, and answers the mapped error", async () => {
  chime
    .on(BatchCreateAttendeeCommand)
    .callsFakeOnce(async (input: BatchCreateAttendeeCommandInput) => ({
      Attendees: input.Attendees!.map((a) => chimeAttendee(a.ExternalUserId!, created++)),
    }))
    .rejects(new LimitExceededException({ $metadata: {}, Code: 'LimitExceeded', message: 'Attendee limit reached' }));

  const response = await serve(
    JoinServiceOperation.BATCH_CREATE_ATTENDEE,
    request({ body: JSON.stringify({ Attendees: users(150) }) }),
    (r) => batchCreateAttendee(r, testDeps()),
  );

  expect(response.statusCode).toBe(400);
  expect(response.body).toEqual({ Code: 'LimitExceeded', Message: 'Attendee limit reached', RequestId: 'req-1' });
  expect(chime.commandCalls(BatchCreateAttendeeCommand)).toHaveLength(2);
  expect(
    writtenItems()
      .map((item) => item.ExternalUserId.S)
      .sort(),
  ).toEqual(
    users(100)
      .map((u) => u.ExternalUserId)
      .sort(),
  );
});
