// Batch join: chunks of 100 created one after the other, each chunk's mappings written (one conditional update per
// attendee, as a single join's) before the next chunk, per-item Errors passed through, and a removed attendee
// reported, not mapped.
import { JoinServiceOperation } from '../../lib/operations';
import {
  BatchCreateAttendeeCommand,
  type BatchCreateAttendeeCommandInput,
  ChimeSDKMeetingsClient,
  LimitExceededException,
  NotFoundException,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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
  // The batch's look for banned users (the byMeeting index, filtered on BannedAt) finds none unless a test says so.
  dynamodb.on(QueryCommand, { FilterExpression: 'attribute_exists(#banned)' }).resolves({ Items: [] });
  sequence = [];
  created = 0;
  chime.on(BatchCreateAttendeeCommand).callsFake(async (input: BatchCreateAttendeeCommandInput) => {
    sequence.push(`chime:${input.Attendees!.length}`);
    return { Attendees: input.Attendees!.map((a) => chimeAttendee(a.ExternalUserId!, created++)), Errors: [] };
  });
  dynamodb.on(UpdateItemCommand).callsFake(async () => {
    sequence.push('dynamodb');
    return {};
  });
});
afterEach(() => jest.restoreAllMocks());

const users = (n: number) => Array.from({ length: n }, (_, i) => ({ ExternalUserId: `user-${i}` }));
const batch = (attendees: object[]) =>
  batchCreateAttendee(request({ body: JSON.stringify({ Attendees: attendees }) }), testDeps());
/** Each update's key and values, as plain objects. */
const writtenItems = () =>
  dynamodb.commandCalls(UpdateItemCommand).map((c) => ({
    ...unmarshall(c.args[0].input.Key!),
    ...unmarshall(c.args[0].input.ExpressionAttributeValues!),
  }));
/** The sequence with runs of DynamoDB updates counted: ['chime:100', 'dynamodb×100', ...]. */
const runs = () =>
  sequence.reduce<string[]>((out, entry) => {
    const last = out[out.length - 1];
    if (entry === 'dynamodb' && last?.startsWith('dynamodb×'))
      out[out.length - 1] = `dynamodb×${Number(last.slice(9)) + 1}`;
    else out.push(entry === 'dynamodb' ? 'dynamodb×1' : entry);
    return out;
  }, []);

it('creates 250 attendees in exactly 3 Chime calls and one conditional write each, each chunk mapped before the next', async () => {
  const response = await batch(users(250));

  expect(response.statusCode).toBe(200);
  expect(runs()).toEqual(['chime:100', 'dynamodb×100', 'chime:100', 'dynamodb×100', 'chime:50', 'dynamodb×50']);
  for (const call of dynamodb.commandCalls(UpdateItemCommand)) {
    expect(call.args[0].input.ConditionExpression).toMatch(/^\(#a = :a OR attribute_not_exists\(#a\)\) AND /);
  }
  const chunks = chime.commandCalls(BatchCreateAttendeeCommand).map((c) => c.args[0].input);
  expect(chunks.map((c) => c.MeetingId)).toEqual([MEETING_ID, MEETING_ID, MEETING_ID]);
  expect(chunks.flatMap((c) => c.Attendees!.map((a) => a.ExternalUserId))).toEqual(
    users(250).map((u) => u.ExternalUserId),
  );
  expect(
    writtenItems()
      .map((item) => item.ExternalUserId)
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
    ExternalUserId: 'ann',
    MeetingId: MEETING_ID,
    ':a': chimeAttendee('ann', 0).AttendeeId,
    ':caps': { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' },
    ':tags': [{ Key: 'team', Value: 'red' }],
    ':created': NOW.toISOString(),
    ':exp': NOW_SECONDS + TTL_SECONDS,
    ':stale': NOW.getTime() - 60_000,
  });
  expect(bob).not.toHaveProperty(':tags');
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
  expect(writtenItems().map((item) => item.ExternalUserId)).toEqual(['ann']);
});

it('answers only the per-item Errors, and writes nothing, when Chime created no attendee (no Attendees field)', async () => {
  chime.on(BatchCreateAttendeeCommand).resolves({
    Errors: [{ ExternalUserId: 'ann', ErrorCode: 'LimitExceeded', ErrorMessage: 'Attendee limit reached' }],
  });
  const response = await batch([{ ExternalUserId: 'ann' }]);
  expect(response).toEqual({
    statusCode: 200,
    body: {
      Attendees: [],
      Errors: [{ ExternalUserId: 'ann', ErrorCode: 'LimitExceeded', ErrorMessage: 'Attendee limit reached' }],
    },
  });
  expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
});

it('answers no Errors when Chime reports none (no Errors field)', async () => {
  chime.on(BatchCreateAttendeeCommand).resolves({ Attendees: [chimeAttendee('ann', 1)] });
  const response = await batch([{ ExternalUserId: 'ann' }]);
  expect(response).toEqual({ statusCode: 200, body: { Attendees: [chimeAttendee('ann', 1)], Errors: [] } });
});

it('reports an attendee removed while the batch ran as a Conflict item, without its token, and maps the rest', async () => {
  const conditionFailed = new ConditionalCheckFailedException({ $metadata: {}, message: 'failed' });
  dynamodb.on(UpdateItemCommand).callsFake(async (input) => {
    if (input.Key.ExternalUserId.S === 'bob') throw conditionFailed;
    return {};
  });
  dynamodb.on(GetItemCommand).callsFake(async (input) => ({
    Item: { ...input.Key, RemovedAttendeeIds: { SS: [chimeAttendee('bob', 1).AttendeeId] } },
  }));
  const response = await batch([{ ExternalUserId: 'ann' }, { ExternalUserId: 'bob' }]);
  expect(response.statusCode).toBe(200);
  const body = response.body as { Attendees: { ExternalUserId: string }[]; Errors: unknown[] };
  expect(body.Attendees.map((a) => a.ExternalUserId)).toEqual(['ann']);
  expect(body.Errors).toEqual([
    {
      ExternalUserId: 'bob',
      ErrorCode: 'Conflict',
      ErrorMessage: 'The attendee was removed while this join ran; join again.',
    },
  ]);
  expect(JSON.stringify(body)).not.toContain(chimeAttendee('bob', 1).JoinToken);
});

it('fails the request (500) when a mapping cannot be written for another reason', async () => {
  dynamodb.on(UpdateItemCommand).rejects(new Error('DynamoDB is unreachable'));
  await expect(batch(users(3))).rejects.toThrow('DynamoDB is unreachable');
});

describe('clean-up of a meeting Chime no longer knows (BatchWriteItem deletes)', () => {
  const notFound = () => new NotFoundException({ $metadata: {}, Code: 'NotFound', message: 'Meeting not found' });
  beforeEach(() => {
    chime.on(BatchCreateAttendeeCommand).rejects(notFound());
    dynamodb.on(QueryCommand).resolves({
      Items: users(10).map((u) => ({ ExternalUserId: { S: u.ExternalUserId }, MeetingId: { S: MEETING_ID } })),
    });
    // The latest matcher wins: the ban lookup's query is answered apart again.
    dynamodb.on(QueryCommand, { FilterExpression: 'attribute_exists(#banned)' }).resolves({ Items: [] });
  });

  it('retries the items DynamoDB leaves unprocessed until all are written', async () => {
    dynamodb
      .on(BatchWriteItemCommand)
      .callsFakeOnce(async (input) => ({ UnprocessedItems: { [TABLE]: input.RequestItems[TABLE].slice(0, 3) } }))
      .resolves({});
    await expect(batch(users(10))).rejects.toBeInstanceOf(NotFoundException);
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
      .map((item) => item.ExternalUserId)
      .sort(),
  ).toEqual(
    users(100)
      .map((u) => u.ExternalUserId)
      .sort(),
  );
});
