// POST /join when the room's meeting ends while the caller joins it (Chime answers CreateAttendee with NotFound):
// the join closes the meeting's record and moves to the room's next meeting; after three ends in one request it
// answers 503 with Retry-After: 1. Mocked clients: the room is held by meetings other requests create, one after
// another (each read of the record finds the next generation live).
import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  NotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { JoinServiceOperation } from '../../lib/operations';
import { joinMeeting } from '../../lambda/join-meeting';
import { MEETING_ENDED_MARKER } from '../../lambda/shared/attendee-store';
import { serve } from '../../lambda/shared/http';
import { captureLogs, chimeAttendee, MEETING, request, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
const meta = { $metadata: {} };
const conditionFailed = () =>
  new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' });
const meetingEnded = () => new NotFoundException({ ...meta, message: 'The meeting has ended' });
/** The MeetingId of the room's generation n. */
const meetingIdOf = (n: number) => `0000000${n}-8a47-4c45-9a5c-0d3c2f0b1a11`;
const meetingOf = (n: number) => ({ ...MEETING, MeetingId: meetingIdOf(n), ExternalMeetingId: 'room-a' });
const alice = chimeAttendee('alice');

let generation: number;
beforeEach(() => {
  captureLogs();
  chime.reset();
  dynamodb.reset();
  generation = 0;
  // The claim fails (a meeting holds the room); each read of the record finds the room's next generation live.
  dynamodb.on(UpdateItemCommand, { TableName: 'meetings', ReturnValues: 'ALL_NEW' }).rejects(conditionFailed());
  dynamodb.on(GetItemCommand, { TableName: 'meetings' }).callsFake(async () => {
    generation++;
    return {
      Item: marshall({
        ExternalMeetingId: 'room-a',
        Generation: generation,
        State: 'live',
        MeetingId: meetingIdOf(generation),
        Meeting: meetingOf(generation),
      }),
    };
  });
  dynamodb.on(GetItemCommand, { TableName: 'attendees' }).resolves({}); // not banned
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  dynamodb.on(UpdateItemCommand, { TableName: 'attendees' }).resolves({});
});
afterEach(() => jest.restoreAllMocks());

const join = () =>
  serve(
    JoinServiceOperation.JOIN_MEETING,
    request({ body: JSON.stringify({ ExternalMeetingId: 'room-a', ExternalUserId: 'alice' }) }),
    (r) => joinMeeting(r, testDeps()),
  );
const attendeesAskedIn = () => chime.commandCalls(CreateAttendeeCommand).map((c) => c.args[0].input.MeetingId);
/** The meetings whose record this request closed (its conditional end of the room's record). */
const recordsEnded = () =>
  dynamodb
    .commandCalls(UpdateItemCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.TableName === 'meetings' && input.UpdateExpression?.startsWith('SET #state = :ended'))
    .map((input) => input.ExpressionAttributeValues![':meetingId'].S);
/** The meetings whose mappings this request ended (their end marker). */
const mappingsEnded = () =>
  dynamodb
    .commandCalls(UpdateItemCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.Key!.ExternalUserId?.S === MEETING_ENDED_MARKER)
    .map((input) => input.Key!.MeetingId.S);

it("moves to the room's next meeting when the live one ended while joining: closes it, then joins the next (201)", async () => {
  chime.on(CreateAttendeeCommand).rejectsOnce(meetingEnded()).resolves({ Attendee: alice });
  const response = await join();
  expect(response.statusCode).toBe(201);
  expect(response.body).toMatchObject({ Meeting: meetingOf(2), Attendee: { AttendeeId: alice.AttendeeId } });
  expect(attendeesAskedIn()).toEqual([meetingIdOf(1), meetingIdOf(2)]);
  expect(recordsEnded()).toEqual([meetingIdOf(1)]);
  expect(mappingsEnded()).toEqual([meetingIdOf(1)]);
});

it('answers 503 ServiceUnavailable with Retry-After: 1 when the room meets its third end in one request', async () => {
  // A fourth attempt would find a meeting that stays.
  chime
    .on(CreateAttendeeCommand)
    .rejectsOnce(meetingEnded())
    .rejectsOnce(meetingEnded())
    .rejectsOnce(meetingEnded())
    .resolves({ Attendee: alice });
  const response = await join();
  expect(response).toEqual({
    statusCode: 503,
    headers: { 'Retry-After': '1' },
    body: {
      Code: 'ServiceUnavailable',
      Message: 'The meeting ended while joining; retry shortly.',
      RequestId: 'req-1',
    },
  });
  expect(attendeesAskedIn()).toEqual([meetingIdOf(1), meetingIdOf(2), meetingIdOf(3)]);
  // Each meeting it met is closed before the answer, so the caller's retry moves on.
  expect(recordsEnded()).toEqual([meetingIdOf(1), meetingIdOf(2), meetingIdOf(3)]);
});

it('leaves the mappings to the request that closed the record: a join that lost that race only moves on', async () => {
  dynamodb
    .on(UpdateItemCommand, {
      TableName: 'meetings',
      UpdateExpression: 'SET #state = :ended, #endedAt = :now, #exp = :exp',
    })
    .rejects(conditionFailed());
  chime.on(CreateAttendeeCommand).rejectsOnce(meetingEnded()).resolves({ Attendee: alice });
  const response = await join();
  expect(response.statusCode).toBe(201);
  expect(recordsEnded()).toEqual([meetingIdOf(1)]);
  expect(mappingsEnded()).toEqual([]);
});

it('answers any other Chime failure of CreateAttendee at once: nothing closed, no second attempt', async () => {
  chime.on(CreateAttendeeCommand).rejects(new ThrottlingException({ ...meta, message: 'Rate exceeded' }));
  const response = await join();
  expect(response).toMatchObject({ statusCode: 429, body: { Code: 'Throttling' } });
  expect(attendeesAskedIn()).toEqual([meetingIdOf(1)]);
  expect(recordsEnded()).toEqual([]);
  expect(mappingsEnded()).toEqual([]);
});
