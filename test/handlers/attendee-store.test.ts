// The attendee store, tested on the store itself with a mocked DynamoDB: the exact requests it sends (keys,
// expressions, names, values, consistent reads), how it maps items back, its error paths (a DynamoDB failure that is
// not a failed condition is never mistaken for one: swallowed, or answered as "stale") and its loops (the join's
// conditional write gives up after its attempts, pages are followed, batches of 25 are retried with backoff).
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type AttendeeMapping,
  attendeeRemoved,
  countConnected,
  deleteMeetingMappings,
  findMeetingMapping,
  isBanned,
  isMember,
  listMeetingMappings,
  listUserMappings,
  MEETING_ENDED_MARKER,
  mappingOf,
  readmitUser,
  recordJoin,
  recordJoins,
  recordPresence,
  recordRemoved,
  userBanned,
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
afterEach(() => jest.restoreAllMocks());

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

  it('recordPresence: a failed condition is "stale" when the item holds another presence', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    dynamodb.on(GetItemCommand).resolves({ Item: presenceItem(ATTENDEE_ID, 'Left', NOW.getTime() + 1) });
    await expect(recordPresence(testDeps(), key, ATTENDEE_ID, 'Joined', NOW.getTime())).resolves.toBe('stale');
    expect(dynamodb.commandCalls(GetItemCommand).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'attendees',
        Key: marshall({ ExternalUserId: 'alice', MeetingId: MEETING_ID }),
        ConsistentRead: true,
      },
    ]);
  });
});

/** An item whose presence is the given attendee's state since a time (as recordPresence writes it). */
const presenceItem = (attendeeId: string, state: string, since: number) =>
  marshall({
    ExternalUserId: 'alice',
    MeetingId: MEETING_ID,
    AttendeeId: attendeeId,
    PresenceAttendeeId: attendeeId,
    PresenceState: state,
    PresenceSince: since,
    PresenceRank: 1,
  });

describe('recordPresence: an event the table already holds (a duplicate, or a retry after a failed republish)', () => {
  const record = () => recordPresence(testDeps(), key, ATTENDEE_ID, 'Joined', NOW.getTime());
  beforeEach(() => dynamodb.on(UpdateItemCommand).rejects(conditionFailed()));

  it('is "applied": the table holds its presence, so the event function republishes it', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: presenceItem(ATTENDEE_ID, 'Joined', NOW.getTime()) });
    await expect(record()).resolves.toBe('applied');
  });

  it.each([
    ['another state at the same time', presenceItem(ATTENDEE_ID, 'Left', NOW.getTime())],
    ['the same state at another time', presenceItem(ATTENDEE_ID, 'Joined', NOW.getTime() - 1)],
    ["another attendee's presence", presenceItem(OTHER_ATTENDEE_ID, 'Joined', NOW.getTime())],
    ['no item', undefined],
  ])('is "stale" when the item holds %s', async (_what, Item) => {
    dynamodb.on(GetItemCommand).resolves({ Item });
    await expect(record()).resolves.toBe('stale');
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

/** The store's requests of each kind, as sent. */
const updates = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
const gets = () => dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input);
const deletes = () => dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input);
const queries = () => dynamodb.commandCalls(QueryCommand).map((c) => c.args[0].input);
const batchWrites = () => dynamodb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input);
const itemKey = (externalUserId: string) => ({ ExternalUserId: { S: externalUserId }, MeetingId: { S: MEETING_ID } });
const markerKey = itemKey(MEETING_ENDED_MARKER);
const notRemoved =
  'attribute_not_exists(#banned) AND (attribute_not_exists(#removed) OR NOT contains(#removed, :a)) AND ' +
  '(attribute_not_exists(#removing) OR NOT contains(#removing, :a) OR #since < :stale)';
/** The names every join's write uses, whatever the answer held. */
const joinNames = {
  '#a': 'AttendeeId',
  '#exp': 'ExpiresAt',
  '#created': 'CreatedAt',
  '#removed': 'RemovedAttendeeIds',
  '#removing': 'RemovingAttendeeIds',
  '#since': 'RemovingSince',
  '#banned': 'BannedAt',
};
const STALE_BEFORE = NOW.getTime() - 60_000;
const joinValues = (expiresAt: number) => ({
  ':a': { S: ATTENDEE_ID },
  ':exp': { N: String(expiresAt) },
  ':stale': { N: String(STALE_BEFORE) },
  ':created': { S: NOW.toISOString() },
});

describe("recordJoin's writes", () => {
  it('writes a new mapping on condition the item maps this attendee or none, and answers created', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('created');
    expect(updates()).toEqual([
      {
        TableName: 'attendees',
        Key: itemKey('alice'),
        UpdateExpression: 'SET #a = :a, #exp = :exp, #created = if_not_exists(#created, :created)',
        ConditionExpression: `(#a = :a OR attribute_not_exists(#a)) AND ${notRemoved}`,
        ExpressionAttributeNames: joinNames,
        ExpressionAttributeValues: joinValues(NOW_SECONDS + TTL_SECONDS),
        ReturnValues: 'UPDATED_OLD',
      },
    ]);
  });

  it('answers unchanged when the item mapped this attendee already (a re-join)', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { AttendeeId: { S: ATTENDEE_ID } } });
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('unchanged');
  });

  it("writes the mapping's own ExpiresAt, and the clock's TTL when it has none", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await recordJoin(testDeps(), { ...mapping, expiresAt: 1234 });
    await recordJoin(testDeps(), { ...mapping, expiresAt: undefined });
    expect(updates().map((input) => input.ExpressionAttributeValues?.[':exp'])).toEqual([
      { N: '1234' },
      { N: String(NOW_SECONDS + TTL_SECONDS) },
    ]);
  });

  it('keeps capabilities and tags a re-join finds, and records only the three capability names', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const capabilities = { Audio: 'SendReceive', Video: undefined, Extra: 'x' } as never;
    await recordJoin(testDeps(), { ...mapping, capabilities, tags: [{ Key: 'team', Value: 'red' }] });
    const [input] = updates();
    expect(input.UpdateExpression).toBe(
      'SET #a = :a, #exp = :exp, #created = if_not_exists(#created, :created), ' +
        '#caps = if_not_exists(#caps, :caps), #tags = if_not_exists(#tags, :tags)',
    );
    expect(input.ExpressionAttributeNames).toEqual({ ...joinNames, '#caps': 'Capabilities', '#tags': 'Tags' });
    expect(input.ExpressionAttributeValues?.[':caps']).toEqual({ M: { Audio: { S: 'SendReceive' } } });
    expect(input.ExpressionAttributeValues?.[':tags']).toEqual({
      L: [{ M: { Key: { S: 'team' }, Value: { S: 'red' } } }],
    });
  });

  it('replaces another attendee: sets every field, records the old one as removed, drops what this answer lacks', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed())
      // UPDATED_OLD answers the replaced attendee's id: still a new mapping.
      .resolves({ Attributes: { AttendeeId: { S: OTHER_ATTENDEE_ID } } });
    dynamodb.on(GetItemCommand).resolves({ Item: { ...itemKey('alice'), AttendeeId: { S: OTHER_ATTENDEE_ID } } });
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('created');
    expect(updates()[1]).toEqual({
      TableName: 'attendees',
      Key: itemKey('alice'),
      UpdateExpression: 'SET #a = :a, #exp = :exp, #created = :created ADD #removed :oldIds REMOVE #caps, #tags',
      ConditionExpression: `#a = :old AND ${notRemoved}`,
      ExpressionAttributeNames: { ...joinNames, '#caps': 'Capabilities', '#tags': 'Tags' },
      ExpressionAttributeValues: {
        ...joinValues(NOW_SECONDS + TTL_SECONDS),
        ':old': { S: OTHER_ATTENDEE_ID },
        ':oldIds': { SS: [OTHER_ATTENDEE_ID] },
      },
      ReturnValues: 'UPDATED_OLD',
    });
  });

  it('writes the first form again when the item is gone by the time it is read', async () => {
    dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamodb.on(GetItemCommand).resolves({});
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('created');
    const writes = updates();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toEqual(writes[0]);
  });

  it('writes the first form again when the item maps this attendee by the time it is read', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { AttendeeId: { S: ATTENDEE_ID } } });
    dynamodb.on(GetItemCommand).resolves({ Item: { ...itemKey('alice'), AttendeeId: { S: ATTENDEE_ID } } });
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('unchanged');
    const writes = updates();
    expect(writes[1]).toEqual(writes[0]);
  });

  it('takes an AttendeeId that is not a string for no attendee (the first form again)', async () => {
    dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamodb.on(GetItemCommand).resolves({ Item: { ...itemKey('alice'), AttendeeId: { N: '7' } } });
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('created');
    expect(updates()[1].ConditionExpression).toBe(`(#a = :a OR attribute_not_exists(#a)) AND ${notRemoved}`);
  });

  it('refuses a banned user with 403, found when the write failed its condition', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    dynamodb.on(GetItemCommand).resolves({ Item: { ...itemKey('alice'), BannedAt: { N: '1' } } });
    await expect(recordJoin(testDeps(), mapping)).rejects.toEqual(userBanned());
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  const beingRemoved = (ids: string[], since: number) => ({
    Item: {
      ...itemKey('alice'),
      AttendeeId: { S: OTHER_ATTENDEE_ID },
      RemovingAttendeeIds: { SS: ids },
      RemovingSince: { N: String(since) },
    },
  });

  it('refuses (409) an attendee whose removal started a minute ago or less', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    dynamodb.on(GetItemCommand).resolves(beingRemoved([ATTENDEE_ID], STALE_BEFORE));
    await expect(recordJoin(testDeps(), mapping)).rejects.toEqual(attendeeRemoved());
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('replaces the attendee when the removal of this one is older than a minute (stale)', async () => {
    dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamodb.on(GetItemCommand).resolves(beingRemoved([ATTENDEE_ID], STALE_BEFORE - 1));
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('created');
    expect(updates()[1].ExpressionAttributeValues?.[':old']).toEqual({ S: OTHER_ATTENDEE_ID });
  });

  it('replaces the attendee when the removal under way is of another attendee', async () => {
    dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamodb.on(GetItemCommand).resolves(beingRemoved([OTHER_ATTENDEE_ID], NOW.getTime()));
    await expect(recordJoin(testDeps(), mapping)).resolves.toBe('created');
    expect(updates()[1].ExpressionAttributeValues?.[':old']).toEqual({ S: OTHER_ATTENDEE_ID });
  });
});

describe('recordJoins', () => {
  const mappings = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ...mapping, externalUserId: `user-${i}`, attendeeId: `attendee-${i}` }));
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('writes at most 25 joins at once', async () => {
    let inFlight = 0;
    let most = 0;
    dynamodb.on(UpdateItemCommand).callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
      return {};
    });
    const outcomes = await recordJoins(testDeps(), mappings(30));
    expect([...outcomes.values()]).toEqual(Array(30).fill('created'));
    expect(most).toBe(25);
  });

  it('starts no new write after a write failed for another reason than a refusal', async () => {
    dynamodb.on(UpdateItemCommand).callsFake(async (input) => {
      if (input.Key.ExternalUserId.S === 'user-0') throw throttled();
      await tick();
      return {};
    });
    await expect(recordJoins(testDeps(), mappings(30))).rejects.toThrow('Rate of requests exceeded');
    // The writes under way when it failed finish; none of the last five starts.
    for (let i = 0; i < 5; i++) await tick();
    expect(updates().map((input) => input.Key?.ExternalUserId.S)).toEqual(mappings(25).map((m) => m.externalUserId));
  });
});

describe('recordRemoved', () => {
  const removalValues = { ':ids': { SS: [ATTENDEE_ID] }, ':exp': { N: String(NOW_SECONDS + TTL_SECONDS) } };
  const removalNames = { '#removed': 'RemovedAttendeeIds', '#removing': 'RemovingAttendeeIds', '#exp': 'ExpiresAt' };
  /** The first write fails its condition; the second answers `old` (the item before it, ALL_OLD). */
  const notMapped = (old: object) => dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolvesOnce(old);
  const marker = { Item: { ...markerKey, EndedAt: { S: NOW.toISOString() } } };

  it('removes the mapping of this attendee and records it as removed, in one conditional write', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await expect(recordRemoved(testDeps(), key, ATTENDEE_ID)).resolves.toBe('applied');
    expect(updates()).toEqual([
      {
        TableName: 'attendees',
        Key: itemKey('alice'),
        UpdateExpression: 'ADD #removed :ids DELETE #removing :ids SET #exp = :exp REMOVE #a, #caps, #tags, #created',
        ConditionExpression: '#a = :a',
        ExpressionAttributeNames: {
          ...removalNames,
          '#a': 'AttendeeId',
          '#caps': 'Capabilities',
          '#tags': 'Tags',
          '#created': 'CreatedAt',
        },
        ExpressionAttributeValues: { ...removalValues, ':a': { S: ATTENDEE_ID } },
      },
    ]);
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('records the removal only when the item maps another attendee, without looking for the end marker', async () => {
    notMapped({ Attributes: { ...itemKey('alice'), AttendeeId: { S: OTHER_ATTENDEE_ID } } });
    dynamodb.on(GetItemCommand).resolves(marker);
    await expect(recordRemoved(testDeps(), key, ATTENDEE_ID)).resolves.toBe('applied');
    expect(updates()[1]).toEqual({
      TableName: 'attendees',
      Key: itemKey('alice'),
      UpdateExpression: 'ADD #removed :ids DELETE #removing :ids SET #exp = :exp',
      ExpressionAttributeNames: removalNames,
      ExpressionAttributeValues: removalValues,
      ReturnValues: 'ALL_OLD',
    });
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('keeps the new item when the meeting has not ended (no end marker)', async () => {
    notMapped({});
    dynamodb.on(GetItemCommand).resolves({});
    await expect(recordRemoved(testDeps(), key, ATTENDEE_ID)).resolves.toBe('applied');
    expect(gets()).toEqual([{ TableName: 'attendees', Key: markerKey, ConsistentRead: true }]);
    expect(dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('takes the new item back when the meeting has ended, on condition it maps no attendee, and answers stale', async () => {
    notMapped({});
    dynamodb.on(GetItemCommand).resolves(marker);
    dynamodb.on(DeleteItemCommand).resolves({});
    await expect(recordRemoved(testDeps(), key, ATTENDEE_ID)).resolves.toBe('stale');
    expect(deletes()).toEqual([
      {
        TableName: 'attendees',
        Key: itemKey('alice'),
        ConditionExpression: 'attribute_not_exists(#a)',
        ExpressionAttributeNames: { '#a': 'AttendeeId' },
      },
    ]);
  });

  it('answers stale when a join mapped an attendee there meanwhile (the delete fails its condition)', async () => {
    notMapped({});
    dynamodb.on(GetItemCommand).resolves(marker);
    dynamodb.on(DeleteItemCommand).rejects(conditionFailed());
    await expect(recordRemoved(testDeps(), key, ATTENDEE_ID)).resolves.toBe('stale');
  });

  it('throws when taking the item back fails for another reason', async () => {
    notMapped({});
    dynamodb.on(GetItemCommand).resolves(marker);
    dynamodb.on(DeleteItemCommand).rejects(throttled());
    await expect(recordRemoved(testDeps(), key, ATTENDEE_ID)).rejects.toThrow('Rate of requests exceeded');
  });
});

describe('recordPresence', () => {
  const marker = { Item: { ...markerKey, EndedAt: { S: NOW.toISOString() } } };
  const record = () => recordPresence(testDeps(), key, ATTENDEE_ID, 'Dropped', NOW.getTime());

  it('writes the presence on condition it is newer, of the mapped attendee, not removed', async () => {
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { PresenceState: { S: 'Joined' } } });
    dynamodb.on(GetItemCommand).resolves(marker);
    await expect(record()).resolves.toBe('applied');
    expect(updates()).toEqual([
      {
        TableName: 'attendees',
        Key: itemKey('alice'),
        UpdateExpression: 'SET #pa = :a, #ps = :state, #since = :ts, #rank = :rank, #exp = if_not_exists(#exp, :exp)',
        ConditionExpression:
          '(attribute_not_exists(#removed) OR NOT contains(#removed, :a)) AND (attribute_not_exists(#a) OR #a = :a) AND ' +
          '(attribute_not_exists(#since) OR #pa <> :a OR #since < :ts OR (#since = :ts AND #rank < :rank))',
        ExpressionAttributeNames: {
          '#pa': 'PresenceAttendeeId',
          '#ps': 'PresenceState',
          '#since': 'PresenceSince',
          '#rank': 'PresenceRank',
          '#exp': 'ExpiresAt',
          '#removed': 'RemovedAttendeeIds',
          '#a': 'AttendeeId',
        },
        ExpressionAttributeValues: {
          ':a': { S: ATTENDEE_ID },
          ':state': { S: 'Dropped' },
          ':ts': { N: String(NOW.getTime()) },
          ':rank': { N: '2' },
          ':exp': { N: String(NOW_SECONDS + TTL_SECONDS) },
        },
        ReturnValues: 'UPDATED_OLD',
      },
    ]);
    // An item that was there already: the end marker is not looked for.
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('keeps a new item (the event beat the join) when the meeting has not ended', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    dynamodb.on(GetItemCommand).resolves({});
    await expect(record()).resolves.toBe('applied');
    expect(gets()).toEqual([{ TableName: 'attendees', Key: markerKey, ConsistentRead: true }]);
    expect(dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('takes a new item back and answers stale when the meeting has ended', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    dynamodb.on(GetItemCommand).resolves(marker);
    dynamodb.on(DeleteItemCommand).resolves({});
    await expect(record()).resolves.toBe('stale');
    expect(deletes()).toEqual([
      {
        TableName: 'attendees',
        Key: itemKey('alice'),
        ConditionExpression: 'attribute_not_exists(#a)',
        ExpressionAttributeNames: { '#a': 'AttendeeId' },
      },
    ]);
  });
});

describe('consistent reads of one user in one meeting', () => {
  it('isBanned reads BannedAt consistently', async () => {
    dynamodb
      .on(GetItemCommand)
      .resolvesOnce({ Item: { BannedAt: { N: '1' } } })
      .resolvesOnce({ Item: {} });
    await expect(isBanned(testDeps(), key)).resolves.toBe(true);
    await expect(isBanned(testDeps(), key)).resolves.toBe(false);
    expect(gets()[0]).toEqual({
      TableName: 'attendees',
      Key: itemKey('alice'),
      ProjectionExpression: '#banned',
      ExpressionAttributeNames: { '#banned': 'BannedAt' },
      ConsistentRead: true,
    });
  });

  it('isMember reads AttendeeId consistently; an item without one (a ban, removal records) is no member', async () => {
    dynamodb
      .on(GetItemCommand)
      .resolvesOnce({ Item: { AttendeeId: { S: ATTENDEE_ID } } })
      .resolvesOnce({ Item: {} })
      .resolvesOnce({});
    await expect(isMember(testDeps(), key)).resolves.toBe(true);
    await expect(isMember(testDeps(), key)).resolves.toBe(false);
    await expect(isMember(testDeps(), key)).resolves.toBe(false);
    expect(gets()[0]).toEqual({
      TableName: 'attendees',
      Key: itemKey('alice'),
      ProjectionExpression: '#a',
      ExpressionAttributeNames: { '#a': 'AttendeeId' },
      ConsistentRead: true,
    });
  });
});

describe('reading mappings back', () => {
  const item = (fields: Record<string, unknown>) =>
    marshall({ ExternalUserId: 'alice', MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID, ...fields });
  const since = NOW.getTime() - 5000;

  it("listUserMappings queries the user's partition, every page, and maps presence only of the mapped attendee", async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          item({
            CreatedAt: 'c1',
            ExpiresAt: 99,
            PresenceAttendeeId: ATTENDEE_ID,
            PresenceState: 'Joined',
            PresenceSince: since,
          }),
        ],
        LastEvaluatedKey: itemKey('alice'),
      })
      .resolvesOnce({
        Items: [
          // The presence of the attendee this one replaced.
          item({ MeetingId: 'm2', CreatedAt: 'c2', PresenceAttendeeId: OTHER_ATTENDEE_ID, PresenceState: 'Joined' }),
          // A presence without its state.
          item({ MeetingId: 'm3', CreatedAt: 'c3', PresenceAttendeeId: ATTENDEE_ID }),
        ],
      });
    const found = await listUserMappings(testDeps(), 'alice');
    const withoutPresence = (meetingId: string, createdAt: string) => ({
      externalUserId: 'alice',
      meetingId,
      attendeeId: ATTENDEE_ID,
      capabilities: undefined,
      tags: undefined,
      createdAt,
      expiresAt: undefined,
    });
    expect(found).toEqual([
      {
        externalUserId: 'alice',
        meetingId: MEETING_ID,
        attendeeId: ATTENDEE_ID,
        presence: { state: 'Joined', since: new Date(since).toISOString() },
        capabilities: undefined,
        tags: undefined,
        createdAt: 'c1',
        expiresAt: 99,
      },
      withoutPresence('m2', 'c2'),
      withoutPresence('m3', 'c3'),
    ]);
    expect(found[1]).not.toHaveProperty('presence');
    expect(found[2]).not.toHaveProperty('presence');
    expect(queries()).toEqual([
      {
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: 'attribute_exists(#a)',
        ExpressionAttributeNames: { '#pk': 'ExternalUserId', '#a': 'AttendeeId' },
        ExpressionAttributeValues: { ':pk': { S: 'alice' } },
        TableName: 'attendees',
        ExclusiveStartKey: undefined,
      },
      expect.objectContaining({ ExclusiveStartKey: itemKey('alice') }),
    ]);
  });

  it('maps an item without its attributes to empty strings and no expiry, never the text "undefined"', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [{}] });
    await expect(listMeetingMappings(testDeps(), MEETING_ID)).resolves.toEqual([
      {
        externalUserId: '',
        meetingId: '',
        attendeeId: '',
        capabilities: undefined,
        tags: undefined,
        createdAt: '',
        expiresAt: undefined,
      },
    ]);
  });

  it('a page without Items holds no mapping', async () => {
    dynamodb.on(QueryCommand).resolves({});
    await expect(listMeetingMappings(testDeps(), MEETING_ID)).resolves.toEqual([]);
  });
});

describe('findMeetingMapping', () => {
  const query = (page: object) => ({
    IndexName: 'byMeeting',
    KeyConditionExpression: '#m = :m',
    FilterExpression: '#a = :a',
    ProjectionExpression: '#pk, #m',
    ExpressionAttributeNames: { '#m': 'MeetingId', '#a': 'AttendeeId', '#pk': 'ExternalUserId' },
    ExpressionAttributeValues: { ':m': { S: MEETING_ID }, ':a': { S: ATTENDEE_ID } },
    TableName: 'attendees',
    ...page,
  });

  it('follows the pages of the index until one holds the attendee, and reads no further', async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: itemKey('bob') })
      .resolvesOnce({ Items: [itemKey('alice')], LastEvaluatedKey: itemKey('alice') })
      .resolves({ Items: [itemKey('carol')] });
    await expect(findMeetingMapping(testDeps(), MEETING_ID, ATTENDEE_ID)).resolves.toEqual(key);
    expect(queries()).toEqual([query({ ExclusiveStartKey: undefined }), query({ ExclusiveStartKey: itemKey('bob') })]);
  });

  it('answers undefined when no page holds the attendee', async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: itemKey('bob') })
      .resolves({ Items: [] });
    await expect(findMeetingMapping(testDeps(), MEETING_ID, ATTENDEE_ID)).resolves.toBeUndefined();
    expect(queries()).toHaveLength(2);
  });
});

describe('deleteMeetingMappings', () => {
  it('deletes every item of the meeting but its end marker, in BatchWriteItem calls of 25', async () => {
    const users = Array.from({ length: 30 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
    dynamodb.on(QueryCommand).resolves({ Items: [markerKey, ...users.map(itemKey)] });
    dynamodb.on(BatchWriteItemCommand).resolves({});
    await deleteMeetingMappings(testDeps(), MEETING_ID);
    expect(queries()).toEqual([
      {
        IndexName: 'byMeeting',
        KeyConditionExpression: '#m = :m',
        ProjectionExpression: '#pk, #m',
        ExpressionAttributeNames: { '#m': 'MeetingId', '#pk': 'ExternalUserId' },
        ExpressionAttributeValues: { ':m': { S: MEETING_ID } },
        TableName: 'attendees',
        ExclusiveStartKey: undefined,
      },
    ]);
    const deletes = users.map((user) => ({ DeleteRequest: { Key: itemKey(user) } }));
    expect(batchWrites()).toEqual([
      { RequestItems: { attendees: deletes.slice(0, 25) } },
      { RequestItems: { attendees: deletes.slice(25) } },
    ]);
  });

  it('waits between the retries of unprocessed items with jittered exponential backoff, at most a second', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [itemKey('bob')] });
    dynamodb.on(BatchWriteItemCommand).callsFake(async (input) => ({ UnprocessedItems: input.RequestItems }));
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const waits: number[] = [];
    jest.spyOn(global, 'setTimeout').mockImplementation(((resolve: () => void, ms: number) => {
      waits.push(ms);
      resolve();
    }) as never);
    await expect(deleteMeetingMappings(testDeps(), MEETING_ID)).rejects.toThrow(
      'BatchWriteItem left 1 items unprocessed after 6 attempts',
    );
    // Half (the jitter) of 100, 200, 400, 800 and 1000 ms.
    expect(waits).toEqual([50, 100, 200, 400, 500]);
  });
});

describe('countConnected', () => {
  it('counts the connected attendees of every page of the meeting', async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Count: 2, LastEvaluatedKey: itemKey('bob') })
      .resolvesOnce({ LastEvaluatedKey: itemKey('carol') })
      .resolvesOnce({ Count: 3 });
    await expect(countConnected(testDeps(), MEETING_ID)).resolves.toBe(5);
    const sent = queries();
    expect(sent[0]).toEqual({
      TableName: 'attendees',
      IndexName: 'byMeeting',
      KeyConditionExpression: '#m = :m',
      FilterExpression: '#ps = :joined AND #pa = #a',
      ExpressionAttributeNames: {
        '#m': 'MeetingId',
        '#ps': 'PresenceState',
        '#pa': 'PresenceAttendeeId',
        '#a': 'AttendeeId',
      },
      ExpressionAttributeValues: { ':m': { S: MEETING_ID }, ':joined': { S: 'Joined' } },
      Select: 'COUNT',
      ExclusiveStartKey: undefined,
    });
    expect(sent.map((q) => q.ExclusiveStartKey)).toEqual([undefined, itemKey('bob'), itemKey('carol')]);
  });
});
