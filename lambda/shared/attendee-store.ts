/**
 * All access to the attendee table: which Chime attendee each external user is in each meeting. Items are
 * converted with `@aws-sdk/util-dynamodb` (a few KB; the document client of `@aws-sdk/lib-dynamodb` would add its
 * own middleware to every call). The item never holds a JoinToken: there is no field for one.
 */
import type { Attendee, AttendeeCapabilities } from '@aws-sdk/client-chime-sdk-meetings';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ATTENDEE_TABLE, CAPABILITY_NAMES } from '../../lib/contract';
import type { Deps } from './clients';
import type { Tag } from './validation';

export type StoreDeps = Pick<Deps, 'dynamodb' | 'config'>;

export interface AttendeeMapping {
  readonly externalUserId: string;
  readonly meetingId: string;
  readonly attendeeId: string;
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

const PK = ATTENDEE_TABLE.partitionKey;
const SK = ATTENDEE_TABLE.sortKey;
const MEETING_PK = ATTENDEE_TABLE.meetingIndexPartitionKey;
const EXPIRES_AT = ATTENDEE_TABLE.timeToLiveAttribute;
// The other attribute names of the table's public data contract (SERVICE.md, "The table").
const ATTENDEE_ID = 'AttendeeId';
const CAPABILITIES = 'Capabilities';
const TAGS = 'Tags';
const CREATED_AT = 'CreatedAt';

/** BatchWriteItem's limit per call. */
const BATCH_WRITE_SIZE = 25;
/** Calls per batch of 25 before unprocessed items fail the request (the caller's retry then repairs). */
const MAX_BATCH_WRITE_ATTEMPTS = 6;
/** Conditional puts before a mapping that keeps changing under us fails the request. */
const MAX_PUT_ATTEMPTS = 3;

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
 * Writes a single join's mapping without ever replacing a newer one: put if absent; if one exists, the same
 * AttendeeId means an idempotent re-join (left untouched), a different one is stale (Chime gave this user a new
 * attendee, e.g. after a delete) and is overwritten on condition it still holds the AttendeeId we read.
 */
export async function putMapping(deps: StoreDeps, mapping: AttendeeMapping): Promise<'created' | 'unchanged'> {
  let expectedAttendeeId: string | undefined; // undefined: no mapping may exist
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.dynamodb.send(
        new PutItemCommand({
          TableName: deps.config.tableName,
          Item: toItem(mapping),
          ...(expectedAttendeeId === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
            : attendeeIdCondition(expectedAttendeeId)),
        }),
      );
      return 'created';
    } catch (err) {
      if (!isConditionalCheckFailed(err) || attempt === MAX_PUT_ATTEMPTS) throw err;
    }
    const current = await deps.dynamodb.send(
      new GetItemCommand({
        TableName: deps.config.tableName,
        Key: keyOf(mapping),
        ProjectionExpression: '#a',
        ExpressionAttributeNames: { '#a': ATTENDEE_ID },
        ConsistentRead: true,
      }),
    );
    const currentAttendeeId = current.Item?.[ATTENDEE_ID]?.S;
    if (currentAttendeeId === mapping.attendeeId) return 'unchanged';
    expectedAttendeeId = currentAttendeeId; // removed meanwhile: put if absent again
  }
}

/**
 * Writes many mappings (a batch join). BatchWriteItem has no conditions: an existing mapping of the same user
 * and meeting is replaced, which is right, since Chime just answered with that user's current attendee.
 */
export async function putMappings(deps: StoreDeps, mappings: readonly AttendeeMapping[]): Promise<void> {
  await writeBatches(
    deps,
    mappings.map((mapping) => ({ PutRequest: { Item: toItem(mapping) } })),
  );
}

/** The mappings of one external user, every page; expired ones included (TTL deletion is lazy). */
export async function listUserMappings(deps: StoreDeps, externalUserId: string): Promise<AttendeeMapping[]> {
  const mappings: AttendeeMapping[] = [];
  await queryPages(
    deps,
    {
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK },
      ExpressionAttributeValues: { ':pk': { S: externalUserId } },
    },
    async (items) => {
      mappings.push(...items.map(fromItem));
      return false;
    },
  );
  return mappings;
}

/**
 * The key of the mapping that points at one attendee of a meeting, found through the byMeeting index (which
 * must project AttendeeId). The index is read eventually consistent, which is all a GSI offers.
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

/** Removes one mapping if it still points at this attendee; a newer join's mapping is left alone. */
export async function deleteMapping(deps: StoreDeps, key: MappingKey, attendeeId: string): Promise<void> {
  try {
    await deps.dynamodb.send(
      new DeleteItemCommand({ TableName: deps.config.tableName, Key: keyOf(key), ...attendeeIdCondition(attendeeId) }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** Removes every mapping of a meeting Chime no longer knows (ended or never existed). */
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
        items.map((item) => ({ DeleteRequest: { Key: keyOf(keyFromItem(item)) } })),
      );
      return false;
    },
  );
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

function attendeeIdCondition(attendeeId: string) {
  return {
    ConditionExpression: '#a = :a',
    ExpressionAttributeNames: { '#a': ATTENDEE_ID },
    ExpressionAttributeValues: { ':a': { S: attendeeId } },
  };
}

const keyOf = (key: MappingKey): Record<string, AttributeValue> =>
  marshall({ [PK]: key.externalUserId, [SK]: key.meetingId });

const keyFromItem = (item: Record<string, AttributeValue>): MappingKey => {
  const key = unmarshall(item);
  return { externalUserId: String(key[PK] ?? ''), meetingId: String(key[SK] ?? '') };
};

/** The item of the table's data contract (SERVICE.md, "The table"); absent fields are left out. */
function toItem(mapping: AttendeeMapping): Record<string, AttributeValue> {
  const { capabilities } = mapping;
  return marshall(
    {
      [PK]: mapping.externalUserId,
      [SK]: mapping.meetingId,
      [ATTENDEE_ID]: mapping.attendeeId,
      // Only the three capability names: an SDK object may carry more than the contract's fields.
      [CAPABILITIES]: capabilities && Object.fromEntries(CAPABILITY_NAMES.map((name) => [name, capabilities[name]])),
      [TAGS]: mapping.tags?.map(({ Key, Value }) => ({ Key, Value })),
      [CREATED_AT]: mapping.createdAt,
      [EXPIRES_AT]: mapping.expiresAt,
    },
    { removeUndefinedValues: true },
  );
}

function fromItem(item: Record<string, AttributeValue>): AttendeeMapping {
  const values = unmarshall(item);
  return {
    ...keyFromItem(item),
    attendeeId: String(values[ATTENDEE_ID] ?? ''),
    capabilities: values[CAPABILITIES] as AttendeeCapabilities | undefined,
    tags: values[TAGS] as Tag[] | undefined,
    createdAt: String(values[CREATED_AT] ?? ''),
    expiresAt: values[EXPIRES_AT] === undefined ? undefined : Number(values[EXPIRES_AT]),
  };
}
