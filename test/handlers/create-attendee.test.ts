// The single join: mapping written once with a condition, idempotent re-join, stale mapping repair, and the
// JoinToken kept out of the table and the logs.
import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  GetMeetingCommand,
  ThrottlingException,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/contract';
import { createAttendee, handler } from '../../lambda/create-attendee';
import { type JoinServiceError } from '../../lambda/shared/errors';
import {
  ATTENDEE_ID,
  captureLogs,
  requestRecord,
  chimeAttendee,
  MEETING,
  MEETING_ID,
  NOW,
  NOW_SECONDS,
  OTHER_ATTENDEE_ID,
  parseBody,
  proxyEvent,
  request,
  TABLE,
  testDeps,
  TTL_SECONDS,
} from './fixtures';

process.env[ENV.tableName] = TABLE;
process.env[ENV.authMode] = 'iam';
const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
const alice = { ...chimeAttendee('alice'), AttendeeId: ATTENDEE_ID };
const conditionFailed = () =>
  new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });
const join = (body: object, deps = testDeps()) => createAttendee(request({ body: JSON.stringify(body) }), deps);

beforeEach(() => {
  captureLogs();
  chime.reset();
  dynamodb.reset();
  chime.on(CreateAttendeeCommand).resolves({ Attendee: alice });
  chime.on(GetMeetingCommand).resolves({ Meeting: MEETING });
  dynamodb.on(PutItemCommand).resolves({});
});
afterEach(() => jest.restoreAllMocks());

it('answers 201 with the Attendee and the Meeting for a new mapping, written on condition none exists', async () => {
  const tags = [{ Key: 'role', Value: 'host' }];
  const response = await join({ ExternalUserId: 'alice', Capabilities: alice.Capabilities, Tags: tags });

  expect(response).toEqual({
    statusCode: 201,
    body: {
      Attendee: {
        ExternalUserId: 'alice',
        AttendeeId: ATTENDEE_ID,
        JoinToken: alice.JoinToken,
        Capabilities: alice.Capabilities,
      },
      Meeting: MEETING,
    },
  });
  expect(chime.commandCalls(CreateAttendeeCommand)[0].args[0].input).toEqual({
    MeetingId: MEETING_ID,
    ExternalUserId: 'alice',
    Capabilities: alice.Capabilities,
  });
  expect(chime.commandCalls(GetMeetingCommand)[0].args[0].input).toEqual({ MeetingId: MEETING_ID });
  const puts = dynamodb.commandCalls(PutItemCommand);
  expect(puts).toHaveLength(1);
  expect(puts[0].args[0].input).toEqual({
    TableName: TABLE,
    Item: {
      ExternalUserId: { S: 'alice' },
      MeetingId: { S: MEETING_ID },
      AttendeeId: { S: ATTENDEE_ID },
      Capabilities: { M: { Audio: { S: 'SendReceive' }, Video: { S: 'SendReceive' }, Content: { S: 'SendReceive' } } },
      Tags: { L: [{ M: { Key: { S: 'role' }, Value: { S: 'host' } } }] },
      CreatedAt: { S: NOW.toISOString() },
      ExpiresAt: { N: String(NOW_SECONDS + TTL_SECONDS) },
    },
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': 'ExternalUserId' },
  });
});

it('stores the capabilities Chime chose and no Tags attribute when the request had neither', async () => {
  const chosen = { Audio: 'SendReceive', Video: 'Receive', Content: 'SendReceive' } as const;
  chime.on(CreateAttendeeCommand).resolves({ Attendee: { ...alice, Capabilities: chosen } });
  await join({ ExternalUserId: 'alice' });
  expect(chime.commandCalls(CreateAttendeeCommand)[0].args[0].input.Capabilities).toBeUndefined();
  const item = dynamodb.commandCalls(PutItemCommand)[0].args[0].input.Item!;
  expect(item.Capabilities).toEqual({
    M: { Audio: { S: 'SendReceive' }, Video: { S: 'Receive' }, Content: { S: 'SendReceive' } },
  });
  expect(item).not.toHaveProperty('Tags');
});

it('answers 200 for a re-join and leaves the existing mapping untouched', async () => {
  dynamodb.on(PutItemCommand).rejects(conditionFailed());
  dynamodb.on(GetItemCommand).resolves({ Item: { AttendeeId: { S: ATTENDEE_ID } } });

  const response = await join({ ExternalUserId: 'alice' });

  expect(response.statusCode).toBe(200);
  expect((response.body as { Attendee: { AttendeeId: string } }).Attendee.AttendeeId).toBe(ATTENDEE_ID);
  expect(chime.commandCalls(CreateAttendeeCommand)).toHaveLength(1);
  expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(1); // the conditional put that failed, nothing after
  expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toEqual({
    TableName: TABLE,
    Key: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
    ProjectionExpression: '#a',
    ExpressionAttributeNames: { '#a': 'AttendeeId' },
    ConsistentRead: true,
  });
});

it('overwrites a stale mapping (another AttendeeId) on condition it still holds that id, and answers 201', async () => {
  dynamodb.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
  dynamodb.on(GetItemCommand).resolves({ Item: { AttendeeId: { S: OTHER_ATTENDEE_ID } } });

  const response = await join({ ExternalUserId: 'alice' });

  expect(response.statusCode).toBe(201);
  const puts = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
  expect(puts).toHaveLength(2);
  expect(puts[1]).toMatchObject({
    ConditionExpression: '#a = :a',
    ExpressionAttributeNames: { '#a': 'AttendeeId' },
    ExpressionAttributeValues: { ':a': { S: OTHER_ATTENDEE_ID } },
  });
  expect(puts[1].Item!.AttendeeId).toEqual({ S: ATTENDEE_ID });
});

it('answers 200 when a concurrent join wrote the same attendee between the stale read and the overwrite', async () => {
  dynamodb.on(PutItemCommand).rejects(conditionFailed());
  dynamodb
    .on(GetItemCommand)
    .resolvesOnce({ Item: { AttendeeId: { S: OTHER_ATTENDEE_ID } } })
    .resolves({ Item: { AttendeeId: { S: ATTENDEE_ID } } });
  const response = await join({ ExternalUserId: 'alice' });
  expect(response.statusCode).toBe(200);
  expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(2);
});

it('fails with 500 when the mapping cannot be written, so the caller retries and the retry repairs it', async () => {
  dynamodb.on(PutItemCommand).rejects(new Error('DynamoDB is unreachable'));
  const handlerResult = await handler(proxyEvent({ body: { ExternalUserId: 'alice' } }));
  expect(handlerResult.statusCode).toBe(500);
  expect(parseBody(handlerResult).Code).toBe('InternalFailure');
  expect(handlerResult.body).not.toContain(alice.JoinToken);

  // The retry: Chime answers the same attendee (ExternalUserId is its idempotency token), the write succeeds.
  dynamodb.on(PutItemCommand).resolves({});
  expect((await join({ ExternalUserId: 'alice' })).statusCode).toBe(201);
  expect(chime.commandCalls(CreateAttendeeCommand).every((c) => c.args[0].input.ExternalUserId === 'alice')).toBe(true);
});

it('never writes the JoinToken to DynamoDB and never logs it', async () => {
  const logs = captureLogs();
  dynamodb.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
  dynamodb.on(GetItemCommand).resolves({ Item: { AttendeeId: { S: OTHER_ATTENDEE_ID } } });

  const result = await handler(proxyEvent({ body: { ExternalUserId: 'alice', Tags: [{ Key: 'k', Value: 'v' }] } }));

  expect(result.statusCode).toBe(201);
  expect(parseBody(result).Attendee.JoinToken).toBe(alice.JoinToken);
  expect(dynamodb.calls().length).toBeGreaterThan(0);
  for (const call of dynamodb.calls()) expect(JSON.stringify(call.args[0].input)).not.toContain(alice.JoinToken);
  expect(logs.length).toBeGreaterThan(0);
  for (const line of logs) expect(line).not.toContain(alice.JoinToken);
  expect(requestRecord(logs[0])).toMatchObject({
    requestId: 'req-1',
    Operation: 'create-attendee',
    statusCode: 201,
    Joins: 1,
  });
});

it('skips GetMeeting and answers without Meeting when includeMeeting is false', async () => {
  const response = await join({ ExternalUserId: 'alice' }, testDeps({ includeMeeting: false }));
  expect(response.statusCode).toBe(201);
  expect(response.body).not.toHaveProperty('Meeting');
  expect(chime.commandCalls(GetMeetingCommand)).toHaveLength(0);
});

it("writes the mapping but answers GetMeeting's error when only GetMeeting failed", async () => {
  chime.on(GetMeetingCommand).rejects(new ThrottlingException({ $metadata: {}, message: 'Rate exceeded' }));
  await expect(join({ ExternalUserId: 'alice' })).rejects.toBeInstanceOf(ThrottlingException);
  // The attendee exists in Chime, so the table knows it; the retry answers 200 with the Meeting.
  expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(1);
});

describe('the caller-identity seam (for token-based authorization modes)', () => {
  it('takes the ExternalUserId from the identity when the body has none', async () => {
    await createAttendee(request({ body: '{}', identity: { isAdmin: false, externalUserId: 'alice' } }), testDeps());
    expect(chime.commandCalls(CreateAttendeeCommand)[0].args[0].input.ExternalUserId).toBe('alice');
  });

  it("refuses with 403 a body ExternalUserId that differs from the caller's", async () => {
    const joining = createAttendee(
      request({
        body: JSON.stringify({ ExternalUserId: 'mallory' }),
        identity: { isAdmin: false, externalUserId: 'alice' },
      }),
      testDeps(),
    );
    await expect(joining).rejects.toMatchObject({
      statusCode: 403,
      code: 'Forbidden',
    } satisfies Partial<JoinServiceError>);
    expect(chime.calls()).toHaveLength(0);
  });
});
