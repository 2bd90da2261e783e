// Deleting an attendee: the user from Chime (GetAttendee), a removal mark on the mapping's key, Chime's delete, then
// the mapping removed and the attendee recorded as removed. NotFound cleans up only that attendee's mapping; any
// other Chime failure takes the mark back and leaves the mapping.
import {
  ChimeSDKMeetingsClient,
  DeleteAttendeeCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  NotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { JoinServiceOperation } from '../../lib/operations';
import { deleteAttendee } from '../../lambda/delete-attendee';
import { serve } from '../../lambda/shared/http';
import {
  ATTENDEE_ID,
  captureLogs,
  chimeAttendee,
  INDEX,
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
/** Every call to either service, in order. */
let sequence: string[];
beforeEach(() => {
  captureLogs();
  chime.reset();
  dynamodb.reset();
  sequence = [];
  chime.on(GetAttendeeCommand).callsFake(async () => {
    sequence.push('chime:GetAttendee');
    return { Attendee: { ...chimeAttendee('alice'), AttendeeId: ATTENDEE_ID } };
  });
  chime.on(DeleteAttendeeCommand).callsFake(async () => {
    sequence.push('chime:DeleteAttendee');
    return {};
  });
  dynamodb.on(UpdateItemCommand).callsFake(async (input) => {
    sequence.push(`dynamodb:${input.UpdateExpression.split(' ')[0]}${input.ConditionExpression ? '?' : ''}`);
    return {};
  });
});
afterEach(() => jest.restoreAllMocks());

const deleteRequest = () => request({ pathParameters: { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID } });
const remove = () => serve(JoinServiceOperation.DELETE_ATTENDEE, deleteRequest(), (r) => deleteAttendee(r, testDeps()));
const key = { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } };
/** The UpdateItem that records the attendee's removal on alice's mapping, only while it still points at it. */
const REMOVAL = {
  TableName: TABLE,
  Key: key,
  UpdateExpression: 'ADD #removed :ids DELETE #removing :ids SET #exp = :exp REMOVE #a, #caps, #tags, #created',
  ConditionExpression: '#a = :a',
  ExpressionAttributeNames: {
    '#removed': 'RemovedAttendeeIds',
    '#removing': 'RemovingAttendeeIds',
    '#exp': 'ExpiresAt',
    '#a': 'AttendeeId',
    '#caps': 'Capabilities',
    '#tags': 'Tags',
    '#created': 'CreatedAt',
  },
  ExpressionAttributeValues: {
    ':ids': { SS: [ATTENDEE_ID] },
    ':exp': { N: String(NOW_SECONDS + TTL_SECONDS) },
    ':a': { S: ATTENDEE_ID },
  },
};
const updates = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
const meta = { $metadata: {} };

it('answers 204 after marking, deleting in Chime, then removing the mapping on the base table by key', async () => {
  const response = await remove();
  expect(response).toEqual({ statusCode: 204 });
  expect(chime.commandCalls(GetAttendeeCommand)[0].args[0].input).toEqual({
    MeetingId: MEETING_ID,
    AttendeeId: ATTENDEE_ID,
  });
  expect(sequence).toEqual(['chime:GetAttendee', 'dynamodb:ADD', 'chime:DeleteAttendee', 'dynamodb:ADD?']);
  const [mark, removal] = updates();
  expect(mark).toEqual({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'ADD #removing :ids SET #since = :now, #exp = if_not_exists(#exp, :exp)',
    ExpressionAttributeNames: { '#removing': 'RemovingAttendeeIds', '#since': 'RemovingSince', '#exp': 'ExpiresAt' },
    ExpressionAttributeValues: {
      ':ids': { SS: [ATTENDEE_ID] },
      ':now': { N: String(NOW.getTime()) },
      ':exp': { N: String(NOW_SECONDS + TTL_SECONDS) },
    },
  });
  expect(removal).toEqual(REMOVAL);
  expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(0);
});

it("records the removal only, when the item maps another attendee (a newer join's mapping stays)", async () => {
  dynamodb
    .on(UpdateItemCommand)
    .resolvesOnce({})
    .rejectsOnce(new ConditionalCheckFailedException({ ...meta, message: 'failed' }))
    .resolves({ Attributes: { AttendeeId: { S: 'a-newer-attendee' } } });
  expect(await remove()).toEqual({ statusCode: 204 });
  // The item was there (it maps the newer attendee): no look for the meeting's end marker.
  expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  const [, conditional, unconditional] = updates();
  expect(conditional.ConditionExpression).toBe('#a = :a');
  expect(unconditional).toEqual({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'ADD #removed :ids DELETE #removing :ids SET #exp = :exp',
    ExpressionAttributeNames: {
      '#removed': 'RemovedAttendeeIds',
      '#removing': 'RemovingAttendeeIds',
      '#exp': 'ExpiresAt',
    },
    ExpressionAttributeValues: { ':ids': { SS: [ATTENDEE_ID] }, ':exp': { N: String(NOW_SECONDS + TTL_SECONDS) } },
    ReturnValues: 'ALL_OLD',
  });
});

it('takes the mark back and keeps the mapping when Chime fails to delete (throttled): the attendee lives on', async () => {
  chime.on(DeleteAttendeeCommand).rejects(new ThrottlingException({ ...meta, message: 'Rate exceeded' }));
  const response = await remove();
  expect(response.statusCode).toBe(429);
  const calls = updates();
  expect(calls).toHaveLength(2);
  expect(calls[1]).toEqual({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'DELETE #removing :ids',
    ExpressionAttributeNames: { '#removing': 'RemovingAttendeeIds' },
    ExpressionAttributeValues: { ':ids': { SS: [ATTENDEE_ID] } },
  });
});

it('records the removal and answers 404 when Chime says the attendee was already gone at delete time', async () => {
  chime.on(DeleteAttendeeCommand).rejects(new NotFoundException({ ...meta, message: 'Attendee not found' }));
  const response = await remove();
  expect(response.statusCode).toBe(404);
  expect(updates().map((u) => u.UpdateExpression!.split(' ')[0])).toEqual(['ADD', 'ADD']);
  expect(updates()[1].ConditionExpression).toBe('#a = :a');
});

it("cleans up only that attendee's mapping, found through the index, when GetAttendee answers NotFound", async () => {
  chime.on(GetAttendeeCommand).rejects(new NotFoundException({ ...meta, message: 'Attendee not found' }));
  // The mapping is on the second page of the index (the filter left the first page empty).
  dynamodb
    .on(QueryCommand)
    .resolvesOnce({ Items: [], LastEvaluatedKey: key })
    .resolves({ Items: [key] });
  const response = await remove();
  expect(response.statusCode).toBe(404);
  const queries = dynamodb.commandCalls(QueryCommand).map((c) => c.args[0].input);
  expect(queries[0]).toEqual({
    TableName: TABLE,
    IndexName: INDEX,
    KeyConditionExpression: '#m = :m',
    FilterExpression: '#a = :a',
    ProjectionExpression: '#pk, #m',
    ExpressionAttributeNames: { '#m': 'MeetingId', '#a': 'AttendeeId', '#pk': 'ExternalUserId' },
    ExpressionAttributeValues: { ':m': { S: MEETING_ID }, ':a': { S: ATTENDEE_ID } },
    ExclusiveStartKey: undefined,
  });
  expect(queries[1].ExclusiveStartKey).toEqual(key);
  expect(updates()).toHaveLength(1);
  expect(updates()[0]).toEqual(REMOVAL);
  expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);
  expect(dynamodb.commandCalls(BatchWriteItemCommand)).toHaveLength(0);
});

it('answers 404 and writes nothing when GetAttendee answers NotFound and no mapping points at the attendee', async () => {
  chime.on(GetAttendeeCommand).rejects(new NotFoundException({ ...meta, message: 'Attendee not found' }));
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  expect((await remove()).statusCode).toBe(404);
  expect(updates()).toHaveLength(0);
});

it('fails with 500 and leaves Chime untouched when the removal mark cannot be written', async () => {
  dynamodb.on(UpdateItemCommand).rejects(new Error('DynamoDB is unreachable'));
  const response = await remove();
  expect(response.statusCode).toBe(500);
  expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);
});

it('leaves every mapping alone when GetAttendee fails for another reason (throttled): the attendee may live on', async () => {
  chime.on(GetAttendeeCommand).rejects(new ThrottlingException({ ...meta, message: 'Rate exceeded' }));
  dynamodb.on(QueryCommand).resolves({ Items: [key] });
  const response = await remove();
  expect(response.statusCode).toBe(429);
  expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(0);
  expect(updates()).toHaveLength(0);
  expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);
});

it.each([
  ['an attendee without ExternalUserId', { Attendee: { AttendeeId: ATTENDEE_ID } }],
  ['no attendee at all', {}],
])('fails with 500 and writes nothing when Chime returns %s', async (_, answer) => {
  chime.on(GetAttendeeCommand).resolves(answer);
  await expect(deleteAttendee(deleteRequest(), testDeps())).rejects.toThrow(
    'Chime returned an attendee without ExternalUserId',
  );
  const response = await remove();
  expect(response.statusCode).toBe(500);
  expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(0);
  expect(updates()).toHaveLength(0);
  expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);
});

it('asks Chime to delete exactly the attendee named in the path', async () => {
  await remove();
  expect(chime.commandCalls(DeleteAttendeeCommand).map((c) => c.args[0].input)).toEqual([
    { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID },
  ]);
});

it('with ?ban=true bans the user first, then marks, deletes and records the removal', async () => {
  const banned = request({
    pathParameters: { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID },
    queryStringParameters: { ban: 'true' },
  });
  const response = await serve(JoinServiceOperation.DELETE_ATTENDEE, banned, (r) => deleteAttendee(r, testDeps()));
  expect(response).toEqual({ statusCode: 204 });
  expect(sequence).toEqual([
    'chime:GetAttendee',
    'dynamodb:SET',
    'dynamodb:ADD',
    'chime:DeleteAttendee',
    'dynamodb:ADD?',
  ]);
  expect(updates()[0]).toEqual({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'SET #banned = if_not_exists(#banned, :now), #exp = :exp',
    ExpressionAttributeNames: { '#banned': 'BannedAt', '#exp': 'ExpiresAt' },
    ExpressionAttributeValues: {
      ':now': { N: String(NOW.getTime()) },
      ':exp': { N: String(NOW_SECONDS + TTL_SECONDS) },
    },
  });
});

it('refuses a user who is not the meeting host with 403 naming the action, before any call to Chime', async () => {
  // No meeting record names a host: not in the index, and Chime no longer knows the meeting.
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  chime.on(GetMeetingCommand).rejects(new NotFoundException({ ...meta, message: 'Meeting not found' }));
  const byUser = request({
    pathParameters: { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID },
    identity: { externalUserId: 'bob', isAdmin: false },
  });
  const response = await serve(JoinServiceOperation.DELETE_ATTENDEE, byUser, (r) => deleteAttendee(r, testDeps()));
  expect(response.statusCode).toBe(403);
  expect((response.body as { Message: string }).Message).toBe(
    'Only administrators and the meeting host may remove attendees from this meeting',
  );
  expect(sequence).toEqual([]);
});
