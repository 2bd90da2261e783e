// The single join: mapping written once with a condition, idempotent re-join, replacement of a removed attendee's
// mapping, refusal of one recorded as removed, and the JoinToken kept out of the table and the logs.
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
  UpdateItemCommand,
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
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(GetItemCommand).resolves({}); // no ban: the join's look before Chime finds no item
});
afterEach(() => jest.restoreAllMocks());
/** The write's re-reads of the item after a condition failed (apart from the join's look for a ban before Chime). */
const rereads = () =>
  dynamodb.commandCalls(GetItemCommand).filter((call) => call.args[0].input.ProjectionExpression !== '#banned');

it('answers 201 with the Attendee and the Meeting for a new mapping, written in one conditional update', async () => {
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
  const updates = dynamodb.commandCalls(UpdateItemCommand);
  expect(updates).toHaveLength(1);
  expect(updates[0].args[0].input).toEqual({
    TableName: TABLE,
    Key: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
    UpdateExpression:
      'SET #a = :a, #exp = :exp, #created = if_not_exists(#created, :created), ' +
      '#caps = if_not_exists(#caps, :caps), #tags = if_not_exists(#tags, :tags)',
    // This attendee already (a re-join), or none yet; never for a banned user, never one recorded as removed or
    // being removed.
    ConditionExpression:
      '(#a = :a OR attribute_not_exists(#a)) AND attribute_not_exists(#banned) AND ' +
      '(attribute_not_exists(#removed) OR NOT contains(#removed, :a)) AND ' +
      '(attribute_not_exists(#removing) OR NOT contains(#removing, :a) OR #since < :stale)',
    ExpressionAttributeNames: {
      '#a': 'AttendeeId',
      '#banned': 'BannedAt',
      '#exp': 'ExpiresAt',
      '#caps': 'Capabilities',
      '#created': 'CreatedAt',
      '#tags': 'Tags',
      '#removed': 'RemovedAttendeeIds',
      '#removing': 'RemovingAttendeeIds',
      '#since': 'RemovingSince',
    },
    ExpressionAttributeValues: {
      ':a': { S: ATTENDEE_ID },
      ':exp': { N: String(NOW_SECONDS + TTL_SECONDS) },
      ':created': { S: NOW.toISOString() },
      ':caps': { M: { Audio: { S: 'SendReceive' }, Video: { S: 'SendReceive' }, Content: { S: 'SendReceive' } } },
      ':tags': { L: [{ M: { Key: { S: 'role' }, Value: { S: 'host' } } }] },
      ':stale': { N: String(NOW.getTime() - 60_000) },
    },
    ReturnValues: 'UPDATED_OLD',
  });
});

it('stores the capabilities Chime chose and no Tags attribute when the request had neither', async () => {
  const chosen = { Audio: 'SendReceive', Video: 'Receive', Content: 'SendReceive' } as const;
  chime.on(CreateAttendeeCommand).resolves({ Attendee: { ...alice, Capabilities: chosen } });
  await join({ ExternalUserId: 'alice' });
  expect(chime.commandCalls(CreateAttendeeCommand)[0].args[0].input.Capabilities).toBeUndefined();
  const input = dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input;
  expect(input.ExpressionAttributeValues![':caps']).toEqual({
    M: { Audio: { S: 'SendReceive' }, Video: { S: 'Receive' }, Content: { S: 'SendReceive' } },
  });
  expect(input.UpdateExpression).not.toContain('#tags');
  expect(input.ExpressionAttributeNames).not.toHaveProperty('#tags');
});

it('answers 200 for a re-join: the update found this attendee already mapped (its lifetime renewed)', async () => {
  dynamodb.on(UpdateItemCommand).resolves({ Attributes: { AttendeeId: { S: ATTENDEE_ID } } });

  const response = await join({ ExternalUserId: 'alice' });

  expect(response.statusCode).toBe(200);
  expect((response.body as { Attendee: { AttendeeId: string } }).Attendee.AttendeeId).toBe(ATTENDEE_ID);
  expect(chime.commandCalls(CreateAttendeeCommand)).toHaveLength(1);
  expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  expect(rereads()).toHaveLength(0);
});

it('replaces a mapping of another attendee, recording that one as removed, on condition it still holds it: 201', async () => {
  dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
  dynamodb.on(GetItemCommand).resolves({ Item: { AttendeeId: { S: OTHER_ATTENDEE_ID } } });

  const response = await join({ ExternalUserId: 'alice' });

  expect(response.statusCode).toBe(201);
  expect(rereads()[0].args[0].input).toEqual({
    TableName: TABLE,
    Key: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
    ConsistentRead: true,
  });
  const updates = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
  expect(updates).toHaveLength(2);
  expect(updates[1].ConditionExpression).toMatch(/^#a = :old AND /);
  expect(updates[1].UpdateExpression).toMatch(/ ADD #removed :oldIds/);
  expect(updates[1].ExpressionAttributeValues).toMatchObject({
    ':old': { S: OTHER_ATTENDEE_ID },
    ':oldIds': { SS: [OTHER_ATTENDEE_ID] },
    ':a': { S: ATTENDEE_ID },
  });
});

it.each([
  ['recorded as removed', { RemovedAttendeeIds: { SS: [ATTENDEE_ID] } }],
  ['being removed', { RemovingAttendeeIds: { SS: [ATTENDEE_ID] }, RemovingSince: { N: String(NOW.getTime() - 1000) } }],
])('answers 409 Conflict when Chime answered an attendee the table records as %s', async (_name, item) => {
  dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
  dynamodb.on(GetItemCommand).resolves({ Item: { ExternalUserId: { S: 'alice' }, ...item } });
  await expect(join({ ExternalUserId: 'alice' })).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
  expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
});

it('ignores a removal mark older than a minute (a removal that died half-way) and retries the write', async () => {
  dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
  dynamodb.on(GetItemCommand).resolves({
    Item: { RemovingAttendeeIds: { SS: [ATTENDEE_ID] }, RemovingSince: { N: String(NOW.getTime() - 61_000) } },
  });
  expect((await join({ ExternalUserId: 'alice' })).statusCode).toBe(201);
  expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(2);
});

it('gives up with 500 after three conditional writes that keep losing to concurrent changes', async () => {
  dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
  dynamodb
    .on(GetItemCommand)
    .resolvesOnce({ Item: { AttendeeId: { S: OTHER_ATTENDEE_ID } } })
    .resolves({ Item: { AttendeeId: { S: '11111111-2222-3333-4444-555555555555' } } });
  const result = await handler(proxyEvent({ body: { ExternalUserId: 'alice' } }));
  expect(result.statusCode).toBe(500);
  expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(3);
});

it('fails with 500 when the mapping cannot be written, so the caller retries and the retry repairs it', async () => {
  dynamodb.on(UpdateItemCommand).rejects(new Error('DynamoDB is unreachable'));
  const handlerResult = await handler(proxyEvent({ body: { ExternalUserId: 'alice' } }));
  expect(handlerResult.statusCode).toBe(500);
  expect(parseBody(handlerResult).Code).toBe('InternalFailure');
  expect(handlerResult.body).not.toContain(alice.JoinToken);
  expect(rereads()).toHaveLength(0);

  // The retry: Chime answers the same attendee (ExternalUserId is its idempotency token), the write succeeds.
  dynamodb.on(UpdateItemCommand).resolves({});
  expect((await join({ ExternalUserId: 'alice' })).statusCode).toBe(201);
  expect(chime.commandCalls(CreateAttendeeCommand).every((c) => c.args[0].input.ExternalUserId === 'alice')).toBe(true);
});

it('never writes the JoinToken to DynamoDB and never logs it', async () => {
  const logs = captureLogs();
  dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
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
  expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
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
