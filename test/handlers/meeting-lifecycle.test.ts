// What the service does when a meeting ends (closeMeeting), on a mocked DynamoDB: which room's record is closed (the
// one named, else the one the byMeetingId index finds), when the meeting's mappings are ended (always, or with
// `onlyIfClosedHere` only by the call that closed the record), and who may read a meeting (requireMember).
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { MEETING_ENDED_MARKER } from '../../lambda/shared/attendee-store';
import { JoinServiceError } from '../../lambda/shared/errors';
import { closeMeeting, requireMember } from '../../lambda/shared/meeting-lifecycle';
import { MEETING_ID, NOW, request, testDeps } from './fixtures';

const dynamodb = mockClient(DynamoDBClient);
const conditionFailed = () =>
  new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });
const ENDED_AT = new Date('2030-01-03T00:00:00.000Z');

/** Every DynamoDB call, named by table and operation (and the record or marker an UpdateItem writes). */
function calls(): string[] {
  return dynamodb.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: Record<string, any> };
    const { input } = command;
    const name = `${input.TableName}:${command.constructor.name.replace(/Command$/, '')}`;
    if (command.constructor.name !== 'UpdateItemCommand') return name;
    return `${name}(${input.Key.ExternalMeetingId?.S ?? input.Key.ExternalUserId?.S})`;
  });
}
const updateOf = (table: string) =>
  dynamodb
    .commandCalls(UpdateItemCommand)
    .map((c) => c.args[0].input)
    .find((input) => input.TableName === table)!;

beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(QueryCommand).resolves({ Items: [] });
});

describe('closeMeeting', () => {
  it("closes the named room's record and ends the meeting's mappings, without looking the room up", async () => {
    await closeMeeting(testDeps(), MEETING_ID, 'room-a');
    expect(calls()).toEqual([
      'meetings:UpdateItem(room-a)',
      `attendees:UpdateItem(${MEETING_ENDED_MARKER})`,
      'attendees:Query',
    ]);
    // Both at the clock's time, the record only while it holds this meeting.
    expect(updateOf('meetings').ExpressionAttributeValues).toMatchObject({
      ':meetingId': { S: MEETING_ID },
      ':now': { S: NOW.toISOString() },
    });
    expect(updateOf('attendees').ExpressionAttributeValues![':ended']).toEqual({ S: NOW.toISOString() });
  });

  it('closes at the time given: the record and the end marker say when the meeting ended', async () => {
    await closeMeeting(testDeps(), MEETING_ID, 'room-a', { endedAt: ENDED_AT });
    expect(updateOf('meetings').ExpressionAttributeValues![':now']).toEqual({ S: ENDED_AT.toISOString() });
    expect(updateOf('attendees').ExpressionAttributeValues![':ended']).toEqual({ S: ENDED_AT.toISOString() });
  });

  it('finds the room through the byMeetingId index when not named, and closes its record', async () => {
    dynamodb.on(QueryCommand, { TableName: 'meetings' }).resolves({
      Items: [marshall({ ExternalMeetingId: 'room-b', Generation: 1, State: 'live', MeetingId: MEETING_ID })],
    });
    await closeMeeting(testDeps(), MEETING_ID, undefined);
    expect(calls()).toEqual([
      'meetings:Query',
      'meetings:UpdateItem(room-b)',
      `attendees:UpdateItem(${MEETING_ENDED_MARKER})`,
      'attendees:Query',
    ]);
  });

  it("ends the mappings of a meeting no room's record holds, even when only the closing call may clean up", async () => {
    await closeMeeting(testDeps(), MEETING_ID, undefined, { onlyIfClosedHere: true });
    expect(calls()).toEqual(['meetings:Query', `attendees:UpdateItem(${MEETING_ENDED_MARKER})`, 'attendees:Query']);
  });

  it('with onlyIfClosedHere, leaves the mappings to the call that closed the record (its condition failed here)', async () => {
    dynamodb.on(UpdateItemCommand, { TableName: 'meetings' }).rejects(conditionFailed());
    await closeMeeting(testDeps(), MEETING_ID, 'room-a', { onlyIfClosedHere: true });
    expect(calls()).toEqual(['meetings:UpdateItem(room-a)']);
  });

  it('with onlyIfClosedHere, ends the mappings when this call closed the record', async () => {
    await closeMeeting(testDeps(), MEETING_ID, 'room-a', { onlyIfClosedHere: true });
    expect(calls()).toEqual([
      'meetings:UpdateItem(room-a)',
      `attendees:UpdateItem(${MEETING_ENDED_MARKER})`,
      'attendees:Query',
    ]);
  });

  it('without onlyIfClosedHere, ends the mappings even when the record was closed by another call', async () => {
    dynamodb.on(UpdateItemCommand, { TableName: 'meetings' }).rejects(conditionFailed());
    await closeMeeting(testDeps(), MEETING_ID, 'room-a');
    expect(calls()).toEqual([
      'meetings:UpdateItem(room-a)',
      `attendees:UpdateItem(${MEETING_ENDED_MARKER})`,
      'attendees:Query',
    ]);
  });
});

describe('requireMember', () => {
  const user = (externalUserId?: string) => request({ identity: { isAdmin: false, externalUserId } });
  const refusal = new JoinServiceError(403, 'Forbidden', 'Only administrators and members may read this meeting');

  it('admits an administrator without reading anything', async () => {
    await expect(requireMember(testDeps(), request(), MEETING_ID)).resolves.toBeUndefined();
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it("admits a user whose mapping in the meeting holds an attendee, read consistently by the user's key", async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: { AttendeeId: { S: 'a-1' } } });
    await expect(requireMember(testDeps(), user('alice'), MEETING_ID)).resolves.toBeUndefined();
    expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({
      TableName: 'attendees',
      Key: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
      ConsistentRead: true,
    });
  });

  it('refuses (403) a user who holds no attendee in the meeting', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    const refused = requireMember(testDeps(), user('alice'), MEETING_ID);
    await expect(refused).rejects.toEqual(refusal);
    await expect(refused).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
  });

  it('refuses (403) a caller without an ExternalUserId, without reading anything', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: { AttendeeId: { S: 'a-1' } } });
    const refused = requireMember(testDeps(), user(undefined), MEETING_ID);
    await expect(refused).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden', message: refusal.message });
    expect(dynamodb.calls()).toHaveLength(0);
  });
});
