/**
 * DynamoDB for tests and `npm run local`: dynalite (an in-memory DynamoDB on LevelDB) on loopback, and the
 * construct's attendee table created from the data contract in lib/contract.ts.
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
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ATTENDEE_TABLE } from '../lib/contract';
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
}

/** Starts dynalite in memory; tables become ACTIVE at once (its default keeps them CREATING for 500 ms). */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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

export interface AttendeeTable {
  readonly tableName: string;
  /** `ENABLED` when the endpoint accepted UpdateTimeToLive on ExpiresAt; dynalite answers `UNSUPPORTED`. */
  readonly timeToLive: 'ENABLED' | 'UNSUPPORTED';
}

/** Creates the attendee table, waits until it is ACTIVE and enables TTL on ExpiresAt where the endpoint can. */
export async function createAttendeeTable(client: DynamoDBClient, tableName: string): Promise<AttendeeTable> {
  await client.send(new CreateTableCommand(attendeeTableDefinition(tableName)));
  await waitUntilActive(client, tableName);
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ATTENDEE_TABLE.timeToLiveAttribute, Enabled: true },
      }),
    );
    return { tableName, timeToLive: 'ENABLED' };
  } catch (error) {
    // dynalite does not implement UpdateTimeToLive; anything else is a real failure.
    if ((error as Error).name === 'UnknownOperationException') return { tableName, timeToLive: 'UNSUPPORTED' };
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${tableName} is still ${Table?.TableStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
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
