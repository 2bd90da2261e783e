// The HTTP edge: event adaptation, error bodies, CORS, log lines, and the configuration read from env.
import { JoinServiceOperation } from '../../lib/operations';
import { ChimeSDKMeetingsClient, ListAttendeesCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_ATTENDEE_TTL_SECONDS, ENV } from '../../lib/contract';
import { handler as listHandler } from '../../lambda/list-attendees';
import { readConfig, readCorsAllowOrigins } from '../../lambda/shared/config';
import { serve, toJoinRequest, toProxyResult } from '../../lambda/shared/http';
import { captureLogs, MEETING_ID, parseBody, proxyEvent, request, requestRecord, TABLE } from './fixtures';

process.env[ENV.tableName] = TABLE;
process.env[ENV.authMode] = 'iam';
process.env[ENV.corsAllowOrigins] = 'https://app.example.com, https://admin.example.com';
const chime = mockClient(ChimeSDKMeetingsClient);
mockClient(DynamoDBClient);
let logs: string[];
beforeEach(() => {
  logs = captureLogs();
  chime.reset();
  chime.on(ListAttendeesCommand).resolves({ Attendees: [] });
});
afterEach(() => jest.restoreAllMocks());

describe('event adaptation', () => {
  it("lower-cases header names, leaves a base64 body for validation to decode and measure, and takes API Gateway's request id", () => {
    const event = proxyEvent({
      headers: { Origin: 'https://app.example.com' },
      body: { a: 1 },
      base64: true,
      requestId: 'gw-123',
    });
    const adapted = toJoinRequest(event);
    expect(adapted).toEqual({
      pathParameters: { MeetingId: MEETING_ID },
      queryStringParameters: {},
      headers: { origin: 'https://app.example.com' },
      body: Buffer.from('{"a":1}').toString('base64'),
      isBase64Encoded: true,
      requestId: 'gw-123',
    });
  });

  it('generates a UUID request id when the event has no requestContext', () => {
    const adapted = toJoinRequest(proxyEvent({ requestId: null }));
    expect(adapted.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('decodes percent-encoded path parameters once', () => {
    const adapted = toJoinRequest(proxyEvent({ path: { ExternalUserId: 'Jos%C3%A9%2520' } }));
    expect(adapted.pathParameters.ExternalUserId).toBe('José%20');
  });
});

describe('responses', () => {
  it('answers JSON with no-store caching, and the allowed Origin echoed with Vary', async () => {
    const result = await listHandler(proxyEvent({ headers: { origin: 'https://app.example.com' } }));
    expect(result).toEqual({
      statusCode: 200,
      headers: {
        'Cache-Control': 'no-store',
        'Content-Type': 'application/json',
        Vary: 'Origin',
        'Access-Control-Allow-Origin': 'https://app.example.com',
      },
      body: JSON.stringify({ Attendees: [] }),
    });
  });

  it('does not echo an Origin outside the list, but still varies on it', async () => {
    const result = await listHandler(proxyEvent({ headers: { Origin: 'https://evil.example.com' } }));
    expect(result.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(result.headers?.Vary).toBe('Origin');
  });

  it.each([
    ['no list configured', [], 'https://a.example', undefined, undefined],
    ['a listed origin', ['https://a.example'], 'https://a.example', 'https://a.example', 'Origin'],
    ['an origin that only prefixes a listed one', ['https://a.example'], 'https://a.exampl', undefined, 'Origin'],
    ['a wildcard list', ['*'], 'https://any.example', 'https://any.example', 'Origin'],
    ['no Origin header', ['https://a.example'], undefined, undefined, 'Origin'],
  ])('CORS with %s', (_name, allow, origin, allowed, vary) => {
    const result = toProxyResult({ statusCode: 200, body: {} }, origin, allow);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe(allowed);
    expect(result.headers?.Vary).toBe(vary);
  });

  it('exposes Retry-After to browser scripts on a CORS error answer', () => {
    const result = toProxyResult({ statusCode: 429, headers: { 'Retry-After': '1' }, body: {} }, 'https://a.example', [
      'https://a.example',
    ]);
    expect(result.headers).toMatchObject({ 'Retry-After': '1', 'Access-Control-Expose-Headers': 'Retry-After' });
  });

  it('answers 204 with an empty body and no content type', () => {
    expect(toProxyResult({ statusCode: 204 }, undefined, [])).toEqual({
      statusCode: 204,
      headers: { 'Cache-Control': 'no-store' },
      body: '',
    });
  });

  it('logs one line per request: id, operation, status, duration and error code, never the request body', async () => {
    const secret = 'personal-value-9876';
    const response = await serve(
      JoinServiceOperation.CREATE_ATTENDEE,
      request({ body: JSON.stringify({ ExternalUserId: 'x', Note: secret }) }),
      async () => {
        throw Object.assign(new Error('bad'), { name: 'Whatever' });
      },
    );
    expect(response).toEqual({
      statusCode: 500,
      headers: undefined,
      body: { Code: 'InternalFailure', Message: 'The service could not complete the request.', RequestId: 'req-1' },
    });
    // The EMF record (log line and metrics at once), then the error-level line of a failure.
    expect(logs).toHaveLength(2);
    expect(requestRecord(logs[0])).toEqual({
      Service: 'local',
      Operation: 'create-attendee',
      Requests: 1,
      Latency: expect.any(Number),
      Joins: 0,
      ChimeThrottles: 0,
      ErrorCode: 'InternalFailure',
      Errors: 1,
      requestId: 'req-1',
      statusCode: 500,
      cause: { name: 'Whatever', message: 'bad' },
    });
    expect(JSON.parse(logs[1])).toEqual({
      requestId: 'req-1',
      operation: 'create-attendee',
      statusCode: 500,
      durationMs: expect.any(Number),
      errorCode: 'InternalFailure',
      cause: { name: 'Whatever', message: 'bad' },
    });
    for (const line of logs) expect(line).not.toContain(secret);
  });

  it('logs a 4xx without its cause or message', async () => {
    const result = await listHandler(proxyEvent({ path: { MeetingId: 'nope' } }));
    expect(parseBody(result).Code).toBe('BadRequest');
    expect(logs).toHaveLength(1);
    expect(requestRecord(logs[0])).toEqual({
      Service: 'local',
      Operation: 'list-attendees',
      Requests: 1,
      Latency: expect.any(Number),
      Joins: 0,
      ChimeThrottles: 0,
      ErrorCode: 'BadRequest',
      Errors: 1,
      requestId: 'req-1',
      statusCode: 400,
    });
  });
});

describe('configuration', () => {
  it('applies the defaults', () => {
    expect(readConfig({ [ENV.tableName]: 't' })).toEqual({
      tableName: 't',
      meetingIndexName: 'byMeeting',
      includeMeeting: true,
      attendeeTtlSeconds: DEFAULT_ATTENDEE_TTL_SECONDS,
      meetingTableName: undefined,
      meetingCreation: 'admins',
      mediaRegions: [],
      eventBusName: undefined,
      sweepMaxChecks: 100,
    });
  });

  it('reads every setting', () => {
    const env = {
      [ENV.tableName]: 't',
      [ENV.meetingIndexName]: 'idx',
      [ENV.includeMeeting]: 'false',
      [ENV.attendeeTtlSeconds]: '600',
      [ENV.meetingTableName]: 'meetings',
      [ENV.meetingCreation]: 'users',
      [ENV.mediaRegions]: 'eu-central-1, us-east-1',
    };
    expect(readConfig(env)).toEqual({
      tableName: 't',
      meetingIndexName: 'idx',
      includeMeeting: false,
      attendeeTtlSeconds: 600,
      meetingTableName: 'meetings',
      meetingCreation: 'users',
      mediaRegions: ['eu-central-1', 'us-east-1'],
      eventBusName: undefined,
      sweepMaxChecks: 100,
    });
  });

  it.each([
    [{}, ENV.tableName],
    [{ [ENV.tableName]: 't', [ENV.includeMeeting]: 'yes' }, ENV.includeMeeting],
    [{ [ENV.tableName]: 't', [ENV.attendeeTtlSeconds]: '-5' }, ENV.attendeeTtlSeconds],
    [{ [ENV.tableName]: 't', [ENV.attendeeTtlSeconds]: '1.5' }, ENV.attendeeTtlSeconds],
    [{ [ENV.tableName]: 't', [ENV.meetingCreation]: 'everyone' }, ENV.meetingCreation],
  ])('refuses a broken deployment %o, naming %s', (env, name) => {
    expect(() => readConfig(env)).toThrow(name);
  });

  it('splits and trims the CORS origin list', () => {
    expect(readCorsAllowOrigins({ [ENV.corsAllowOrigins]: ' https://a.example ,,https://b.example' })).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(readCorsAllowOrigins({})).toEqual([]);
  });
});
