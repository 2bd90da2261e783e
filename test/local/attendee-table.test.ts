// ensureAttendeeTable: what local mode does with the table at an endpoint it did not start (DynamoDB Local, the
// real service). Absent: created and waited for. Present with the contract's keys: used as is. Any other shape:
// refused, saying what differs.
import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  attendeeTableDefinition,
  ensureAttendeeTable,
  type LocalDynamoDb,
  scanTable,
  startDynamoDb,
} from '../../local/dynamodb';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;

beforeAll(async () => {
  // Tables stay CREATING for a while, as in the real service, so that waiting is tested.
  dynamo = await startDynamoDb({ createTableMs: 300 });
  client = new DynamoDBClient({ ...dynamo.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

const describeTable = async (name: string) => (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;

it('creates an absent table of the contract shape and returns once it is ACTIVE', async () => {
  expect(await ensureAttendeeTable(client, 'fresh')).toEqual({ tableName: 'fresh', created: true });
  const table = await describeTable('fresh');
  const expected = attendeeTableDefinition('fresh');
  expect(table.TableStatus).toBe('ACTIVE');
  expect(table.KeySchema).toEqual(expected.KeySchema);
  expect(table.GlobalSecondaryIndexes).toEqual([
    expect.objectContaining({ ...expected.GlobalSecondaryIndexes![0], IndexStatus: 'ACTIVE' }),
  ]);
});

it('uses an existing table of the contract shape as is, waiting until it is ACTIVE, and keeps its items', async () => {
  await client.send(new CreateTableCommand(attendeeTableDefinition('existing')));
  expect((await describeTable('existing')).TableStatus).toBe('CREATING');
  expect(await ensureAttendeeTable(client, 'existing')).toEqual({ tableName: 'existing', created: false });
  expect((await describeTable('existing')).TableStatus).toBe('ACTIVE');

  const item = { ExternalUserId: { S: 'alice' }, MeetingId: { S: 'm-1' }, AttendeeId: { S: 'a-1' } };
  await client.send(new PutItemCommand({ TableName: 'existing', Item: item }));
  expect(await ensureAttendeeTable(client, 'existing')).toEqual({ tableName: 'existing', created: false });
  expect(await scanTable(client, 'existing')).toEqual([item]);
});

/** The contract's table with one change. */
function variant(name: string, change: (definition: CreateTableCommandInput) => void): CreateTableCommandInput {
  const definition = structuredClone(attendeeTableDefinition(name));
  change(definition);
  return definition;
}

describe('an existing table of another shape is refused, saying what differs and what is expected', () => {
  it.each<[string, (d: CreateTableCommandInput) => void, string]>([
    [
      'another partition key',
      (d) => {
        d.KeySchema = [{ AttributeName: 'Id', KeyType: 'HASH' }];
        d.AttributeDefinitions!.push({ AttributeName: 'Id', AttributeType: 'S' });
      },
      'its keys are Id (HASH, S)',
    ],
    [
      'keys swapped',
      (d) => {
        d.KeySchema = [
          { AttributeName: 'MeetingId', KeyType: 'HASH' },
          { AttributeName: 'ExternalUserId', KeyType: 'RANGE' },
        ];
      },
      'its keys are MeetingId (HASH, S), ExternalUserId (RANGE, S)',
    ],
    [
      'a number sort key',
      (d) => {
        d.AttributeDefinitions = d.AttributeDefinitions!.map((a) =>
          a.AttributeName === 'MeetingId' ? { ...a, AttributeType: 'N' } : a,
        );
      },
      'its keys are ExternalUserId (HASH, S), MeetingId (RANGE, N)',
    ],
    [
      'no byMeeting index',
      (d) => {
        delete d.GlobalSecondaryIndexes;
      },
      'it has no index byMeeting',
    ],
    [
      'an index projecting keys only',
      (d) => {
        d.GlobalSecondaryIndexes![0].Projection = { ProjectionType: 'KEYS_ONLY' };
      },
      'its index byMeeting projects KEYS_ONLY',
    ],
  ])('%s', async (what, change, difference) => {
    const name = `wrong-${what.replace(/\W+/g, '-')}`;
    await client.send(new CreateTableCommand(variant(name, change)));

    const error = await ensureAttendeeTable(client, name).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain(`table ${name} exists but is not the join service's attendee table`);
    expect(error?.message).toContain(difference);
    expect(error?.message).toContain(
      'Expected keys ExternalUserId (HASH, S), MeetingId (RANGE, S) and index byMeeting on MeetingId (HASH, S), ExternalUserId (RANGE, S) projecting ALL',
    );
    expect(error?.message).toContain('--table');
    // Refused, not repaired: the table is still there as it was.
    expect((await describeTable(name)).KeySchema).toEqual(variant(name, change).KeySchema);
  });
});
