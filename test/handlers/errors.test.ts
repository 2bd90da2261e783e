// SERVICE.md's error table: every Chime exception, DynamoDB failures and bugs map to one status and Code, and a
// 5xx never carries an upstream message or a stack trace. NotFound removes the meeting's stale mappings.
import {
  BadRequestException,
  BatchCreateAttendeeCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  ForbiddenException,
  GetMeetingCommand,
  LimitExceededException,
  ListAttendeesCommand,
  NotFoundException,
  ServiceFailureException,
  ServiceUnavailableException,
  ThrottlingException,
  UnauthorizedException,
  UnprocessableEntityException,
  ConflictException,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  UpdateItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ThrottlingException as DynamoDBThrottlingException,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/contract';
import { handler as batchHandler } from '../../lambda/batch-create-attendee';
import { handler as createHandler } from '../../lambda/create-attendee';
import { handler as listHandler } from '../../lambda/list-attendees';
import { isChimeNotFound, JoinServiceError, toJoinServiceError } from '../../lambda/shared/errors';
import { captureLogs, chimeAttendee, INDEX, MEETING, MEETING_ID, parseBody, proxyEvent, TABLE } from './fixtures';

process.env[ENV.tableName] = TABLE;
process.env[ENV.authMode] = 'iam';
const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
let logs: string[];

beforeEach(() => {
  logs = captureLogs();
  chime.reset();
  dynamodb.reset();
  // The batch's look for banned users (the byMeeting index, filtered on BannedAt) finds none unless a test says so.
  dynamodb.on(QueryCommand, { FilterExpression: 'attribute_exists(#banned)' }).resolves({ Items: [] });
  chime.on(CreateAttendeeCommand).resolves({ Attendee: chimeAttendee('alice') });
  chime.on(GetMeetingCommand).resolves({ Meeting: MEETING });
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(GetItemCommand).resolves({}); // no ban: the join's look before Chime finds no item
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  dynamodb.on(BatchWriteItemCommand).resolves({});
});
afterEach(() => jest.restoreAllMocks());

const SECRET = 'arn:aws:iam::123456789012:role/JoinServiceRole is not authorized';
const meta = { $metadata: { httpStatusCode: 400, requestId: 'chime-req-9' } };
const withResponseHeaders = <E extends Error>(err: E, headers: Record<string, string>): E =>
  Object.defineProperty(err, '$response', { value: { statusCode: 429, headers } });
const joinAlice = () => createHandler(proxyEvent({ body: { ExternalUserId: 'alice' } }));

interface Mapping {
  name: string;
  error: Error;
  status: number;
  code: string;
  retryAfter?: string;
  /** For 4xx: Chime's message is passed on. For 5xx: the generic message must not contain this. */
  message?: string;
  hidden?: string;
}

describe('error table', () => {
  const mappings: Mapping[] = [
    {
      name: 'BadRequestException with its Code',
      error: new BadRequestException({ ...meta, Code: 'BadRequest', message: 'Invalid capabilities' }),
      status: 400,
      code: 'BadRequest',
      message: 'Invalid capabilities',
    },
    {
      name: 'BadRequestException without a Code',
      error: new BadRequestException({ ...meta, message: 'Bad' }),
      status: 400,
      code: 'BadRequest',
      message: 'Bad',
    },
    {
      name: 'LimitExceededException (the 250 cap)',
      error: new LimitExceededException({ ...meta, Code: 'LimitExceeded', message: 'Attendee limit reached' }),
      status: 400,
      code: 'LimitExceeded',
      message: 'Attendee limit reached',
    },
    {
      name: 'LimitExceededException without a Code',
      error: new LimitExceededException({ ...meta, message: 'limit' }),
      status: 400,
      code: 'LimitExceeded',
    },
    {
      name: 'NotFoundException',
      error: new NotFoundException({ ...meta, Code: 'NotFound', message: 'The meeting does not exist' }),
      status: 404,
      code: 'NotFound',
      message: 'The meeting does not exist',
    },
    {
      name: 'ConflictException',
      error: new ConflictException({ ...meta, message: 'ClientRequestToken reused with other parameters' }),
      status: 409,
      code: 'Conflict',
      message: 'ClientRequestToken reused with other parameters',
    },
    {
      name: 'UnprocessableEntityException',
      error: new UnprocessableEntityException({ ...meta, message: 'Unprocessable' }),
      status: 422,
      code: 'UnprocessableEntity',
    },
    {
      name: 'ThrottlingException without a hint',
      error: new ThrottlingException({ ...meta, message: SECRET }),
      status: 429,
      code: 'Throttling',
      retryAfter: '1',
      hidden: SECRET,
    },
    {
      name: 'ThrottlingException with a Retry-After header',
      error: withResponseHeaders(new ThrottlingException({ ...meta, message: 'slow down' }), { 'retry-after': '7' }),
      status: 429,
      code: 'Throttling',
      retryAfter: '7',
    },
    {
      name: 'ServiceUnavailableException with RetryAfterSeconds',
      error: new ServiceUnavailableException({ ...meta, message: SECRET, RetryAfterSeconds: '30' }),
      status: 503,
      code: 'ServiceUnavailable',
      retryAfter: '30',
      hidden: SECRET,
    },
    {
      name: 'ServiceUnavailableException without a hint',
      error: new ServiceUnavailableException({ ...meta, message: 'down' }),
      status: 503,
      code: 'ServiceUnavailable',
      retryAfter: '5',
    },
    {
      name: 'ServiceUnavailableException with an HTTP-date hint',
      error: new ServiceUnavailableException({
        ...meta,
        message: 'down',
        RetryAfterSeconds: 'Wed, 21 Oct 2030 07:28:00 GMT',
      }),
      status: 503,
      code: 'ServiceUnavailable',
      retryAfter: '5',
    },
    {
      name: 'ServiceUnavailableException with a huge hint',
      error: new ServiceUnavailableException({ ...meta, message: 'down', RetryAfterSeconds: '999999' }),
      status: 503,
      code: 'ServiceUnavailable',
      retryAfter: '300',
    },
    {
      name: 'ServiceFailureException',
      error: new ServiceFailureException({ ...meta, message: SECRET }),
      status: 502,
      code: 'UpstreamFailure',
      hidden: SECRET,
    },
    {
      name: 'ForbiddenException',
      error: new ForbiddenException({ ...meta, message: SECRET }),
      status: 502,
      code: 'UpstreamFailure',
      hidden: SECRET,
    },
    {
      name: 'UnauthorizedException',
      error: new UnauthorizedException({ ...meta, message: SECRET }),
      status: 502,
      code: 'UpstreamFailure',
      hidden: SECRET,
    },
    {
      name: 'an unexpected error',
      error: new TypeError(`Cannot read properties of undefined (${SECRET})`),
      status: 500,
      code: 'InternalFailure',
      hidden: SECRET,
    },
  ];

  it.each(mappings)('maps $name to $status $code', async ({ error, status, code, retryAfter, message, hidden }) => {
    chime.on(CreateAttendeeCommand).rejects(error);
    const result = await joinAlice();
    const body = parseBody(result);
    expect({ status: result.statusCode, code: body.Code, retryAfter: result.headers?.['Retry-After'] }).toEqual({
      status,
      code,
      retryAfter,
    });
    expect(Object.keys(body).sort()).toEqual(['Code', 'Message', 'RequestId']);
    expect(body.RequestId).toBe('req-1');
    if (message) expect(body.Message).toBe(message);
    if (hidden) expect(result.body).not.toContain(hidden);
    expect(result.body).not.toMatch(/\n\s+at /);
    // The caller got no mapping for a join that failed.
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('maps a DynamoDB failure to 500 InternalFailure, even a DynamoDB ThrottlingException', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejects(new DynamoDBThrottlingException({ $metadata: {}, message: `throttled on table ${TABLE}` }));
    const result = await joinAlice();
    expect(result.statusCode).toBe(500);
    expect(parseBody(result)).toEqual({
      Code: 'InternalFailure',
      Message: 'The service could not complete the request.',
      RequestId: 'req-1',
    });
    expect(result.headers?.['Retry-After']).toBeUndefined();
    expect(result.body).not.toContain(TABLE);
  });

  it('logs a 5xx with the cause name and upstream request id, at error level', async () => {
    chime.on(CreateAttendeeCommand).rejects(new ServiceFailureException({ ...meta, message: 'boom' }));
    await joinAlice();
    // The error-level line (the EMF record of the same request is checked in http.test.ts).
    const line = JSON.parse(logs.find((l) => l.includes('"statusCode":502') && !l.includes('"_aws"'))!);
    expect(line).toMatchObject({
      requestId: 'req-1',
      operation: 'create-attendee',
      statusCode: 502,
      errorCode: 'UpstreamFailure',
      cause: { name: 'ServiceFailureException', upstreamRequestId: 'chime-req-9' },
    });
    expect(console.error).toHaveBeenCalled();
  });
});

describe('stale mappings of a meeting Chime no longer knows', () => {
  const notFound = () => new NotFoundException({ ...meta, Code: 'NotFound', message: 'Meeting not found' });
  /** The byMeeting index holds `count` mappings of the meeting, answered in pages of `pageSize`. */
  function indexHolds(count: number, pageSize: number) {
    const items = Array.from({ length: count }, (_, i) => ({
      ExternalUserId: { S: `user-${i}` },
      MeetingId: { S: MEETING_ID },
    }));
    // Pages follow ExclusiveStartKey; the batch's ban lookup (filtered on BannedAt) finds no banned user.
    dynamodb.on(QueryCommand).callsFake(async (input: QueryCommandInput) => {
      if (input.FilterExpression !== undefined) return { Items: [] };
      const start = input.ExclusiveStartKey ? items.indexOf(input.ExclusiveStartKey as never) + 1 : 0;
      const page = items.slice(start, start + pageSize);
      const last = start + pageSize >= count;
      return { Items: page, ...(last ? {} : { LastEvaluatedKey: page[page.length - 1] }) };
    });
    return items;
  }
  const deletedKeys = () =>
    dynamodb
      .commandCalls(BatchWriteItemCommand)
      .flatMap((c) => c.args[0].input.RequestItems![TABLE])
      .map((r) => r.DeleteRequest!.Key);

  const cases: { name: string; arrange: () => void; invoke: () => Promise<APIGatewayProxyResult> }[] = [
    { name: 'CreateAttendee', arrange: () => chime.on(CreateAttendeeCommand).rejects(notFound()), invoke: joinAlice },
    {
      // The meeting ended between the calls: the attendee died with it, so no mapping is written either.
      name: 'GetMeeting after CreateAttendee succeeded',
      arrange: () => chime.on(GetMeetingCommand).rejects(notFound()),
      invoke: joinAlice,
    },
    {
      name: 'BatchCreateAttendee',
      arrange: () => chime.on(BatchCreateAttendeeCommand).rejects(notFound()),
      invoke: () => batchHandler(proxyEvent({ body: { Attendees: [{ ExternalUserId: 'bob' }] } })),
    },
    {
      name: 'ListAttendees',
      arrange: () => chime.on(ListAttendeesCommand).rejects(notFound()),
      invoke: () => listHandler(proxyEvent({ path: { MeetingId: MEETING_ID } })),
    },
  ];

  it.each(cases)(
    "NotFound from $name answers 404 and removes all the meeting's mappings",
    async ({ arrange, invoke }) => {
      arrange();
      const items = indexHolds(30, 20);
      const result = await invoke();
      expect(result.statusCode).toBe(404);
      expect(parseBody(result).Code).toBe('NotFound');
      // The purge's pages (a batch also looks for banned users first, with its own filtered query).
      const queries = dynamodb
        .commandCalls(QueryCommand)
        .map((c) => c.args[0].input)
        .filter((input) => input.FilterExpression === undefined);
      expect(queries).toHaveLength(2);
      // The exact request: its key condition, projection and attribute names are what makes it this meeting's keys.
      expect(queries[0]).toEqual({
        TableName: TABLE,
        IndexName: INDEX,
        KeyConditionExpression: '#m = :m',
        ProjectionExpression: '#pk, #m',
        ExpressionAttributeNames: { '#m': 'MeetingId', '#pk': 'ExternalUserId' },
        ExpressionAttributeValues: { ':m': { S: MEETING_ID } },
        ExclusiveStartKey: undefined,
      });
      expect(queries[1].ExclusiveStartKey).toEqual(items[19]);
      expect(deletedKeys()).toEqual(items);
      expect(
        dynamodb.commandCalls(BatchWriteItemCommand).every((c) => c.args[0].input.RequestItems![TABLE].length <= 25),
      ).toBe(true);
      expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    },
  );

  it('retries the deletes DynamoDB leaves unprocessed', async () => {
    chime.on(CreateAttendeeCommand).rejects(notFound());
    const items = indexHolds(3, 10);
    dynamodb
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [{ DeleteRequest: { Key: items[2] } }] } })
      .resolves({});
    const result = await joinAlice();
    expect(result.statusCode).toBe(404);
    expect(deletedKeys()).toEqual([...items, items[2]]);
  });

  it('answers 500 when the clean-up itself fails, so the retry finishes it', async () => {
    chime.on(CreateAttendeeCommand).rejects(notFound());
    dynamodb.on(QueryCommand).rejects(new Error('DynamoDB down'));
    const result = await joinAlice();
    expect(result.statusCode).toBe(500);
  });
});

// The mapping itself, without a handler around it: what reaches the answer of each sanitiser and fallback.
describe('toJoinServiceError', () => {
  const throttled = (headers: Record<string, string>) =>
    withResponseHeaders(new ThrottlingException({ ...meta, message: 'slow down' }), headers);
  const unavailable = (RetryAfterSeconds: unknown) =>
    new ServiceUnavailableException({ ...meta, message: 'down', RetryAfterSeconds: RetryAfterSeconds as string });
  const retryAfterOf = (err: Error) => toJoinServiceError(err).headers?.['Retry-After'];

  it.each([
    ['12abc', '5'],
    ['abc12', '5'],
    ['1 2', '5'],
    ['', '5'],
    ['1234567', '5'],
    ['123456', '300'],
    [' 12 ', '12'],
    ['0', '0'],
    ['300', '300'],
    ['301', '300'],
  ])('passes on a RetryAfterSeconds of %j as Retry-After %s (delta-seconds only, at most 300)', (hint, expected) => {
    expect(retryAfterOf(unavailable(hint))).toBe(expected);
  });

  it('answers 429 and 503 with fixed messages and the default Retry-After when the response has no headers', () => {
    const bare = Object.defineProperty(new ThrottlingException({ ...meta, message: 'slow down' }), '$response', {
      value: { statusCode: 429 },
    });
    expect(toJoinServiceError(bare)).toMatchObject({
      statusCode: 429,
      code: 'Throttling',
      message: 'Too many requests to Amazon Chime; retry later.',
      headers: { 'Retry-After': '1' },
    });
    expect(toJoinServiceError(new ServiceUnavailableException({ ...meta, message: 'down' }))).toMatchObject({
      statusCode: 503,
      code: 'ServiceUnavailable',
      message: 'Amazon Chime is unavailable; retry later.',
      headers: { 'Retry-After': '5' },
    });
  });

  it('answers every other Chime failure 502 with a fixed message that names nothing of ours', () => {
    const err = toJoinServiceError(new ServiceFailureException({ ...meta, message: SECRET }));
    expect(err).toMatchObject({ statusCode: 502, code: 'UpstreamFailure' });
    expect(err.message).toBe('Amazon Chime failed to complete the request.');
    expect(err.headers).toBeUndefined();
  });

  it('is an Error named JoinServiceError (so logs tell it from what it replaced)', () => {
    const err = new JoinServiceError(400, 'BadRequest', 'no');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('JoinServiceError');
  });

  it('takes no Retry-After hint that is not text (a number from a misbehaving peer): the default', () => {
    expect(retryAfterOf(unavailable(30))).toBe('5');
  });

  it("prefers the exception's RetryAfterSeconds to the response header, and reads the header when it has none", () => {
    const err = withResponseHeaders(unavailable('30'), { 'retry-after': '7' });
    expect(retryAfterOf(err)).toBe('30');
    expect(retryAfterOf(throttled({ 'retry-after': '12abc' }))).toBe('1');
    expect(retryAfterOf(throttled({ 'retry-after': '9' }))).toBe('9');
    expect(retryAfterOf(throttled({ 'Retry-After': '9' }))).toBe('1'); // the SDK lower-cases header names
  });

  it.each([
    ['a Code of letters', 'LimitExceeded', 'LimitExceeded'],
    ['64 letters', 'A'.repeat(64), 'A'.repeat(64)],
    ['65 letters', 'A'.repeat(65), 'BadRequest'],
    ['a leading digit', '1Bad', 'BadRequest'],
    ['a trailing digit', 'Bad1', 'BadRequest'],
    ['a space', 'Bad Request', 'BadRequest'],
    ['markup', '<b>Bad</b>', 'BadRequest'],
    ['an empty Code', '', 'BadRequest'],
    ['a Code that is not text', 42, 'BadRequest'],
  ])("passes on Chime's Code only when it is 1 to 64 letters: %s", (_, Code, expected) => {
    const err = new BadRequestException({ ...meta, message: 'no', Code: Code as string });
    expect(toJoinServiceError(err).code).toBe(expected);
  });

  it('names the code after the exception, without its Exception suffix, when Chime gives no usable Code', () => {
    expect(toJoinServiceError(new LimitExceededException({ ...meta, message: 'x' })).code).toBe('LimitExceeded');
    expect(toJoinServiceError(new LimitExceededException({ ...meta, message: 'x', Code: '4' })).code).toBe(
      'LimitExceeded',
    );
    expect(toJoinServiceError(new BadRequestException({ ...meta, message: 'x' })).code).toBe('BadRequest');
  });

  it.each([
    ['Message over message', { Message: 'from Message', message: 'from message' }, 'from Message'],
    ['message when Message is empty', { Message: '', message: 'from message' }, 'from message'],
    ['message when Message is not text', { Message: 7, message: 'from message' }, 'from message'],
    ['the fallback when both are empty', { Message: '', message: '' }, 'Amazon Chime rejected the request.'],
    ['the fallback for UnknownError', { message: 'UnknownError' }, 'Amazon Chime rejected the request.'],
  ])("takes a 4xx's message from %s", (_, fields, expected) => {
    const err = new BadRequestException({ ...meta, ...(fields as { message: string }) });
    expect(toJoinServiceError(err).message).toBe(expected);
  });

  it.each([
    [new NotFoundException({ ...meta, message: '' }), 404, 'NotFound', 'The meeting or attendee was not found.'],
    [new ConflictException({ ...meta, message: '' }), 409, 'Conflict', 'Amazon Chime refused a conflicting request.'],
    [
      new UnprocessableEntityException({ ...meta, message: 'UnknownError' }),
      422,
      'UnprocessableEntity',
      'Amazon Chime could not process the request.',
    ],
  ])('answers %p with its own fallback message when Chime gives none', (err, status, code, message) => {
    expect(toJoinServiceError(err)).toMatchObject({ statusCode: status, code, message });
    expect(toJoinServiceError(err).headers).toBeUndefined();
  });

  it('returns a JoinServiceError as it is, and anything else that is not Chime as 500', () => {
    const own = new JoinServiceError(418, 'Teapot', 'short and stout');
    expect(toJoinServiceError(own)).toBe(own);
    const notChime = Object.assign(new Error('gone'), { name: 'NotFoundException' });
    expect(toJoinServiceError(notChime)).toMatchObject({ statusCode: 500, code: 'InternalFailure' });
    expect(toJoinServiceError('a string')).toMatchObject({ statusCode: 500, code: 'InternalFailure' });
  });

  it("tells Chime's NotFound from every other error, and from another service's error of the same name", () => {
    expect(isChimeNotFound(new NotFoundException({ ...meta, message: 'gone' }))).toBe(true);
    expect(isChimeNotFound(new ThrottlingException({ ...meta, message: 'slow' }))).toBe(false);
    expect(isChimeNotFound(Object.assign(new Error('gone'), { name: 'NotFoundException' }))).toBe(false);
    expect(isChimeNotFound(undefined)).toBe(false);
  });
});
