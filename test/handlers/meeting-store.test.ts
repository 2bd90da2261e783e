// The meeting table's record of a room, tested on the store itself with a mocked DynamoDB: the exact request of each
// write (its expressions, placeholders, values and TTL), what each answers when its condition fails (a race lost),
// that any other DynamoDB failure is thrown and never taken for a failed condition, and how items read back.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  abandonClaim,
  claimNextMeeting,
  clientRequestToken,
  findMeetingRecord,
  isStaleClaim,
  liveMeetings,
  markChecked,
  type MeetingRecord,
  readMeeting,
  recordEnded,
  recordLive,
  takeOverClaim,
} from '../../lambda/shared/meeting-store';
import { MEETING, MEETING_ID, NOW, NOW_SECONDS, testDeps } from './fixtures';

const dynamodb = mockClient(DynamoDBClient);
const meta = { $metadata: {} };
const conditionFailed = () =>
  new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' });
const throttled = () => new ProvisionedThroughputExceededException({ ...meta, message: 'Rate of requests exceeded' });
/** A meeting record's TTL: 48 hours after the write. */
const EXPIRES = NOW_SECONDS + 48 * 60 * 60;
const KEY = { ExternalMeetingId: { S: 'room-a' } };
const REQUEST = { MediaRegion: 'us-east-1' };
const claim: MeetingRecord = {
  externalMeetingId: 'room-a',
  generation: 3,
  state: 'creating',
  creatingSince: NOW.getTime() - 30_000,
  request: REQUEST,
};
const updates = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);

beforeEach(() => dynamodb.reset());

describe('clientRequestToken', () => {
  it('is the first 48 hex digits of SHA-256 over name NUL generation: the same for every request of a generation', () => {
    expect(clientRequestToken('room-a', 3)).toBe('8e67c64e8265ea254e9101007c744897da596622f420ae5d');
    expect(clientRequestToken('room-a', 3)).toHaveLength(48);
    expect(clientRequestToken('room-a', 4)).not.toBe(clientRequestToken('room-a', 3));
  });
});

describe('readMeeting', () => {
  it("reads the room's record consistently, by name", async () => {
    dynamodb.on(GetItemCommand).resolves({
      Item: marshall({ ExternalMeetingId: 'room-a', Generation: 2, State: 'live', MeetingId: MEETING_ID }),
    });
    await expect(readMeeting(testDeps(), 'room-a')).resolves.toEqual({
      externalMeetingId: 'room-a',
      generation: 2,
      state: 'live',
      creatingSince: undefined,
      request: undefined,
      host: undefined,
      meeting: undefined,
      meetingId: MEETING_ID,
      createdAt: undefined,
      endedAt: undefined,
    });
    expect(dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'meetings', Key: KEY, ConsistentRead: true },
    ]);
  });

  it('answers undefined for a room without a record', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    await expect(readMeeting(testDeps(), 'room-a')).resolves.toBeUndefined();
  });

  it('reads a claim with its CreatingSince as a number, and every field of a record back', async () => {
    dynamodb.on(GetItemCommand).resolves({
      Item: marshall({
        ExternalMeetingId: 'room-a',
        Generation: 3,
        State: 'ended',
        CreatingSince: 1234,
        Request: REQUEST,
        HostExternalUserId: 'alice',
        Meeting: MEETING,
        MeetingId: MEETING_ID,
        CreatedAt: '2030-01-01T00:00:00.000Z',
        EndedAt: '2030-01-02T00:00:00.000Z',
      }),
    });
    await expect(readMeeting(testDeps(), 'room-a')).resolves.toEqual({
      externalMeetingId: 'room-a',
      generation: 3,
      state: 'ended',
      creatingSince: 1234,
      request: REQUEST,
      host: 'alice',
      meeting: MEETING,
      meetingId: MEETING_ID,
      createdAt: '2030-01-01T00:00:00.000Z',
      endedAt: '2030-01-02T00:00:00.000Z',
    });
  });

  it('refuses to run without a meeting table configured, naming the setting', async () => {
    await expect(readMeeting(testDeps({ meetingTableName: undefined }), 'room-a')).rejects.toThrow(
      'the meeting table is not configured (MEETING_TABLE_NAME)',
    );
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('claimNextMeeting', () => {
  const CLAIM_NAMES = {
    '#state': 'State',
    '#since': 'CreatingSince',
    '#gen': 'Generation',
    '#request': 'Request',
    '#meetingId': 'MeetingId',
    '#meeting': 'Meeting',
    '#created': 'CreatedAt',
    '#ended': 'EndedAt',
    '#host': 'HostExternalUserId',
    '#exp': 'ExpiresAt',
  };

  it("claims a user's room: the next generation, creating since now, the request, the host, the TTL", async () => {
    dynamodb.on(UpdateItemCommand).resolves({
      Attributes: marshall({
        ExternalMeetingId: 'room-a',
        Generation: 1,
        State: 'creating',
        CreatingSince: NOW.getTime(),
        Request: REQUEST,
        HostExternalUserId: 'alice',
      }),
    });
    await expect(claimNextMeeting(testDeps(), 'room-a', REQUEST, 'alice')).resolves.toEqual({
      externalMeetingId: 'room-a',
      generation: 1,
      state: 'creating',
      creatingSince: NOW.getTime(),
      request: REQUEST,
      host: 'alice',
      meeting: undefined,
      meetingId: undefined,
      createdAt: undefined,
      endedAt: undefined,
    });
    expect(updates()).toEqual([
      {
        TableName: 'meetings',
        Key: KEY,
        UpdateExpression:
          'SET #gen = if_not_exists(#gen, :zero) + :one, #state = :creating, #since = :now, #request = :request, ' +
          '#exp = :exp, #host = :host REMOVE #meetingId, #meeting, #created, #ended',
        ConditionExpression: 'attribute_not_exists(#state) OR #state = :ended',
        ExpressionAttributeNames: CLAIM_NAMES,
        ExpressionAttributeValues: {
          ':creating': { S: 'creating' },
          ':now': { N: String(NOW.getTime()) },
          ':zero': { N: '0' },
          ':one': { N: '1' },
          ':ended': { S: 'ended' },
          ':request': { M: { MediaRegion: { S: 'us-east-1' } } },
          ':exp': { N: String(EXPIRES) },
          ':host': { S: 'alice' },
        },
        ReturnValues: 'ALL_NEW',
      },
    ]);
  });

  it("claims an administrator's room without a host, removing the host of an earlier generation", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    // A create field left undefined is not sent (DynamoDB has no undefined).
    await expect(
      claimNextMeeting(testDeps(), 'room-a', { ...REQUEST, MeetingFeatures: undefined }, undefined),
    ).resolves.toBeUndefined();
    const [update] = updates();
    expect(update.UpdateExpression).toBe(
      'SET #gen = if_not_exists(#gen, :zero) + :one, #state = :creating, #since = :now, #request = :request, ' +
        '#exp = :exp REMOVE #meetingId, #meeting, #created, #ended, #host',
    );
    expect(update.ExpressionAttributeNames).toEqual(CLAIM_NAMES);
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':host');
    expect(update.ExpressionAttributeValues![':request']).toEqual({ M: { MediaRegion: { S: 'us-east-1' } } });
  });

  it('answers undefined when the condition fails: a live meeting, or a claim, holds the room', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(claimNextMeeting(testDeps(), 'room-a', REQUEST, 'alice')).resolves.toBeUndefined();
  });

  it('throws any other DynamoDB failure', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(claimNextMeeting(testDeps(), 'room-a', REQUEST, 'alice')).rejects.toThrow('Rate of requests exceeded');
  });

  it('throws a null rejection as it is, not as a failed condition', async () => {
    dynamodb.on(UpdateItemCommand).callsFake(() => Promise.reject(null));
    await expect(claimNextMeeting(testDeps(), 'room-a', REQUEST, 'alice')).rejects.toBeNull();
  });
});

describe('takeOverClaim', () => {
  it('renews a stale claim of the same generation, only while it is still creating and stale', async () => {
    dynamodb.on(UpdateItemCommand).resolves({
      Attributes: marshall({
        ExternalMeetingId: 'room-a',
        Generation: 3,
        State: 'creating',
        CreatingSince: NOW.getTime(),
      }),
    });
    await expect(takeOverClaim(testDeps(), claim)).resolves.toMatchObject({
      generation: 3,
      state: 'creating',
      creatingSince: NOW.getTime(),
    });
    expect(updates()).toEqual([
      {
        TableName: 'meetings',
        Key: KEY,
        UpdateExpression: 'SET #since = :now',
        ConditionExpression: '#state = :creating AND #gen = :gen AND #since < :stale',
        ExpressionAttributeNames: { '#state': 'State', '#since': 'CreatingSince', '#gen': 'Generation' },
        ExpressionAttributeValues: {
          ':creating': { S: 'creating' },
          ':now': { N: String(NOW.getTime()) },
          ':gen': { N: '3' },
          ':stale': { N: String(NOW.getTime() - 20_000) },
        },
        ReturnValues: 'ALL_NEW',
      },
    ]);
  });

  it('answers undefined when another request took the claim over first', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(takeOverClaim(testDeps(), claim)).resolves.toBeUndefined();
  });
});

describe('isStaleClaim: a claim is taken over after 20 s', () => {
  const at = (state: MeetingRecord['state'], creatingSince: number | undefined) =>
    isStaleClaim({ externalMeetingId: 'room-a', generation: 1, state, creatingSince }, NOW);
  it.each([
    ['a claim made 20.001 s ago', 'creating', NOW.getTime() - 20_001, true],
    ['a claim made exactly 20 s ago', 'creating', NOW.getTime() - 20_000, false],
    ['a claim made 10 s ago', 'creating', NOW.getTime() - 10_000, false],
    ['a claim given up (CreatingSince 0)', 'creating', 0, true],
    ['a claim without CreatingSince', 'creating', undefined, true],
    ['a live record, however old', 'live', 0, false],
    ['an ended record, however old', 'ended', undefined, false],
  ] as const)('%s: %s', (_, state, since, stale) => {
    expect(at(state, since)).toBe(stale);
  });
});

describe('recordLive', () => {
  const meeting = { ...MEETING, ExternalMeetingId: 'room-a', JoinToken: 'never kept' } as typeof MEETING;

  it("records the claim's meeting as live: only Meeting's client fields, CreatedAt, a new TTL; answers true", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await expect(recordLive(testDeps(), claim, meeting)).resolves.toBe(true);
    expect(updates()).toEqual([
      {
        TableName: 'meetings',
        Key: KEY,
        UpdateExpression:
          'SET #state = :live, #meetingId = :meetingId, #meeting = :meeting, #created = :created, #exp = :exp REMOVE #since',
        ConditionExpression: '#gen = :gen AND (#state = :creating OR (#state = :live AND #meetingId = :meetingId))',
        ExpressionAttributeNames: {
          '#state': 'State',
          '#gen': 'Generation',
          '#meetingId': 'MeetingId',
          '#meeting': 'Meeting',
          '#created': 'CreatedAt',
          '#exp': 'ExpiresAt',
          '#since': 'CreatingSince',
        },
        ExpressionAttributeValues: {
          ':live': { S: 'live' },
          ':creating': { S: 'creating' },
          ':gen': { N: '3' },
          ':meetingId': { S: MEETING_ID },
          ':meeting': marshall({ m: { ...MEETING, ExternalMeetingId: 'room-a' } }).m,
          ':created': { S: NOW.toISOString() },
          ':exp': { N: String(EXPIRES) },
        },
      },
    ]);
  });

  it('answers false when the condition fails: the room moved on', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(recordLive(testDeps(), claim, meeting)).resolves.toBe(false);
  });

  it('throws any other DynamoDB failure', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(recordLive(testDeps(), claim, meeting)).rejects.toThrow('Rate of requests exceeded');
  });
});

describe('abandonClaim', () => {
  it('sets CreatingSince to 0 while the generation is still creating, so the next request takes it over at once', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await expect(abandonClaim(testDeps(), claim)).resolves.toBeUndefined();
    expect(updates()).toEqual([
      {
        TableName: 'meetings',
        Key: KEY,
        UpdateExpression: 'SET #since = :zero',
        ConditionExpression: '#gen = :gen AND #state = :creating',
        ExpressionAttributeNames: { '#since': 'CreatingSince', '#gen': 'Generation', '#state': 'State' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':gen': { N: '3' }, ':creating': { S: 'creating' } },
      },
    ]);
  });

  it('does nothing more when the claim moved on meanwhile (a failed condition)', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(abandonClaim(testDeps(), claim)).resolves.toBeUndefined();
  });

  it('throws any other DynamoDB failure', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(abandonClaim(testDeps(), claim)).rejects.toThrow('Rate of requests exceeded');
  });
});

describe('recordEnded', () => {
  const ENDED_AT = new Date('2030-01-03T00:00:00.000Z');

  it('marks the record ended, with EndedAt and a TTL from the end, only while it holds this live meeting', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await expect(recordEnded(testDeps(), 'room-a', MEETING_ID, ENDED_AT)).resolves.toBe(true);
    expect(updates()).toEqual([
      {
        TableName: 'meetings',
        Key: KEY,
        UpdateExpression: 'SET #state = :ended, #endedAt = :now, #exp = :exp',
        ConditionExpression: '#meetingId = :meetingId AND #state = :live',
        ExpressionAttributeNames: {
          '#state': 'State',
          '#endedAt': 'EndedAt',
          '#exp': 'ExpiresAt',
          '#meetingId': 'MeetingId',
        },
        ExpressionAttributeValues: {
          ':ended': { S: 'ended' },
          ':live': { S: 'live' },
          ':now': { S: '2030-01-03T00:00:00.000Z' },
          ':exp': { N: String(ENDED_AT.getTime() / 1000 + 48 * 60 * 60) },
          ':meetingId': { S: MEETING_ID },
        },
      },
    ]);
  });

  it('ends at the clock when no time is given', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await recordEnded(testDeps(), 'room-a', MEETING_ID);
    expect(updates()[0].ExpressionAttributeValues).toMatchObject({
      ':now': { S: NOW.toISOString() },
      ':exp': { N: String(EXPIRES) },
    });
  });

  it('answers false when the record holds another meeting, or it ended already', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(recordEnded(testDeps(), 'room-a', MEETING_ID)).resolves.toBe(false);
  });

  it('throws any other DynamoDB failure', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(recordEnded(testDeps(), 'room-a', MEETING_ID)).rejects.toThrow('Rate of requests exceeded');
  });
});

describe('liveMeetings', () => {
  const item = (name: string, checkedAt?: number) =>
    marshall({
      ExternalMeetingId: name,
      Generation: 1,
      State: 'live',
      MeetingId: `id-${name}`,
      ...(checkedAt !== undefined && { CheckedAt: checkedAt }),
    });

  it('scans every page for live records and answers them least recently checked first (never checked: 0)', async () => {
    const scans: unknown[] = [];
    dynamodb.on(ScanCommand).callsFake(async (input) => {
      scans.push(input);
      return input.ExclusiveStartKey
        ? { Items: [item('c', 5), item('d')] }
        : { Items: [item('a', 30), item('b', 10)], LastEvaluatedKey: KEY };
    });
    const records = await liveMeetings(testDeps());
    expect(records.map((r) => [r.externalMeetingId, r.checkedAt])).toEqual([
      ['d', 0],
      ['c', 5],
      ['b', 10],
      ['a', 30],
    ]);
    expect(records[0]).toMatchObject({ meetingId: 'id-d', state: 'live', generation: 1 });
    const request = {
      TableName: 'meetings',
      FilterExpression: '#state = :live',
      ExpressionAttributeNames: { '#state': 'State' },
      ExpressionAttributeValues: { ':live': { S: 'live' } },
    };
    expect(scans).toEqual([
      { ...request, ExclusiveStartKey: undefined },
      { ...request, ExclusiveStartKey: KEY },
    ]);
  });

  it('answers no records for a page without Items', async () => {
    dynamodb.on(ScanCommand).resolves({});
    await expect(liveMeetings(testDeps())).resolves.toEqual([]);
  });
});

describe('markChecked', () => {
  const record: MeetingRecord = { externalMeetingId: 'room-a', generation: 2, state: 'live', meetingId: MEETING_ID };

  it('stamps CheckedAt with the clock, only while the record holds this live meeting', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await markChecked(testDeps(), record);
    expect(updates()).toEqual([
      {
        TableName: 'meetings',
        Key: KEY,
        UpdateExpression: 'SET #checked = :now',
        ConditionExpression: '#meetingId = :meetingId AND #state = :live',
        ExpressionAttributeNames: { '#checked': 'CheckedAt', '#meetingId': 'MeetingId', '#state': 'State' },
        ExpressionAttributeValues: {
          ':now': { N: String(NOW.getTime()) },
          ':meetingId': { S: MEETING_ID },
          ':live': { S: 'live' },
        },
      },
    ]);
  });

  it('does nothing more when the room moved on (a failed condition)', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(markChecked(testDeps(), record)).resolves.toBeUndefined();
  });

  it('throws any other DynamoDB failure', async () => {
    dynamodb.on(UpdateItemCommand).rejects(throttled());
    await expect(markChecked(testDeps(), record)).rejects.toThrow('Rate of requests exceeded');
  });
});

describe('findMeetingRecord', () => {
  it('queries the byMeetingId index and answers the record found', async () => {
    dynamodb.on(QueryCommand).resolves({
      Items: [marshall({ ExternalMeetingId: 'room-a', Generation: 2, State: 'live', MeetingId: MEETING_ID })],
    });
    await expect(findMeetingRecord(testDeps(), MEETING_ID)).resolves.toMatchObject({
      externalMeetingId: 'room-a',
      meetingId: MEETING_ID,
    });
    expect(dynamodb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: 'meetings',
        IndexName: 'byMeetingId',
        KeyConditionExpression: '#m = :m',
        ExpressionAttributeNames: { '#m': 'MeetingId' },
        ExpressionAttributeValues: { ':m': { S: MEETING_ID } },
      },
    ]);
  });

  it.each([
    ['no Items', {}],
    ['an empty page', { Items: [] }],
  ])('answers undefined for %s', async (_, answer) => {
    dynamodb.on(QueryCommand).resolves(answer);
    await expect(findMeetingRecord(testDeps(), MEETING_ID)).resolves.toBeUndefined();
  });
});
