// The fault-injecting DynamoDB proxy itself: each kind of fault reaches a real SDK client as the error DynamoDB
// would cause, `after`/`count` script exactly which calls fail, `lostResponse` applies the write, and the counters
// tell how many calls reached DynamoDB.
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createAttendeeTable, type LocalDynamoDb, startDynamoDb } from '../../local/dynamodb';
import {
  type DynamoDbFaultKind,
  type DynamoDbFaultProxy,
  startDynamoDbFaultProxy,
} from '../../local/dynamodb-fault-proxy';

const TABLE = 'proxy-test-table';
let dynamodb: LocalDynamoDb;
let proxy: DynamoDbFaultProxy;
let direct: DynamoDBClient;
let viaProxy: DynamoDBClient;

beforeAll(async () => {
  dynamodb = await startDynamoDb();
  direct = new DynamoDBClient(dynamodb.clientConfig());
  await createAttendeeTable(direct, TABLE);
  proxy = await startDynamoDbFaultProxy({ target: dynamodb.endpoint });
  viaProxy = new DynamoDBClient({ ...dynamodb.clientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
});
afterAll(async () => {
  viaProxy?.destroy();
  direct?.destroy();
  await proxy?.stop();
  await dynamodb?.stop();
});
beforeEach(() => proxy.resetFaults());

const item = (user: string) => ({
  ExternalUserId: { S: user },
  MeetingId: { S: 'm-1' },
  AttendeeId: { S: `a-${user}` },
});
const put = (user: string) => viaProxy.send(new PutItemCommand({ TableName: TABLE, Item: item(user) }));
const stored = async (user: string) =>
  (
    await direct.send(
      new GetItemCommand({ TableName: TABLE, Key: { ExternalUserId: { S: user }, MeetingId: { S: 'm-1' } } }),
    )
  ).Item;
const failure = async (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e) => e,
  );

it('forwards calls unchanged when no fault is queued, and counts them', async () => {
  const before = proxy.stats().totalCalls;
  await put('plain');
  expect(await stored('plain')).toEqual(item('plain'));
  expect(proxy.stats().totalCalls - before).toBe(1);
  expect(proxy.stats().operations.PutItem.forwarded).toBeGreaterThan(0);
});

it.each([
  ['ProvisionedThroughputExceededException', 'ProvisionedThroughputExceededException', 400],
  ['ThrottlingException', 'ThrottlingException', 400],
  ['InternalServerError', 'InternalServerError', 500],
  ['ServiceUnavailable', 'ServiceUnavailable', 503],
  ['http500', '(a body that is not JSON)', 500],
] as const)('%s reaches the SDK as the error %s (HTTP %i) and writes nothing', async (kind, name, status) => {
  proxy.injectFault({ operation: 'PutItem', kind: kind as DynamoDbFaultKind });
  const error = await failure(put(`failed-${kind}`));
  if (kind !== 'http500') expect(error.name).toBe(name);
  expect(error.$metadata?.httpStatusCode).toBe(status);
  expect(await stored(`failed-${kind}`)).toBeUndefined();
});

it('reset drops the connection without forwarding; lostResponse forwards, applies, then drops it', async () => {
  proxy.injectFault({ operation: 'PutItem', kind: 'reset' });
  await failure(put('reset-user'));
  expect(await stored('reset-user')).toBeUndefined();
  proxy.injectFault({ operation: 'PutItem', kind: 'lostResponse' });
  await failure(put('lost-user'));
  expect(await stored('lost-user')).toEqual(item('lost-user'));
});

it('unprocessedItems hands every request of a BatchWriteItem back and writes nothing', async () => {
  proxy.injectFault({ operation: 'BatchWriteItem', kind: 'unprocessedItems' });
  const answer = await viaProxy.send(
    new BatchWriteItemCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: item('batched') } }] } }),
  );
  expect(answer.UnprocessedItems?.[TABLE]).toEqual([{ PutRequest: { Item: item('batched') } }]);
  expect(await stored('batched')).toBeUndefined();
  expect(() => proxy.injectFault({ operation: 'PutItem', kind: 'unprocessedItems' })).toThrow(/BatchWriteItem only/);
});

it('after and count choose exactly which calls of an operation fail; other operations pass', async () => {
  proxy.injectFault({ operation: 'PutItem', kind: 'InternalServerError', after: 2, count: 2 });
  const outcomes: string[] = [];
  for (let i = 0; i < 5; i++)
    outcomes.push(
      await put(`seq-${i}`).then(
        () => 'ok',
        () => 'fail',
      ),
    );
  expect(outcomes).toEqual(['ok', 'ok', 'fail', 'fail', 'ok']);
  expect(proxy.pendingFaults()).toBe(0);
  proxy.injectFault({ operation: 'DeleteItem', kind: 'InternalServerError' });
  await put('other-operation');
  expect(proxy.pendingFaults()).toBe(1);
});

it("the SDK's standard retries ride out fewer failures than attempts", async () => {
  const retrying = new DynamoDBClient({ ...dynamodb.clientConfig(), endpoint: proxy.endpoint, maxAttempts: 3 });
  try {
    proxy.injectFault({ operation: 'PutItem', kind: 'InternalServerError', count: 2 });
    await retrying.send(new PutItemCommand({ TableName: TABLE, Item: item('retried') }));
    expect(await stored('retried')).toEqual(item('retried'));
  } finally {
    retrying.destroy();
  }
});
