// A user's meetings, read from the table alone: every page, expired mappings skipped.
import { ChimeSDKMeetingsClient } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { listUserAttendees } from '../../lambda/list-user-attendees';
import { ATTENDEE_ID, MEETING_ID, NOW_SECONDS, OTHER_ATTENDEE_ID, request, TABLE, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => {
  chime.reset();
  dynamodb.reset();
});

const OTHER_MEETING_ID = '11111111-2222-4333-8444-555555555555';
const EXPIRED_MEETING_ID = '99999999-8888-4777-8666-555555555555';
const item = (meetingId: string, attendeeId: string, expiresAt: number, extra: object = {}) => ({
  ExternalUserId: { S: 'alice' },
  MeetingId: { S: meetingId },
  AttendeeId: { S: attendeeId },
  Capabilities: { M: { Audio: { S: 'SendReceive' }, Video: { S: 'Receive' }, Content: { S: 'None' } } },
  CreatedAt: { S: '2030-01-01T00:00:00.000Z' },
  ExpiresAt: { N: String(expiresAt) },
  ...extra,
});

it('follows every page, skips mappings whose ExpiresAt has passed, and answers the public fields', async () => {
  const tags = { Tags: { L: [{ M: { Key: { S: 'role' }, Value: { S: 'host' } } }] } };
  dynamodb
    .on(QueryCommand)
    .resolvesOnce({
      Items: [item(MEETING_ID, ATTENDEE_ID, NOW_SECONDS + 1, tags)],
      LastEvaluatedKey: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
    })
    .resolvesOnce({
      Items: [
        item(EXPIRED_MEETING_ID, ATTENDEE_ID, NOW_SECONDS - 1),
        item(OTHER_MEETING_ID, OTHER_ATTENDEE_ID, NOW_SECONDS + 3600),
      ],
    });

  const response = await listUserAttendees(request({ pathParameters: { ExternalUserId: 'alice' } }), testDeps());

  const capabilities = { Audio: 'SendReceive', Video: 'Receive', Content: 'None' };
  expect(response).toEqual({
    statusCode: 200,
    body: {
      Attendees: [
        {
          MeetingId: MEETING_ID,
          AttendeeId: ATTENDEE_ID,
          ExternalUserId: 'alice',
          Capabilities: capabilities,
          Tags: [{ Key: 'role', Value: 'host' }],
          CreatedAt: '2030-01-01T00:00:00.000Z',
        },
        {
          MeetingId: OTHER_MEETING_ID,
          AttendeeId: OTHER_ATTENDEE_ID,
          ExternalUserId: 'alice',
          Capabilities: capabilities,
          Tags: [],
          CreatedAt: '2030-01-01T00:00:00.000Z',
        },
      ],
    },
  });
  const queries = dynamodb.commandCalls(QueryCommand).map((c) => c.args[0].input);
  expect(queries[0]).toEqual({
    TableName: TABLE,
    KeyConditionExpression: '#pk = :pk',
    // Items that only record removed attendees are not mappings.
    FilterExpression: 'attribute_exists(#a)',
    ExpressionAttributeNames: { '#pk': 'ExternalUserId', '#a': 'AttendeeId' },
    ExpressionAttributeValues: { ':pk': { S: 'alice' } },
    ExclusiveStartKey: undefined,
  });
  expect(queries[1].ExclusiveStartKey).toEqual({ ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } });
  expect(chime.calls()).toHaveLength(0);
});

it('answers an empty list for a user without mappings', async () => {
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  const response = await listUserAttendees(request({ pathParameters: { ExternalUserId: 'nobody' } }), testDeps());
  expect(response).toEqual({ statusCode: 200, body: { Attendees: [] } });
});

it('counts a mapping as current until the second its ExpiresAt names, and one without ExpiresAt as current', async () => {
  const { ExpiresAt: _none, ...lasting } = item(OTHER_MEETING_ID, OTHER_ATTENDEE_ID, 0);
  dynamodb.on(QueryCommand).resolves({
    Items: [
      item(EXPIRED_MEETING_ID, ATTENDEE_ID, NOW_SECONDS),
      item(MEETING_ID, ATTENDEE_ID, NOW_SECONDS + 1),
      lasting,
    ],
  });
  const response = await listUserAttendees(request({ pathParameters: { ExternalUserId: 'alice' } }), testDeps());
  const meetings = (response.body as { Attendees: Array<{ MeetingId: string }> }).Attendees.map((a) => a.MeetingId);
  expect(meetings).toEqual([MEETING_ID, OTHER_MEETING_ID]);
});
