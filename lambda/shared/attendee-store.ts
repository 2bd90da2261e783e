/**
 * All access to the attendee table: which Chime attendee each external user is in each meeting. Items are
 * converted with `@aws-sdk/util-dynamodb` (a few KB; the document client of `@aws-sdk/lib-dynamodb` would add its
 * own middleware to every call). The item never holds a JoinToken: there is no field for one.
 *
 * Writes never go back in time. One item per (ExternalUserId, MeetingId) holds the user's current attendee and the
 * attendees of that user in that meeting known to be gone (`RemovedAttendeeIds`) or being removed
 * (`RemovingAttendeeIds`, since `RemovingSince`). Chime hands a user a new attendee only after the previous one was
 * deleted, so an attendee Chime answers with is current unless the item records it as removed; every write is
 * conditional on that, and a write that would bring a removed attendee back is refused (409 for a join).
 */
import type { Attendee, AttendeeCapabilities } from '@aws-sdk/client-chime-sdk-meetings';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ATTENDEE_TABLE, CAPABILITY_NAMES } from '../../lib/contract';
import type { Deps } from './clients';
import { JoinServiceError } from './errors';
import type { Tag } from './validation';

export type StoreDeps = Pick<Deps, 'dynamodb' | 'config'>;
type ClockedStoreDeps = StoreDeps & Pick<Deps, 'now'>;

/** A client's connection, as Chime's events tell it: its latest state and since when. */
export type PresenceState = 'Joined' | 'Left' | 'Dropped';

export interface Presence {
  readonly state: PresenceState;
  /** ISO-8601, the event's timestamp. */
  readonly since: string;
}

export interface AttendeeMapping {
  readonly externalUserId: string;
  readonly meetingId: string;
  readonly attendeeId: string;
  /** The attendee's presence, when an event has told it (absent: never connected). */
  readonly presence?: Presence;
  /** As Chime returned them (Chime fills in its defaults when the request had none). */
  readonly capabilities?: AttendeeCapabilities;
  readonly tags?: readonly Tag[];
  /** ISO-8601. */
  readonly createdAt: string;
  /** Epoch seconds: the table's TTL attribute. */
  readonly expiresAt?: number;
}

/** The table's key of one mapping. */
export interface MappingKey {
  readonly externalUserId: string;
  readonly meetingId: string;
}

/** What a join's write did: a new mapping, or the same attendee again (its lifetime renewed). */
export type JoinOutcome = 'created' | 'unchanged';

const PK = ATTENDEE_TABLE.partitionKey;
const SK = ATTENDEE_TABLE.sortKey;
const MEETING_PK = ATTENDEE_TABLE.meetingIndexPartitionKey;
const EXPIRES_AT = ATTENDEE_TABLE.timeToLiveAttribute;
// The other attribute names of the table's public data contract (README, "The table").
const ATTENDEE_ID = 'AttendeeId';
const CAPABILITIES = 'Capabilities';
const TAGS = 'Tags';
const CREATED_AT = 'CreatedAt';
const REMOVED = 'RemovedAttendeeIds';
const REMOVING = 'RemovingAttendeeIds';
const REMOVING_SINCE = 'RemovingSince';
const PRESENCE_ATTENDEE = 'PresenceAttendeeId';
const PRESENCE_STATE = 'PresenceState';
const PRESENCE_SINCE = 'PresenceSince';
const PRESENCE_RANK = 'PresenceRank';
const ENDED_AT = 'EndedAt';
/** When the user was banned from the meeting (epoch ms); absent: not banned. */
const BANNED_AT = 'BannedAt';
/**
 * The partition key of a meeting's end marker (sort key: the MeetingId). `aws:` begins no ExternalUserId (Chime
 * reserves it, and validation refuses it), so the marker is never a user's item. It lets an event that arrives after
 * the meeting's end, and would write a new item, see that the meeting is gone (see recordPresence).
 */
export const MEETING_ENDED_MARKER = 'aws:meeting-ended';
/** Events of one attendee with the same timestamp are ordered by state, so any order of arrival ends alike. */
const PRESENCE_RANKS: Record<PresenceState, number> = { Joined: 1, Dropped: 2, Left: 3 };

/** BatchWriteItem's limit per call. */
const BATCH_WRITE_SIZE = 25;
/** Calls per batch of 25 before unprocessed items fail the request (the caller's retry then repairs). */
const MAX_BATCH_WRITE_ATTEMPTS = 6;
/** Conditional writes before a mapping that keeps changing under us fails the request. */
const MAX_WRITE_ATTEMPTS = 3;
/** Joins of a batch written at once. */
const BATCH_JOIN_CONCURRENCY = 25;
/**
 * A removal that started this long ago and never finished (its function died between Chime's delete and the
 * table) no longer blocks a join: longer than any function's timeout.
 */
const REMOVAL_STALE_AFTER_MS = 60_000;

/** The error a banned user's join answers, whenever the ban is found (before Chime is called, or at the write). */
export const userBanned = () =>
  new JoinServiceError(403, 'Forbidden', 'This user is banned from this meeting until a host readmits them');

/** The error a join answers when Chime's attendee was removed while the join ran: its token would be dead. */
export const attendeeRemoved = () =>
  new JoinServiceError(409, 'Conflict', 'The attendee was removed while this join ran; join again.');

/** The mapping of an attendee Chime just created or returned, stamped with the clock and the TTL. */
export function mappingOf(
  meetingId: string,
  attendee: Attendee | undefined,
  tags: readonly Tag[] | undefined,
  deps: Pick<Deps, 'config' | 'now'>,
): AttendeeMapping {
  if (!attendee?.AttendeeId || !attendee.ExternalUserId) throw new Error('Chime returned an attendee without ids');
  const now = deps.now();
  return {
    externalUserId: attendee.ExternalUserId,
    meetingId,
    attendeeId: attendee.AttendeeId,
    capabilities: attendee.Capabilities,
    tags,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + deps.config.attendeeTtlSeconds,
  };
}

/**
 * Records a join's answer from Chime. One conditional write in the usual cases:
 * - no mapping (or only records of removed attendees): the mapping is created ('created');
 * - the same attendee: a re-join; its ExpiresAt is renewed, the rest kept ('unchanged');
 * - another attendee, which must be gone since Chime answered with a new one: replaced, and the old one recorded
 *   as removed, on condition the item still holds it ('created');
 * - this attendee recorded as removed or being removed: refused with 409 (attendeeRemoved).
 */
export async function recordJoin(deps: ClockedStoreDeps, mapping: AttendeeMapping): Promise<JoinOutcome> {
  let replacing: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await deps.dynamodb.send(new UpdateItemCommand(joinUpdate(deps, mapping, replacing)));
      if (replacing !== undefined) return 'created';
      return answer.Attributes?.[ATTENDEE_ID] ? 'unchanged' : 'created';
    } catch (err) {
      if (!isConditionalCheckFailed(err) || attempt === MAX_WRITE_ATTEMPTS) throw err;
    }
    const current = await readItem(deps, mapping);
    if (current?.[BANNED_AT] !== undefined) throw userBanned();
    if (isRemoved(current, mapping.attendeeId, deps.now())) throw attendeeRemoved();
    // Held by another attendee: replace it. Absent or ours again (it changed meanwhile): the first form again.
    replacing = current?.[ATTENDEE_ID] === mapping.attendeeId ? undefined : stringOf(current?.[ATTENDEE_ID]);
  }
}

/** Records a batch's answers, each as a single join would; a refused one is reported, not thrown. */
export async function recordJoins(
  deps: ClockedStoreDeps,
  mappings: readonly AttendeeMapping[],
): Promise<Map<AttendeeMapping, JoinOutcome | JoinServiceError>> {
  const outcomes = new Map<AttendeeMapping, JoinOutcome | JoinServiceError>();
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After a failure no new write starts: the request fails, and the caller's retry writes what is missing.
    while (next < mappings.length && !failed) {
      const mapping = mappings[next++];
      try {
        outcomes.set(mapping, await recordJoin(deps, mapping));
      } catch (err) {
        if (err instanceof JoinServiceError) {
          outcomes.set(mapping, err);
          continue;
        }
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_JOIN_CONCURRENCY, mappings.length) }, worker));
  return outcomes;
}

/**
 * Marks an attendee as being removed, before Chime is asked to delete it: from then on no join can record it. The
 * item is created if absent (it then holds no mapping, only the mark).
 */
export async function markRemoving(deps: ClockedStoreDeps, key: MappingKey, attendeeId: string): Promise<void> {
  const now = deps.now();
  await deps.dynamodb.send(
    new UpdateItemCommand({
      TableName: deps.config.tableName,
      Key: keyOf(key),
      UpdateExpression: 'ADD #removing :ids SET #since = :now, #exp = if_not_exists(#exp, :exp)',
      ExpressionAttributeNames: { '#removing': REMOVING, '#since': REMOVING_SINCE, '#exp': EXPIRES_AT },
      ExpressionAttributeValues: {
        ':ids': { SS: [attendeeId] },
        ':now': { N: String(now.getTime()) },
        ':exp': { N: String(expiresAt(deps, now)) },
      },
    }),
  );
}

/** Takes a removal mark back when Chime did not delete the attendee (it lives on, so joins may record it). */
export async function unmarkRemoving(deps: StoreDeps, key: MappingKey, attendeeId: string): Promise<void> {
  await deps.dynamodb.send(
    new UpdateItemCommand({
      TableName: deps.config.tableName,
      Key: keyOf(key),
      UpdateExpression: 'DELETE #removing :ids',
      ExpressionAttributeNames: { '#removing': REMOVING },
      ExpressionAttributeValues: { ':ids': { SS: [attendeeId] } },
    }),
  );
}

/**
 * Records that Chime no longer holds an attendee: its mapping goes (only if it still points at it: a newer join's
 * mapping stays) and the attendee is recorded as removed, so a join that got it from Chime earlier cannot write it
 * back. The record outlives any such join: it expires with the item. 'stale' when the meeting has ended and the
 * item was gone already: nothing is written.
 */
export async function recordRemoved(
  deps: ClockedStoreDeps,
  key: MappingKey,
  attendeeId: string,
): Promise<'applied' | 'stale'> {
  const input = (withMapping: boolean): UpdateItemCommandInput => ({
    TableName: deps.config.tableName,
    Key: keyOf(key),
    UpdateExpression:
      'ADD #removed :ids DELETE #removing :ids SET #exp = :exp' +
      (withMapping ? ' REMOVE #a, #caps, #tags, #created' : ''),
    ...(withMapping && { ConditionExpression: '#a = :a' }),
    ExpressionAttributeNames: {
      '#removed': REMOVED,
      '#removing': REMOVING,
      '#exp': EXPIRES_AT,
      ...(withMapping && { '#a': ATTENDEE_ID, '#caps': CAPABILITIES, '#tags': TAGS, '#created': CREATED_AT }),
    },
    ExpressionAttributeValues: {
      ':ids': { SS: [attendeeId] },
      ':exp': { N: String(expiresAt(deps, deps.now())) },
      ...(withMapping && { ':a': { S: attendeeId } }),
    },
  });
  try {
    await deps.dynamodb.send(new UpdateItemCommand(input(true)));
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    // The item maps another attendee, or none: record the removal only.
    const { Attributes } = await deps.dynamodb.send(
      new UpdateItemCommand({ ...input(false), ReturnValues: 'ALL_OLD' }),
    );
    // A new item, of a meeting that has ended: taken back (its removal record has nothing left to protect).
    if (!Attributes && (await undoIfMeetingEnded(deps, key))) return 'stale';
  }
  return 'applied';
}

/**
 * Records an attendee's presence from one of Chime's events, idempotent and order-tolerant: it is written only if it
 * is newer than the presence recorded for that attendee (by timestamp, then by state for equal timestamps), only for
 * the attendee the item maps (or for any, while the item maps none yet: the event may beat the join's write), and
 * never for an attendee recorded as removed. 'applied' when the table holds this event's presence afterwards: written
 * now, or by an earlier delivery of the same event (Chime's duplicate, or Lambda's retry after the first attempt wrote
 * it and then failed to republish it: the retry republishes it); 'stale' otherwise.
 */
export async function recordPresence(
  deps: ClockedStoreDeps,
  key: MappingKey,
  attendeeId: string,
  state: PresenceState,
  timestampMs: number,
): Promise<'applied' | 'stale'> {
  try {
    const answer = await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.config.tableName,
        Key: keyOf(key),
        UpdateExpression: 'SET #pa = :a, #ps = :state, #since = :ts, #rank = :rank, #exp = if_not_exists(#exp, :exp)',
        ConditionExpression:
          '(attribute_not_exists(#removed) OR NOT contains(#removed, :a)) AND ' +
          '(attribute_not_exists(#a) OR #a = :a) AND ' +
          '(attribute_not_exists(#since) OR #pa <> :a OR #since < :ts OR (#since = :ts AND #rank < :rank))',
        ExpressionAttributeNames: {
          '#pa': PRESENCE_ATTENDEE,
          '#ps': PRESENCE_STATE,
          '#since': PRESENCE_SINCE,
          '#rank': PRESENCE_RANK,
          '#exp': EXPIRES_AT,
          '#removed': REMOVED,
          '#a': ATTENDEE_ID,
        },
        ExpressionAttributeValues: {
          ':a': { S: attendeeId },
          ':state': { S: state },
          ':ts': { N: String(timestampMs) },
          ':rank': { N: String(PRESENCE_RANKS[state]) },
          ':exp': { N: String(expiresAt(deps, deps.now())) },
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    // A new item: the event beat the join's write, or came after the meeting ended and its items were removed.
    if (!answer.Attributes && (await undoIfMeetingEnded(deps, key))) return 'stale';
    return 'applied';
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const item = await readItem(deps, key);
    const holdsThisEvent =
      item?.[PRESENCE_ATTENDEE] === attendeeId &&
      item[PRESENCE_STATE] === state &&
      item[PRESENCE_SINCE] === timestampMs;
    return holdsThisEvent ? 'applied' : 'stale';
  }
}

/** The current mappings of a meeting (from the byMeeting index, eventually consistent), with their presence. */
export async function listMeetingMappings(deps: StoreDeps, meetingId: string): Promise<AttendeeMapping[]> {
  const items = await queryAll(deps, {
    IndexName: deps.config.meetingIndexName,
    KeyConditionExpression: '#m = :m',
    FilterExpression: 'attribute_exists(#a)',
    ExpressionAttributeNames: { '#m': MEETING_PK, '#a': ATTENDEE_ID },
    ExpressionAttributeValues: { ':m': { S: meetingId } },
  });
  return items.map(fromItem);
}

/**
 * Bans a user from a meeting: no join records an attendee of theirs there until a host readmits them (every join's
 * write is conditional on no ban, and joins look before they call Chime). The item outlives the meeting's longest
 * duration (its TTL is the attendee TTL, at least 24 hours); the meeting's end removes it.
 */
export async function banUser(deps: ClockedStoreDeps, key: MappingKey): Promise<void> {
  const now = deps.now();
  await deps.dynamodb.send(
    new UpdateItemCommand({
      TableName: deps.config.tableName,
      Key: keyOf(key),
      UpdateExpression: 'SET #banned = if_not_exists(#banned, :now), #exp = :exp',
      ExpressionAttributeNames: { '#banned': BANNED_AT, '#exp': EXPIRES_AT },
      ExpressionAttributeValues: { ':now': { N: String(now.getTime()) }, ':exp': { N: String(expiresAt(deps, now)) } },
    }),
  );
}

/** Lifts a ban (idempotent: a user who is not banned stays as they are, and no item is created). */
export async function readmitUser(deps: StoreDeps, key: MappingKey): Promise<void> {
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.config.tableName,
        Key: keyOf(key),
        UpdateExpression: 'REMOVE #banned',
        ConditionExpression: 'attribute_exists(#banned)',
        ExpressionAttributeNames: { '#banned': BANNED_AT },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** Whether a user is banned from a meeting, read consistently from the base table. */
export async function isBanned(deps: StoreDeps, key: MappingKey): Promise<boolean> {
  const { Item } = await deps.dynamodb.send(
    new GetItemCommand({
      TableName: deps.config.tableName,
      Key: keyOf(key),
      ProjectionExpression: '#banned',
      ExpressionAttributeNames: { '#banned': BANNED_AT },
      ConsistentRead: true,
    }),
  );
  return Item?.[BANNED_AT] !== undefined;
}

/**
 * The users banned from a meeting, from the byMeeting index (eventually consistent: a batch skips them before it
 * calls Chime; a ban the index has not shown yet is still refused at each join's write).
 */
export async function bannedUsers(deps: StoreDeps, meetingId: string): Promise<Set<string>> {
  const items = await queryAll(deps, {
    IndexName: deps.config.meetingIndexName,
    KeyConditionExpression: '#m = :m',
    FilterExpression: 'attribute_exists(#banned)',
    ProjectionExpression: '#pk',
    ExpressionAttributeNames: { '#m': MEETING_PK, '#banned': BANNED_AT, '#pk': PK },
    ExpressionAttributeValues: { ':m': { S: meetingId } },
  });
  return new Set(items.map((item) => keyFromItem(item).externalUserId));
}

/** Whether a user holds an attendee in a meeting (a member), read consistently from the base table. */
export async function isMember(deps: StoreDeps, key: MappingKey): Promise<boolean> {
  const { Item } = await deps.dynamodb.send(
    new GetItemCommand({
      TableName: deps.config.tableName,
      Key: keyOf(key),
      ProjectionExpression: '#a',
      ExpressionAttributeNames: { '#a': ATTENDEE_ID },
      ConsistentRead: true,
    }),
  );
  return typeof Item?.[ATTENDEE_ID]?.S === 'string';
}

/** The current mappings of one external user, every page; expired ones included (TTL deletion is lazy). */
export async function listUserMappings(deps: StoreDeps, externalUserId: string): Promise<AttendeeMapping[]> {
  const items = await queryAll(deps, {
    KeyConditionExpression: '#pk = :pk',
    // Items that record only removed attendees are not mappings.
    FilterExpression: 'attribute_exists(#a)',
    ExpressionAttributeNames: { '#pk': PK, '#a': ATTENDEE_ID },
    ExpressionAttributeValues: { ':pk': { S: externalUserId } },
  });
  return items.map(fromItem);
}

/**
 * The key of the item that maps one attendee of a meeting, found through the byMeeting index. The index is
 * eventually consistent, so this serves only clean-up after Chime answered that the attendee is gone; anything
 * that needs the latest state reads the base table by key.
 */
export async function findMeetingMapping(
  deps: StoreDeps,
  meetingId: string,
  attendeeId: string,
): Promise<MappingKey | undefined> {
  let found: MappingKey | undefined;
  await queryPages(
    deps,
    {
      IndexName: deps.config.meetingIndexName,
      KeyConditionExpression: '#m = :m',
      FilterExpression: '#a = :a',
      ProjectionExpression: '#pk, #m',
      ExpressionAttributeNames: { '#m': MEETING_PK, '#a': ATTENDEE_ID, '#pk': PK },
      ExpressionAttributeValues: { ':m': { S: meetingId }, ':a': { S: attendeeId } },
    },
    async (items) => {
      if (items[0]) found = keyFromItem(items[0]);
      return found !== undefined;
    },
  );
  return found;
}

/**
 * A meeting ended: its end marker is written first, then every item of the meeting is removed. An event that
 * arrives later and would write a new item finds the marker and takes its write back (undoIfMeetingEnded).
 */
export async function endMeetingMappings(deps: ClockedStoreDeps, meetingId: string, endedAt: Date): Promise<void> {
  await deps.dynamodb.send(
    new UpdateItemCommand({
      TableName: deps.config.tableName,
      Key: keyOf({ externalUserId: MEETING_ENDED_MARKER, meetingId }),
      UpdateExpression: 'SET #ended = if_not_exists(#ended, :ended), #exp = :exp',
      ExpressionAttributeNames: { '#ended': ENDED_AT, '#exp': EXPIRES_AT },
      ExpressionAttributeValues: {
        ':ended': { S: endedAt.toISOString() },
        ':exp': { N: String(expiresAt(deps, deps.now())) },
      },
    }),
  );
  await deleteMeetingMappings(deps, meetingId);
}

/**
 * After a write created an item: if the meeting has ended (its marker is there), the item is removed again, on
 * condition it still maps no attendee, and the answer is true. The marker is written before the end's purge, so a
 * write the purge could not see finds the marker here.
 */
async function undoIfMeetingEnded(deps: StoreDeps, key: MappingKey): Promise<boolean> {
  const { Item } = await deps.dynamodb.send(
    new GetItemCommand({
      TableName: deps.config.tableName,
      Key: keyOf({ externalUserId: MEETING_ENDED_MARKER, meetingId: key.meetingId }),
      ConsistentRead: true,
    }),
  );
  if (!Item) return false;
  try {
    await deps.dynamodb.send(
      new DeleteItemCommand({
        TableName: deps.config.tableName,
        Key: keyOf(key),
        ConditionExpression: 'attribute_not_exists(#a)',
        ExpressionAttributeNames: { '#a': ATTENDEE_ID },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  return true;
}

/** Removes every item of a meeting Chime no longer knows (ended or never existed), its end marker apart. */
export async function deleteMeetingMappings(deps: StoreDeps, meetingId: string): Promise<void> {
  await queryPages(
    deps,
    {
      IndexName: deps.config.meetingIndexName,
      KeyConditionExpression: '#m = :m',
      ProjectionExpression: '#pk, #m',
      ExpressionAttributeNames: { '#m': MEETING_PK, '#pk': PK },
      ExpressionAttributeValues: { ':m': { S: meetingId } },
    },
    async (items) => {
      await writeBatches(
        deps,
        items
          .map(keyFromItem)
          .filter((key) => key.externalUserId !== MEETING_ENDED_MARKER)
          .map((key) => ({ DeleteRequest: { Key: keyOf(key) } })),
      );
      return false;
    },
  );
}

/**
 * How many of a meeting's attendees are connected (presence `Joined`, of the attendee the item maps), from the
 * byMeeting index: a count, so only the count crosses the wire.
 */
export async function countConnected(deps: StoreDeps, meetingId: string): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await deps.dynamodb.send(
      new QueryCommand({
        TableName: deps.config.tableName,
        IndexName: deps.config.meetingIndexName,
        KeyConditionExpression: '#m = :m',
        FilterExpression: '#ps = :joined AND #pa = #a',
        ExpressionAttributeNames: {
          '#m': MEETING_PK,
          '#ps': PRESENCE_STATE,
          '#pa': PRESENCE_ATTENDEE,
          '#a': ATTENDEE_ID,
        },
        ExpressionAttributeValues: { ':m': { S: meetingId }, ':joined': { S: 'Joined' } },
        Select: 'COUNT',
        ExclusiveStartKey,
      }),
    );
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}

/**
 * The join's write. First form (`replacing` undefined): the item maps this attendee already, or maps none and does
 * not record it as removed. Second form: the item maps `replacing`, which is then recorded as removed.
 */
function joinUpdate(deps: ClockedStoreDeps, mapping: AttendeeMapping, replacing?: string): UpdateItemCommandInput {
  const now = deps.now();
  const names: Record<string, string> = {
    '#a': ATTENDEE_ID,
    '#exp': EXPIRES_AT,
    '#caps': CAPABILITIES,
    '#created': CREATED_AT,
    '#removed': REMOVED,
    '#removing': REMOVING,
    '#since': REMOVING_SINCE,
  };
  const values: Record<string, AttributeValue> = {
    ':a': { S: mapping.attendeeId },
    ':exp': { N: String(mapping.expiresAt ?? expiresAt(deps, now)) },
    ':stale': { N: String(now.getTime() - REMOVAL_STALE_AFTER_MS) },
  };
  const sets = ['#a = :a', '#exp = :exp'];
  const removes: string[] = [];
  // A re-join keeps what the mapping recorded at its join; a new mapping records this answer, and drops what the
  // replaced one recorded that this answer does not have.
  const keepOrSet = (attribute: string, placeholder: string, value: AttributeValue | undefined) => {
    if (value === undefined) {
      if (replacing !== undefined) removes.push(attribute);
      return;
    }
    values[placeholder] = value;
    sets.push(
      replacing === undefined
        ? `${attribute} = if_not_exists(${attribute}, ${placeholder})`
        : `${attribute} = ${placeholder}`,
    );
  };
  const capabilities = capabilitiesOf(mapping.capabilities);
  const tags = mapping.tags?.map(({ Key, Value }) => ({ Key, Value }));
  names['#tags'] = TAGS;
  keepOrSet('#created', ':created', { S: mapping.createdAt });
  keepOrSet('#caps', ':caps', capabilities && { M: marshall(capabilities) });
  keepOrSet('#tags', ':tags', tags && { L: tags.map((tag) => ({ M: marshall(tag) })) });
  names['#banned'] = BANNED_AT;
  const notRemoved =
    'attribute_not_exists(#banned) AND ' +
    '(attribute_not_exists(#removed) OR NOT contains(#removed, :a)) AND ' +
    '(attribute_not_exists(#removing) OR NOT contains(#removing, :a) OR #since < :stale)';
  let update = `SET ${sets.join(', ')}`;
  let condition: string;
  if (replacing === undefined) {
    condition = `(#a = :a OR attribute_not_exists(#a)) AND ${notRemoved}`;
  } else {
    values[':old'] = { S: replacing };
    values[':oldIds'] = { SS: [replacing] };
    update += ' ADD #removed :oldIds';
    condition = `#a = :old AND ${notRemoved}`;
  }
  if (removes.length > 0) update += ` REMOVE ${removes.join(', ')}`;
  // DynamoDB refuses names no expression uses (an answer without capabilities or tags leaves some out).
  const used = `${update} ${condition}`;
  for (const name of Object.keys(names)) if (!new RegExp(`${name}\\b`).test(used)) delete names[name];
  return {
    TableName: deps.config.tableName,
    Key: keyOf(mapping),
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'UPDATED_OLD',
  };
}

/** The item as it is now (a strongly consistent read of the base table). */
async function readItem(deps: StoreDeps, key: MappingKey): Promise<Record<string, unknown> | undefined> {
  const { Item } = await deps.dynamodb.send(
    new GetItemCommand({ TableName: deps.config.tableName, Key: keyOf(key), ConsistentRead: true }),
  );
  return Item && unmarshall(Item);
}

/** Whether the item records the attendee as removed, or as being removed by a removal that is not stale. */
function isRemoved(item: Record<string, unknown> | undefined, attendeeId: string, now: Date): boolean {
  if (!item) return false;
  const removed = item[REMOVED] as Set<string> | undefined;
  if (removed?.has(attendeeId)) return true;
  const removing = item[REMOVING] as Set<string> | undefined;
  return removing?.has(attendeeId) === true && Number(item[REMOVING_SINCE]) >= now.getTime() - REMOVAL_STALE_AFTER_MS;
}

/** Every item a Query finds, all pages. */
async function queryAll(
  deps: StoreDeps,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, AttributeValue>[]> {
  const all: Record<string, AttributeValue>[] = [];
  await queryPages(deps, input, async (items) => {
    all.push(...items);
    return false;
  });
  return all;
}

/** Follows a Query's pages until they end or `onPage` answers true (done). */
async function queryPages(
  deps: StoreDeps,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  onPage: (items: Record<string, AttributeValue>[]) => Promise<boolean>,
): Promise<void> {
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await deps.dynamodb.send(
      new QueryCommand({ ...input, TableName: deps.config.tableName, ExclusiveStartKey }),
    );
    if (await onPage(page.Items ?? [])) return;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/**
 * BatchWriteItem in calls of 25 (in parallel), each retried with jittered exponential backoff for as long as
 * DynamoDB hands back UnprocessedItems (its answer to throttling inside a batch, which the SDK does not retry).
 */
async function writeBatches(deps: StoreDeps, requests: readonly WriteRequest[]): Promise<void> {
  const { tableName } = deps.config;
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) batches.push(requests.slice(i, i + BATCH_WRITE_SIZE));
  await Promise.all(
    batches.map(async (batch) => {
      let pending = batch;
      for (let attempt = 1; ; attempt++) {
        const { UnprocessedItems } = await deps.dynamodb.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = UnprocessedItems?.[tableName] ?? [];
        if (pending.length === 0) return;
        if (attempt === MAX_BATCH_WRITE_ATTEMPTS) {
          throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after ${attempt} attempts`);
        }
        await sleep(Math.random() * Math.min(1000, 50 * 2 ** attempt));
      }
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isConditionalCheckFailed = (err: unknown) =>
  (err as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';

const expiresAt = (deps: StoreDeps, now: Date) => Math.floor(now.getTime() / 1000) + deps.config.attendeeTtlSeconds;

const stringOf = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Only the three capability names: an SDK object may carry more than the contract's fields. */
const capabilitiesOf = (capabilities: AttendeeCapabilities | undefined) =>
  capabilities && Object.fromEntries(CAPABILITY_NAMES.flatMap((n) => (capabilities[n] ? [[n, capabilities[n]]] : [])));

const keyOf = (key: MappingKey): Record<string, AttributeValue> =>
  marshall({ [PK]: key.externalUserId, [SK]: key.meetingId });

const keyFromItem = (item: Record<string, AttributeValue>): MappingKey => {
  const key = unmarshall(item);
  return { externalUserId: String(key[PK] ?? ''), meetingId: String(key[SK] ?? '') };
};

function fromItem(item: Record<string, AttributeValue>): AttendeeMapping {
  const values = unmarshall(item);
  const attendeeId = String(values[ATTENDEE_ID] ?? '');
  // Presence counts only for the attendee the item maps now (it may still hold a replaced attendee's).
  const presence: Presence | undefined =
    values[PRESENCE_ATTENDEE] === attendeeId && values[PRESENCE_STATE] !== undefined
      ? {
          state: values[PRESENCE_STATE] as PresenceState,
          since: new Date(Number(values[PRESENCE_SINCE])).toISOString(),
        }
      : undefined;
  return {
    ...keyFromItem(item),
    attendeeId,
    ...(presence && { presence }),
    capabilities: values[CAPABILITIES] as AttendeeCapabilities | undefined,
    tags: values[TAGS] as Tag[] | undefined,
    createdAt: String(values[CREATED_AT] ?? ''),
    expiresAt: values[EXPIRES_AT] === undefined ? undefined : Number(values[EXPIRES_AT]),
  };
}
