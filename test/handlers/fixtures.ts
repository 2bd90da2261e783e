// Shared test fixtures for the handler tests: events, requests, dependencies with mocked clients, sample data.
import { type Attendee, ChimeSDKMeetingsClient } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Deps } from '../../lambda/shared/clients';
import type { HandlerConfig } from '../../lambda/shared/config';
import type { JoinRequest } from '../../lambda/shared/http';

export const MEETING_ID = '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11';
export const ATTENDEE_ID = '7d4e1c11-3f0a-4b8e-a2a5-5b9a0e6c7d22';
export const OTHER_ATTENDEE_ID = '0f9a8b7c-6d5e-4f3a-8b2c-1d0e9f8a7b33';
export const TABLE = 'attendees';
export const INDEX = 'byMeeting';
export const NOW = new Date('2030-01-02T03:04:05.678Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
export const TTL_SECONDS = 3600;

export const CONFIG: HandlerConfig = {
  tableName: TABLE,
  meetingIndexName: INDEX,
  includeMeeting: true,
  attendeeTtlSeconds: TTL_SECONDS,
  meetingTableName: 'meetings',
  meetingCreation: 'admins',
  mediaRegions: [],
  sweepMaxChecks: 100,
};

/** Real clients (their `send` is replaced by aws-sdk-client-mock in each test file) and a fixed clock. */
export function testDeps(config: Partial<HandlerConfig> = {}): Deps {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  return {
    chime: new ChimeSDKMeetingsClient({ region: 'us-east-1', credentials }),
    dynamodb: new DynamoDBClient({ region: 'us-east-1', credentials }),
    config: { ...CONFIG, ...config },
    now: () => NOW,
  };
}

export function request(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    pathParameters: { MeetingId: MEETING_ID },
    queryStringParameters: {},
    headers: { 'content-type': 'application/json' },
    body: null,
    isBase64Encoded: false,
    requestId: 'req-1',
    identity: { isAdmin: true },
    ...overrides,
  };
}

export interface EventInput {
  path?: Record<string, string | undefined>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  base64?: boolean;
  requestId?: string | null;
  /** Merged into the request context, e.g. `{authorizer: {...}}` or `{identity: {}}` for an unsigned caller. */
  requestContext?: Record<string, unknown>;
}

/** The signed IAM principal API Gateway reports in IAM mode. */
export const IAM_CALLER = {
  caller: 'AROAEXAMPLEID:backend',
  userArn: 'arn:aws:sts::123456789012:assumed-role/backend/session',
};

/** A REST API (v1) proxy event with the fields the handlers read. */
export function proxyEvent(input: EventInput = {}): APIGatewayProxyEvent {
  const text =
    input.body === undefined ? null : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  return {
    resource: '',
    path: '',
    httpMethod: 'POST',
    pathParameters: input.path === undefined ? { MeetingId: MEETING_ID } : (input.path as Record<string, string>),
    queryStringParameters: input.query ?? null,
    multiValueQueryStringParameters: null,
    headers: input.headers ?? (text === null ? {} : { 'Content-Type': 'application/json' }),
    multiValueHeaders: {},
    body: text !== null && input.base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
    isBase64Encoded: input.base64 === true,
    stageVariables: null,
    // API Gateway's context for a SigV4-signed caller (IAM mode); `requestContext` overrides it for other modes.
    requestContext: (input.requestId === null
      ? undefined
      : {
          requestId: input.requestId ?? 'req-1',
          identity: { caller: IAM_CALLER.caller, userArn: IAM_CALLER.userArn },
          ...input.requestContext,
        }) as never,
  };
}

export const parseBody = (result: APIGatewayProxyResult) => JSON.parse(result.body);

export function chimeAttendee(externalUserId: string, n = 0): Required<Attendee> {
  const hex = n.toString(16).padStart(12, '0');
  return {
    ExternalUserId: externalUserId,
    AttendeeId: `aaaaaaaa-bbbb-4ccc-8ddd-${hex}`,
    JoinToken: `join-token-secret-${n}`,
    Capabilities: { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' },
  };
}

export const MEETING = {
  MeetingId: MEETING_ID,
  MediaRegion: 'us-east-1',
  MediaPlacement: { AudioHostUrl: 'audio.example', SignalingUrl: 'wss://signal.example' },
};

/**
 * Silences console output and stdout (where the per-request EMF record goes) and records every line, so tests can
 * assert what was (not) logged.
 */
export function captureLogs(): string[] {
  const lines: string[] = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk).replace(/\n$/, ''));
    return true;
  });
  return lines;
}

/** The request record of a captured log line, without its EMF metadata. */
export function requestRecord(line: string): Record<string, unknown> {
  const { _aws, ...record } = JSON.parse(line);
  expect(_aws.CloudWatchMetrics[0].Namespace).toBe('ChimeJoinService');
  return record;
}
