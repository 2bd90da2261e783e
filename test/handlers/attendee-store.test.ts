// The attendee store's error paths, tested on the store itself with a mocked DynamoDB: a DynamoDB failure that is
// not a failed condition is never mistaken for one (swallowed, or answered as "stale"), and the join's conditional
// write gives up after its attempts instead of looping.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type AttendeeMapping,
  mappingOf,
  readmitUser,
  recordJoin,
  recordPresence,
  recordRemoved,
} from '../../lambda/shared/attendee-store';
import { ATTENDEE_ID, MEETING_ID, NOW, NOW_SECONDS, OTHER_ATTENDEE_ID, testDeps, TTL_SECONDS } from './fixtures';

const dynamodb = mockClient(DynamoDBClient);
const meta = { $metadata: {} };
const conditionFailed = () =>
  new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' });
const throttled = () => new ProvisionedThroughputExceededException({ ...meta, message: 'Rate of requests exceeded' });
const key = { externalUserId: 'alice', meetingId: MEETING_ID };
const mapping: AttendeeMapping = {
  externalUserId: 'alice',
  meetingId: MEETING_ID,
  attendeeId: ATTENDEE_ID,
  createdAt: NOW.toISOString(),
  expiresAt: NOW_SECONDS + TTL_SECONDS,
};

beforeEach(() => dynamodb.reset());

describe('a DynamoDB failure that is not a failed condition is thrown, never taken for one', () => {
  it('recordJoin: thrown at the first write, without reading the item or writing again', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(recordJoin(testDeps(), mapping)).rejects.toThrow('Rate of requests exceeded');
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('recordRemoved: thrown, without the second write that records the removal only', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(recordRemoved(testDeps(), key, ATTENDEE_ID)).rejects.toThrow('Rate of requests exceeded');
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('recordPresence: thrown, not answered as "stale"', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(recordPresence(testDeps(), key, ATTENDEE_ID, 'Joined', NOW.getTime())).rejects.toThrow(
      'Rate of requests exceeded',
    );
  });

  it('readmitUser: thrown (only a failed condition means "was not banned")', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(readmitUser(testDeps(), key)).rejects.toThrow('Rate of requests exceeded');
    dynamodb.reset();
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(readmitUser(testDeps(), key)).resolves.toBeUndefined();
  });

  it('an error without a name, or a null thrown, is not a failed condition either', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('odd'), { name: undefined }));
    await expect(readmitUser(testDeps(), key)).rejects.toThrow('odd');
    dynamodb.reset();
    dynamodb.on(UpdateItemCommand).callsFake(() => Promise.reject(null));
    await expect(readmitUser(testDeps(), key)).rejects.toBeNull();
  });

  it('recordPresence: a failed condition is "stale"', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(recordPresence(testDeps(), key, ATTENDEE_ID, 'Joined', NOW.getTime())).resolves.toBe('stale');
  });
});

describe("the join's conditional write", () => {
  it('gives up after three attempts when the item changes under it each time, with the condition failure', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    // Each read finds the item held by yet another attendee.
    let reads = 0;
    dynamodb.on(GetItemCommand).callsFake(async () => ({
      Item: marshall({ ExternalUserId: 'alice', MeetingId: MEETING_ID, AttendeeId: `other-${++reads}` }),
    }));
    await expect(recordJoin(testDeps(), mapping)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(3);
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(2);
    const reads_ = dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input);
    expect(reads_[0]).toEqual({
      TableName: 'attendees',
      Key: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
      ConsistentRead: true,
    });
  });

  it('replaces the attendee the item holds after one conflict, and answers created', async () => {
    dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamodb
      .on(GetItemCommand)
      .resolves({ Item: marshall({ ExternalUserId: 'alice', MeetingId: MEETING_ID, AttendeeId: OTHER_ATTENDEE_ID }) });
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('created');
    const writes = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(writes).toHaveLength(2);
    expect(writes[1].ExpressionAttributeValues?.[':old']).toEqual({ S: OTHER_ATTENDEE_ID });
  });
});

describe('mappingOf', () => {
  const deps = testDeps();
  it.each([
    ['no attendee', undefined],
    ['no AttendeeId', { ExternalUserId: 'alice' }],
    ['an empty AttendeeId', { AttendeeId: '', ExternalUserId: 'alice' }],
    ['no ExternalUserId', { AttendeeId: ATTENDEE_ID }],
    ['an empty ExternalUserId', { AttendeeId: ATTENDEE_ID, ExternalUserId: '' }],
  ])('refuses an attendee from Chime with %s', (_, attendee) => {
    expect(() => mappingOf(MEETING_ID, attendee, undefined, deps)).toThrow('Chime returned an attendee without ids');
  });

  it('stamps the mapping with the clock and the TTL', () => {
    const attendee = { AttendeeId: ATTENDEE_ID, ExternalUserId: 'alice', JoinToken: 'secret' };
    expect(mappingOf(MEETING_ID, attendee, [{ Key: 'k', Value: 'v' }], deps)).toEqual({
      externalUserId: 'alice',
      meetingId: MEETING_ID,
      attendeeId: ATTENDEE_ID,
      capabilities: undefined,
      tags: [{ Key: 'k', Value: 'v' }],
      createdAt: NOW.toISOString(),
      expiresAt: NOW_SECONDS + TTL_SECONDS,
    });
  });
});
