/**
 * DynamoDB for tests and `npm run local`: dynalite (an in-memory DynamoDB on LevelDB) on loopback, and the
 * construct's attendee table created from the data contract in lib/contract.ts (on dynalite, another endpoint
 * such as DynamoDB Local, or the real service: ensureAttendeeTable).
 *
 * What dynalite 4.0.0 does and does not do (checked by test/emulator/dynamodb.test.ts):
 * - Supported: CreateTable with a GSI, PutItem/DeleteItem with ConditionExpression, BatchWriteItem,
 *   Query on a GSI with FilterExpression, DescribeTimeToLive (always answers DISABLED).
 * - Not supported: UpdateTimeToLive and TransactWriteItems/TransactGetItems (400 UnknownOperationException),
 *   so items never expire; ReturnValuesOnConditionCheckFailure is accepted but ignored (the
 *   ConditionalCheckFailedException carries no Item).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ATTENDEE_TABLE, MEETING_TABLE } from '../lib/contract';
import { guardServer } from './browser-guard';
import { listenOnLoopback } from './loopback';

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: pass it as `endpoint` to DynamoDBClient. */
  readonly endpoint: string;
  readonly port: number;
  /** Settings for `new DynamoDBClient(...)`: region, endpoint and static fake credentials. */
  clientConfig(): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Closes the server, its connections and the in-memory store. */
  stop(): Promise<void>;
}

export interface StartDynamoDbOptions {
  /** @default 0 (the OS picks a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** How long a new table stays CREATING, in ms (dynalite's own default is 500). @default 0 */
  readonly createTableMs?: number;
}

/**
 * Starts dynalite in memory; tables become ACTIVE at once unless `createTableMs` says otherwise. dynalite answers
 * every Origin with `Access-Control-Allow-Origin: *`, so it sits behind the browser guard: no page and no
 * rebinding Host reaches it, only the SDK and other callers without an Origin.
 */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: options.createTableMs ?? 0, deleteTableMs: 0, updateTableMs: 0 });
  guardServer(server);
  const { port, address } = await listenOnLoopback(server, options.port, options.host);
  const endpoint = `http://${address}:${port}`;
  return {
    endpoint,
    port,
    clientConfig: () => ({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIALOCALDYNAMODB', secretAccessKey: 'local-secret' },
    }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of SDK clients would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** The attendee table as the construct defines it: keys, the byMeeting index (projection ALL), on-demand billing. */
export function attendeeTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, meetingIndexName, meetingIndexPartitionKey, meetingIndexSortKey } = ATTENDEE_TABLE;
  const keyAttributes = [...new Set([partitionKey, sortKey, meetingIndexPartitionKey, meetingIndexSortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: meetingIndexName,
        KeySchema: [
          { AttributeName: meetingIndexPartitionKey, KeyType: 'HASH' },
          { AttributeName: meetingIndexSortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** The meeting table as the construct defines it: key ExternalMeetingId, the byMeetingId index (projection ALL). */
export function meetingTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, meetingIndexName, meetingIndexPartitionKey } = MEETING_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, meetingIndexPartitionKey].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: meetingIndexName,
        KeySchema: [{ AttributeName: meetingIndexPartitionKey, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export interface AttendeeTable {
  readonly tableName: string;
  /** `ENABLED` when the endpoint accepted UpdateTimeToLive on ExpiresAt; dynalite answers `UNSUPPORTED`. */
  readonly timeToLive: 'ENABLED' | 'UNSUPPORTED';
}

/** Creates the attendee table, waits until it is ACTIVE and enables TTL on ExpiresAt where the endpoint can. */
export async function createAttendeeTable(
  client: DynamoDBClient,
  tableName: string,
  activeTimeoutMs = 10_000,
): Promise<AttendeeTable> {
  return createTable(client, attendeeTableDefinition(tableName), ATTENDEE_TABLE.timeToLiveAttribute, activeTimeoutMs);
}

/** The meeting table, as createAttendeeTable makes the attendee table. */
export async function createMeetingTable(
  client: DynamoDBClient,
  tableName: string,
  activeTimeoutMs = 10_000,
): Promise<AttendeeTable> {
  return createTable(client, meetingTableDefinition(tableName), MEETING_TABLE.timeToLiveAttribute, activeTimeoutMs);
}

async function createTable(
  client: DynamoDBClient,
  definition: CreateTableCommandInput,
  timeToLiveAttribute: string,
  activeTimeoutMs: number,
): Promise<AttendeeTable> {
  const tableName = definition.TableName!;
  await client.send(new CreateTableCommand(definition));
  await waitUntilActive(client, tableName, activeTimeoutMs);
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
      }),
    );
    return { tableName, timeToLive: 'ENABLED' };
  } catch (error) {
    // dynalite does not implement UpdateTimeToLive; anything else is a real failure.
    if ((error as Error).name === 'UnknownOperationException') return { tableName, timeToLive: 'UNSUPPORTED' };
    throw error;
  }
}

export interface EnsuredAttendeeTable {
  readonly tableName: string;
  /** True when the table was created now, false when an existing table of the contract's shape is used as is. */
  readonly created: boolean;
}

/**
 * Uses the attendee table if it exists with the contract's keys and byMeeting index (as is: its items, TTL and
 * billing stay), or creates it (createAttendeeTable) if it does not. A table of another shape is refused with an
 * error that says what differs, since the handlers would fail on it request by request.
 */
export async function ensureAttendeeTable(client: DynamoDBClient, tableName: string): Promise<EnsuredAttendeeTable> {
  return ensureTable(client, tableName, 'attendee');
}

/** The same for the meeting table. */
export async function ensureMeetingTable(client: DynamoDBClient, tableName: string): Promise<EnsuredAttendeeTable> {
  return ensureTable(client, tableName, 'meeting');
}

const TABLE_KINDS = {
  attendee: { definition: attendeeTableDefinition, create: createAttendeeTable },
  meeting: { definition: meetingTableDefinition, create: createMeetingTable },
} as const;

async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  kind: keyof typeof TABLE_KINDS,
): Promise<EnsuredAttendeeTable> {
  let table: TableDescription | undefined;
  try {
    table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  if (!table) {
    try {
      await TABLE_KINDS[kind].create(client, tableName, TABLE_ACTIVE_TIMEOUT_MS);
      return { tableName, created: true };
    } catch (error) {
      // Someone else created it between our two calls: judge theirs like any existing table.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
      table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    }
  }
  const expected = TABLE_KINDS[kind].definition(tableName);
  const differences = shapeDifferences(table, expected);
  if (differences.length > 0) {
    throw new Error(
      `table ${tableName} exists but is not the join service's ${kind} table: ${differences.join('; ')}. ` +
        `Expected ${describeShape(expected)}. ` +
        'Name another table (--table NAME), or delete this one to have it created.',
    );
  }
  await waitUntilActive(client, tableName, TABLE_ACTIVE_TIMEOUT_MS);
  return { tableName, created: false };
}

/** The real service takes seconds to a minute to create a table with an index. */
const TABLE_ACTIVE_TIMEOUT_MS = 5 * 60_000;

/** How an existing table differs from the contract: keys, key types, and the byMeeting index (all the handlers use). */
function shapeDifferences(table: TableDescription | undefined, expected: CreateTableCommandInput): string[] {
  const expectedIndex = expected.GlobalSecondaryIndexes![0];
  const differences: string[] = [];
  if (table?.TableStatus === 'DELETING') differences.push('it is being deleted');
  const found = describeKeys(table?.KeySchema, table?.AttributeDefinitions);
  if (found !== describeKeys(expected.KeySchema, expected.AttributeDefinitions))
    differences.push(`its keys are ${found}`);
  const index = table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === expectedIndex.IndexName);
  if (!index) {
    differences.push(`it has no index ${expectedIndex.IndexName}`);
  } else {
    const indexKeys = describeKeys(index.KeySchema, table?.AttributeDefinitions);
    if (indexKeys !== describeKeys(expectedIndex.KeySchema, expected.AttributeDefinitions))
      differences.push(`its index ${expectedIndex.IndexName} has keys ${indexKeys}`);
    if (index.Projection?.ProjectionType !== expectedIndex.Projection!.ProjectionType)
      differences.push(
        `its index ${expectedIndex.IndexName} projects ${index.Projection?.ProjectionType ?? 'nothing'}`,
      );
  }
  return differences;
}

/** `ExternalUserId (HASH, S), MeetingId (RANGE, S)`. */
function describeKeys(keys: KeySchemaElement[] | undefined, attributes: AttributeDefinition[] | undefined): string {
  const type = (name: string | undefined) => attributes?.find((a) => a.AttributeName === name)?.AttributeType ?? '?';
  return (keys ?? []).map((k) => `${k.AttributeName} (${k.KeyType}, ${type(k.AttributeName)})`).join(', ') || 'none';
}

function describeShape(definition: CreateTableCommandInput): string {
  const index = definition.GlobalSecondaryIndexes![0];
  return (
    `keys ${describeKeys(definition.KeySchema, definition.AttributeDefinitions)} and index ${index.IndexName} on ` +
    `${describeKeys(index.KeySchema, definition.AttributeDefinitions)} projecting ${index.Projection!.ProjectionType}`
  );
}

/** Waits until the table and its indexes are ACTIVE, polling quickly at first (dynalite) and then every second. */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1_000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (
      Table?.TableStatus === 'ACTIVE' &&
      indexes.every((i) => i.IndexStatus === undefined || i.IndexStatus === 'ACTIVE')
    )
      return;
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} is still ${Table?.TableStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/** Every item of a table, all pages, read consistently: what the tests compare against. */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
