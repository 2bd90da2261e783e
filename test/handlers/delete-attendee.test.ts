// Deleting an attendee: Chime first, then its mapping (found through the byMeeting index); NotFound removes
// only that attendee's mapping.
import { JoinServiceOperation } from '../../lib/operations';
import { ChimeSDKMeetingsClient, DeleteAttendeeCommand, NotFoundException } from '@aws-sdk/client-chime-sdk-meetings';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteAttendee } from '../../lambda/delete-attendee';
import { serve } from '../../lambda/shared/http';
import { ATTENDEE_ID, captureLogs, INDEX, MEETING_ID, request, TABLE, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => {
  captureLogs();
  chime.reset();
  dynamodb.reset();
  chime.on(DeleteAttendeeCommand).resolves({});
  dynamodb.on(DeleteItemCommand).resolves({});
});
afterEach(() => jest.restoreAllMocks());

const deleteRequest = () => request({ pathParameters: { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID } });
const remove = () => serve(JoinServiceOperation.DELETE_ATTENDEE, deleteRequest(), (r) => deleteAttendee(r, testDeps()));
const key = { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } };
const expectedDeleteItem = {
  TableName: TABLE,
  Key: key,
  ConditionExpression: '#a = :a',
  ExpressionAttributeNames: { '#a': 'AttendeeId' },
  ExpressionAttributeValues: { ':a': { S: ATTENDEE_ID } },
};

it('answers 204 with no body after deleting the attendee in Chime and then its mapping', async () => {
  // The mapping is on the second page of the index (the filter left the first page empty).
  dynamodb
    .on(QueryCommand)
    .resolvesOnce({ Items: [], LastEvaluatedKey: { ExternalUserId: { S: 'aaron' }, MeetingId: { S: MEETING_ID } } })
    .resolvesOnce({ Items: [key] });

  expect(await remove()).toEqual({ statusCode: 204 });

  const queries = dynamodb.commandCalls(QueryCommand).map((c) => c.args[0].input);
  expect(queries[0]).toMatchObject({
    TableName: TABLE,
    IndexName: INDEX,
    KeyConditionExpression: '#m = :m',
    FilterExpression: '#a = :a',
    ExpressionAttributeValues: { ':m': { S: MEETING_ID }, ':a': { S: ATTENDEE_ID } },
  });
  expect(queries).toHaveLength(2);
  expect(chime.commandCalls(DeleteAttendeeCommand)[0].args[0].input).toEqual({
    MeetingId: MEETING_ID,
    AttendeeId: ATTENDEE_ID,
  });
  expect(dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input)).toEqual([expectedDeleteItem]);
});

it('answers 204 without touching the table when no mapping points at the attendee', async () => {
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  expect((await remove()).statusCode).toBe(204);
  expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(1);
  expect(dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(0);
});

it('answers 204 and leaves a mapping that a newer join has already replaced', async () => {
  dynamodb.on(QueryCommand).resolves({ Items: [key] });
  dynamodb.on(DeleteItemCommand).rejects(new ConditionalCheckFailedException({ $metadata: {}, message: 'failed' }));
  expect((await remove()).statusCode).toBe(204);
});

it("on Chime NotFound removes only this attendee's mapping, never the whole meeting's, and answers 404", async () => {
  dynamodb.on(QueryCommand).resolves({ Items: [key] });
  chime
    .on(DeleteAttendeeCommand)
    .rejects(new NotFoundException({ $metadata: {}, Code: 'NotFound', message: 'Attendee not found' }));

  const response = await remove();

  expect(response.statusCode).toBe(404);
  expect(response.body).toMatchObject({ Code: 'NotFound' });
  expect(dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input)).toEqual([expectedDeleteItem]);
  expect(dynamodb.commandCalls(BatchWriteItemCommand)).toHaveLength(0);
  expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(1);
});

it('stops with 500 before calling Chime when the mapping cannot be looked up', async () => {
  dynamodb.on(QueryCommand).rejects(new Error('DynamoDB is unreachable'));
  const response = await remove();
  expect(response.statusCode).toBe(500);
  expect(chime.calls()).toHaveLength(0);
});
