import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { ATTENDEE_TABLE } from '../../lib/contract';
import {
  attendeeTableDefinition,
  createAttendeeTable,
  startDynamoDb,
  type AttendeeTable,
  type LocalDynamoDb,
} from '../../local/dynamodb';
import { failure } from './helpers';

const { partitionKey, sortKey, meetingIndexName, meetingIndexPartitionKey, meetingIndexSortKey } = ATTENDEE_TABLE;
const MEETING = '11111111-1111-4111-8111-111111111111';
const OTHER_MEETING = '22222222-2222-4222-8222-222222222222';

function mapping(externalUserId: string, meetingId: string, attendeeId: string) {
  return {
    [partitionKey]: { S: externalUserId },
    [sortKey]: { S: meetingId },
    AttendeeId: { S: attendeeId },
    [ATTENDEE_TABLE.timeToLiveAttribute]: { N: String(Math.floor(Date.now() / 1000) + 3600) },
  };
}

describe('DynamoDB through dynalite', () => {
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  let table: AttendeeTable;

  beforeAll(async () => {
    dynamo = await startDynamoDb();
    client = new DynamoDBClient({ ...dynamo.clientConfig(), maxAttempts: 1 });
    table = await createAttendeeTable(client, 'attendees');
  });

  afterAll(async () => {
    client.destroy();
    await dynamo.stop();
  });

  test('listens on loopback on a port the OS chose', () => {
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${dynamo.port}`);
    expect(dynamo.port).toBeGreaterThan(0);
  });

  test("the table is ACTIVE with the contract's keys, the byMeeting index and on-demand billing", async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table!.TableStatus).toBe('ACTIVE');
    expect(Table!.KeySchema).toEqual([
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table!.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const index = Table!.GlobalSecondaryIndexes!.find((gsi) => gsi.IndexName === meetingIndexName)!;
    expect(index.KeySchema).toEqual([
      { AttributeName: meetingIndexPartitionKey, KeyType: 'HASH' },
      { AttributeName: meetingIndexSortKey, KeyType: 'RANGE' },
    ]);
    expect(index.Projection).toEqual({ ProjectionType: 'ALL' });
    expect(Table!.AttributeDefinitions).toEqual(attendeeTableDefinition(table.tableName).AttributeDefinitions);
  });

  // Canary: if a dynalite upgrade adds UpdateTimeToLive, this fails and the documentation in local/dynamodb.ts must change.
  test('dynalite 4.0.0 cannot enable TTL: UpdateTimeToLive is unknown and TTL reads DISABLED', async () => {
    expect(table.timeToLive).toBe('UNSUPPORTED');
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  test('a conditional PutItem writes a new mapping once and refuses to overwrite it', async () => {
    const put = (attendeeId: string) =>
      client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: mapping('carol', MEETING, attendeeId),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    await put('attendee-1');
    const error = await failure(put('attendee-2'));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['ConditionalCheckFailedException', 400]);
    // dynalite accepts ReturnValuesOnConditionCheckFailure but ignores it: real DynamoDB would return the old Item.
    expect((error as unknown as { Item?: unknown }).Item).toBeUndefined();
  });

  test('a conditional DeleteItem only removes the mapping of the expected attendee', async () => {
    await client.send(new PutItemCommand({ TableName: table.tableName, Item: mapping('dave', MEETING, 'attendee-d') }));
    const remove = (attendeeId: string) =>
      client.send(
        new DeleteItemCommand({
          TableName: table.tableName,
          Key: { [partitionKey]: { S: 'dave' }, [sortKey]: { S: MEETING } },
          ConditionExpression: 'AttendeeId = :a',
          ExpressionAttributeValues: { ':a': { S: attendeeId } },
          ReturnValues: 'ALL_OLD',
        }),
      );
    expect((await failure(remove('someone-else'))).name).toBe('ConditionalCheckFailedException');
    const { Attributes } = await remove('attendee-d');
    expect(Attributes?.AttendeeId).toEqual({ S: 'attendee-d' });
  });

  test('BatchWriteItem writes mappings that Query on byMeeting returns in ExternalUserId order, with FilterExpression', async () => {
    const { UnprocessedItems } = await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [table.tableName]: [
            { PutRequest: { Item: mapping('zed', MEETING, 'attendee-z') } },
            { PutRequest: { Item: mapping('amy', MEETING, 'attendee-a') } },
            { PutRequest: { Item: mapping('amy', OTHER_MEETING, 'attendee-a2') } },
          ],
        },
      }),
    );
    expect(UnprocessedItems).toEqual({});

    const all = await client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: meetingIndexName,
        KeyConditionExpression: '#m = :m',
        ExpressionAttributeNames: { '#m': meetingIndexPartitionKey },
        ExpressionAttributeValues: { ':m': { S: MEETING } },
      }),
    );
    expect(all.Items!.map((item) => item[meetingIndexSortKey].S)).toEqual(['amy', 'carol', 'zed']);

    const filtered = await client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: meetingIndexName,
        KeyConditionExpression: '#m = :m',
        FilterExpression: 'AttendeeId = :a',
        ExpressionAttributeNames: { '#m': meetingIndexPartitionKey },
        ExpressionAttributeValues: { ':m': { S: MEETING }, ':a': { S: 'attendee-z' } },
      }),
    );
    expect(filtered.Items!.map((item) => item[partitionKey].S)).toEqual(['zed']);
    expect([filtered.Count, filtered.ScannedCount]).toEqual([1, 3]);
  });

  // Canary: transactions would be the natural tool for multi-item consistency; dynalite cannot run them.
  test('dynalite 4.0.0 does not implement TransactWriteItems', async () => {
    const error = await failure(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: table.tableName, Item: mapping('erin', MEETING, 'attendee-e') } }],
        }),
      ),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['UnknownOperationException', 400]);
  });
});
