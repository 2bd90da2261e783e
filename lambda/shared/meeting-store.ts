/**
 * The meeting table: one record per ExternalMeetingId (a room), holding its current generation (one session of the
 * room) and its state. Every change is a conditional write on that one record, so concurrent requests agree on one
 * live meeting per name:
 * - `creating`: one request has claimed the generation and is creating its Chime meeting (with a ClientRequestToken
 *   derived from name and generation, so a takeover after a stale claim gets the same meeting from Chime);
 * - `live`: the meeting exists, its Meeting answer is in the record (a join needs no GetMeeting);
 * - `ended`: Chime said it ended (NotFound, a DeleteMeeting, a MeetingEnded event); the next claim is generation + 1.
 */
import { createHash } from 'node:crypto';
import type { Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import {
  type AttributeValue,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { MEETING_RECORD_TTL_SECONDS, MEETING_TABLE } from '../../lib/contract';
import type { Deps } from './clients';

type MeetingStoreDeps = Pick<Deps, 'dynamodb' | 'config' | 'now'>;

/** What CreateMeeting is asked for (the request's create fields), kept in the claim for a takeover. */
export interface MeetingRequest {
  readonly MediaRegion: string;
  readonly MeetingFeatures?: Meeting['MeetingFeatures'];
  readonly TenantIds?: string[];
  readonly Tags?: { Key: string; Value: string }[];
  readonly PrimaryMeetingId?: string;
  readonly MediaPlacementNetworkType?: 'Ipv4Only' | 'DualStack';
}

export type MeetingState = 'creating' | 'live' | 'ended';

export interface MeetingRecord {
  readonly externalMeetingId: string;
  readonly generation: number;
  readonly state: MeetingState;
  /** Epoch ms the claim was made (creating only). */
  readonly creatingSince?: number;
  readonly request?: MeetingRequest;
  /** The ExternalUserId of the user who created it, if a user did: the meeting's host. */
  readonly host?: string;
  /** Chime's answer, once live. */
  readonly meeting?: Meeting;
  readonly meetingId?: string;
  readonly createdAt?: string;
  readonly endedAt?: string;
}

const PK = MEETING_TABLE.partitionKey;
/** A claim older than this is taken over: longer than a function's timeout. */
const CLAIM_STALE_AFTER_MS = 20_000;

/** The ClientRequestToken of a room's generation: the same for every request that creates it, new for the next. */
export function clientRequestToken(externalMeetingId: string, generation: number): string {
  return createHash('sha256').update(`${externalMeetingId}\u0000${generation}`).digest('hex').slice(0, 48);
}

/** The record of a room, read consistently. */
export async function readMeeting(
  deps: MeetingStoreDeps,
  externalMeetingId: string,
): Promise<MeetingRecord | undefined> {
  const { Item } = await deps.dynamodb.send(
    new GetItemCommand({ TableName: tableOf(deps), Key: marshall({ [PK]: externalMeetingId }), ConsistentRead: true }),
  );
  return Item && fromItem(Item);
}

/**
 * Claims the next generation of a room that has no live meeting: absent (generation 1) or ended (generation + 1).
 * Answers the claimed record, or undefined when the condition failed (a live meeting, or a claim, holds the room).
 */
export async function claimNextMeeting(
  deps: MeetingStoreDeps,
  externalMeetingId: string,
  request: MeetingRequest,
  host: string | undefined,
): Promise<MeetingRecord | undefined> {
  const now = deps.now().getTime();
  return conditionalUpdate(deps, externalMeetingId, {
    UpdateExpression:
      'SET #gen = if_not_exists(#gen, :zero) + :one, #state = :creating, #since = :now, #request = :request, #exp = :exp' +
      (host ? ', #host = :host' : '') +
      ' REMOVE #meetingId, #meeting, #created, #ended' +
      (host ? '' : ', #host'),
    ConditionExpression: 'attribute_not_exists(#state) OR #state = :ended',
    names: {
      '#gen': 'Generation',
      '#request': 'Request',
      '#meetingId': 'MeetingId',
      '#meeting': 'Meeting',
      '#created': 'CreatedAt',
      '#ended': 'EndedAt',
      '#host': 'HostExternalUserId',
      '#exp': MEETING_TABLE.timeToLiveAttribute,
    },
    values: {
      ':zero': 0,
      ':one': 1,
      ':ended': 'ended',
      ':request': request,
      ':exp': Math.floor(now / 1000) + MEETING_RECORD_TTL_SECONDS,
      ...(host && { ':host': host }),
    },
    now,
  });
}

/**
 * Takes over a claim that went stale (its request died, or gave it up): the same generation, request and host, so
 * CreateMeeting gets the same token with the same parameters and Chime answers the same meeting if it made one.
 */
export async function takeOverClaim(deps: MeetingStoreDeps, claim: MeetingRecord): Promise<MeetingRecord | undefined> {
  const now = deps.now().getTime();
  return conditionalUpdate(deps, claim.externalMeetingId, {
    UpdateExpression: 'SET #since = :now',
    ConditionExpression: '#state = :creating AND #gen = :gen AND #since < :stale',
    names: { '#gen': 'Generation' },
    values: { ':gen': claim.generation, ':stale': now - CLAIM_STALE_AFTER_MS },
    now,
  });
}

/** Whether a claim is old enough to be taken over. */
export const isStaleClaim = (record: MeetingRecord, now: Date) =>
  record.state === 'creating' && (record.creatingSince ?? 0) < now.getTime() - CLAIM_STALE_AFTER_MS;

async function conditionalUpdate(
  deps: MeetingStoreDeps,
  externalMeetingId: string,
  update: {
    UpdateExpression: string;
    ConditionExpression: string;
    names: Record<string, string>;
    values: Record<string, unknown>;
    now: number;
  },
): Promise<MeetingRecord | undefined> {
  try {
    const { Attributes } = await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: tableOf(deps),
        Key: marshall({ [PK]: externalMeetingId }),
        UpdateExpression: update.UpdateExpression,
        ConditionExpression: update.ConditionExpression,
        // Both callers' expressions use #state, #since, :creating and :now, and every other placeholder they pass
        // (DynamoDB refuses one an expression does not use).
        ExpressionAttributeNames: { '#state': 'State', '#since': 'CreatingSince', ...update.names },
        ExpressionAttributeValues: marshall(
          { ':creating': 'creating', ':now': update.now, ...update.values },
          { removeUndefinedValues: true },
        ),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes && fromItem(Attributes);
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined;
    throw err;
  }
}

/**
 * Records the claimed generation's meeting as live. The condition holds for the claim's generation still creating,
 * or already live with this very meeting (a takeover that got the same meeting from Chime).
 */
export async function recordLive(deps: MeetingStoreDeps, claim: MeetingRecord, meeting: Meeting): Promise<boolean> {
  const now = deps.now();
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: tableOf(deps),
        Key: marshall({ [PK]: claim.externalMeetingId }),
        UpdateExpression:
          'SET #state = :live, #meetingId = :meetingId, #meeting = :meeting, #created = :created, #exp = :exp REMOVE #since',
        ConditionExpression: '#gen = :gen AND (#state = :creating OR (#state = :live AND #meetingId = :meetingId))',
        ExpressionAttributeNames: {
          '#state': 'State',
          '#gen': 'Generation',
          '#meetingId': 'MeetingId',
          '#meeting': 'Meeting',
          '#created': 'CreatedAt',
          '#exp': MEETING_TABLE.timeToLiveAttribute,
          '#since': 'CreatingSince',
        },
        ExpressionAttributeValues: marshall(
          {
            ':live': 'live',
            ':creating': 'creating',
            ':gen': claim.generation,
            ':meetingId': meeting.MeetingId,
            ':meeting': meetingDocument(meeting),
            ':created': now.toISOString(),
            ':exp': Math.floor(now.getTime() / 1000) + MEETING_RECORD_TTL_SECONDS,
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** Lets another request take a claim over at once (CreateMeeting failed): the same generation, the same token. */
export async function abandonClaim(deps: MeetingStoreDeps, claim: MeetingRecord): Promise<void> {
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: tableOf(deps),
        Key: marshall({ [PK]: claim.externalMeetingId }),
        UpdateExpression: 'SET #since = :zero',
        ConditionExpression: '#gen = :gen AND #state = :creating',
        ExpressionAttributeNames: { '#since': 'CreatingSince', '#gen': 'Generation', '#state': 'State' },
        ExpressionAttributeValues: marshall({ ':zero': 0, ':gen': claim.generation, ':creating': 'creating' }),
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/**
 * Closes a room's meeting: the record, if it still holds this MeetingId, is marked ended (so the next join by name
 * makes the next generation). Answers whether this call closed it.
 */
export async function recordEnded(
  deps: MeetingStoreDeps,
  externalMeetingId: string,
  meetingId: string,
  endedAt: Date = deps.now(),
): Promise<boolean> {
  const now = endedAt;
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: tableOf(deps),
        Key: marshall({ [PK]: externalMeetingId }),
        UpdateExpression: 'SET #state = :ended, #endedAt = :now, #exp = :exp',
        ConditionExpression: '#meetingId = :meetingId AND #state = :live',
        ExpressionAttributeNames: {
          '#state': 'State',
          '#endedAt': 'EndedAt',
          '#exp': MEETING_TABLE.timeToLiveAttribute,
          '#meetingId': 'MeetingId',
        },
        ExpressionAttributeValues: marshall({
          ':ended': 'ended',
          ':live': 'live',
          ':now': now.toISOString(),
          ':exp': Math.floor(now.getTime() / 1000) + MEETING_RECORD_TTL_SECONDS,
          ':meetingId': meetingId,
        }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/**
 * The live records, for the sweep: every page of a Scan that keeps only `live` ones (one item per room, so the scan
 * is small), least recently checked first.
 */
export async function liveMeetings(deps: MeetingStoreDeps): Promise<(MeetingRecord & { checkedAt: number })[]> {
  const records: (MeetingRecord & { checkedAt: number })[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await deps.dynamodb.send(
      new ScanCommand({
        TableName: tableOf(deps),
        FilterExpression: '#state = :live',
        ExpressionAttributeNames: { '#state': 'State' },
        ExpressionAttributeValues: { ':live': { S: 'live' } },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      records.push({ ...fromItem(item), checkedAt: Number(unmarshall(item).CheckedAt ?? 0) });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records.sort((a, b) => a.checkedAt - b.checkedAt);
}

/** Notes that the sweep found a meeting still live (so the next runs check the others first). */
export async function markChecked(deps: MeetingStoreDeps, record: MeetingRecord): Promise<void> {
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: tableOf(deps),
        Key: marshall({ [PK]: record.externalMeetingId }),
        UpdateExpression: 'SET #checked = :now',
        ConditionExpression: '#meetingId = :meetingId AND #state = :live',
        ExpressionAttributeNames: { '#checked': 'CheckedAt', '#meetingId': 'MeetingId', '#state': 'State' },
        ExpressionAttributeValues: marshall({
          ':now': deps.now().getTime(),
          ':meetingId': record.meetingId,
          ':live': 'live',
        }),
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/**
 * The record that holds a MeetingId, through the byMeetingId index (eventually consistent: a meeting created a
 * moment ago may not be found yet, so callers that must decide read the record by name afterwards).
 */
export async function findMeetingRecord(deps: MeetingStoreDeps, meetingId: string): Promise<MeetingRecord | undefined> {
  const { Items } = await deps.dynamodb.send(
    new QueryCommand({
      TableName: tableOf(deps),
      IndexName: MEETING_TABLE.meetingIndexName,
      KeyConditionExpression: '#m = :m',
      ExpressionAttributeNames: { '#m': MEETING_TABLE.meetingIndexPartitionKey },
      ExpressionAttributeValues: { ':m': { S: meetingId } },
    }),
  );
  return Items?.[0] && fromItem(Items[0]);
}

/** Only the fields of Chime's Meeting that a client needs and the record keeps (never anything else it may carry). */
function meetingDocument(meeting: Meeting): Meeting {
  const { MeetingId, MeetingHostId, ExternalMeetingId, MediaRegion, MediaPlacement, MeetingFeatures } = meeting;
  const { PrimaryMeetingId, TenantIds, MeetingArn } = meeting;
  return {
    MeetingId,
    MeetingHostId,
    ExternalMeetingId,
    MediaRegion,
    MediaPlacement,
    MeetingFeatures,
    PrimaryMeetingId,
    TenantIds,
    MeetingArn,
  };
}

function fromItem(item: Record<string, AttributeValue>): MeetingRecord {
  const v = unmarshall(item);
  return {
    externalMeetingId: String(v[PK]),
    generation: Number(v.Generation ?? 0),
    state: v.State as MeetingState,
    creatingSince: v.CreatingSince === undefined ? undefined : Number(v.CreatingSince),
    request: v.Request as MeetingRequest | undefined,
    host: v.HostExternalUserId as string | undefined,
    meeting: v.Meeting as Meeting | undefined,
    meetingId: v.MeetingId as string | undefined,
    createdAt: v.CreatedAt as string | undefined,
    endedAt: v.EndedAt as string | undefined,
  };
}

function tableOf(deps: MeetingStoreDeps): string {
  const table = deps.config.meetingTableName;
  if (!table) throw new Error('the meeting table is not configured (MEETING_TABLE_NAME)');
  return table;
}

const isConditionalCheckFailed = (err: unknown) =>
  (err as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
