// Hostile input, generated: over ten thousand invalid requests across all five routes go through the real Lambda
// entry points (API Gateway event in, proxy result out) with aws-sdk-client-mock clients. Every one must get a 4xx
// with the body exactly {Code, Message, RequestId}, the Message naming a broken field, and must make NO AWS call.
// Validity comes from the contract oracle (contract-oracle.ts, built on lib/contract.ts), not from the handlers;
// a second property sends generated VALID requests and requires that validation lets every one through. Together
// the two pin the validator to the contract from both sides.
import {
  BatchCreateAttendeeCommand,
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteMeetingCommand,
  UpdateAttendeeCapabilitiesCommand,
  DeleteAttendeeCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ENV } from '../../lib/contract';
import { OPERATION_TABLE } from '../../lib/operations';
import { handler as batchCreateAttendee } from '../../lambda/batch-create-attendee';
import { handler as createAttendee } from '../../lambda/create-attendee';
import { handler as deleteAttendee } from '../../lambda/delete-attendee';
import { handler as listAttendees } from '../../lambda/list-attendees';
import { handler as listUserAttendees } from '../../lambda/list-user-attendees';
import { handler as createMeeting } from '../../lambda/create-meeting';
import { handler as joinMeeting } from '../../lambda/join-meeting';
import { handler as getMeeting } from '../../lambda/get-meeting';
import { handler as deleteMeeting } from '../../lambda/delete-meeting';
import { handler as getPresence } from '../../lambda/get-presence';
import { handler as updateAttendeeCapabilities } from '../../lambda/update-attendee-capabilities';
import { handler as updateCapabilitiesExcept } from '../../lambda/update-capabilities-except';
import { handler as deleteBan } from '../../lambda/delete-ban';
import {
  bodyBytes,
  decodeOnce,
  isValidRequest,
  ROUTE,
  ROUTE_KEYS,
  type RouteKey,
  type WireRequest,
} from './contract-oracle';
import { describeCase, hostileAnswerProblems } from './expectations';
import {
  AWS_PREFIXES,
  CAPABILITY_CORNERS,
  CATEGORIES,
  type Category,
  type HostileCase,
  validRequestArb,
} from './hostile-arbitraries';
import { report } from '../report';

process.env[ENV.tableName] = 'attendees';
process.env[ENV.meetingTableName] = 'meetings';
process.env.AWS_REGION = 'us-east-1';
// The construct's default: SigV4 on every route. The events below carry a signed-in IAM principal, which the
// handlers treat as an administrator, so every route reaches validation.
process.env[ENV.authMode] = 'iam';
const CALLER = { userArn: 'arn:aws:iam::123456789012:user/hostile-tester', caller: 'AIDAHOSTILETESTER' };

const HANDLERS: Record<RouteKey, (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>> = {
  create: createAttendee,
  batch: batchCreateAttendee,
  list: listAttendees,
  listUser: listUserAttendees,
  delete: deleteAttendee,
  createMeeting,
  join: joinMeeting,
  getMeeting,
  deleteMeeting,
  presence: getPresence,
  updateCapabilities: updateAttendeeCapabilities,
  updateCapabilitiesExcept,
  deleteBan,
};
/** The routes whose valid requests this suite sends to mocked clients (version 1's; see the README of the tests). */
const VALID_ROUTES: readonly RouteKey[] = ['create', 'batch', 'list', 'listUser', 'delete'];

/** Generated requests per route for each category (the totals are printed and checked at the end). */
const RUNS: Record<Category, number> = {
  'malformed-json': 500,
  'non-object-json': 150,
  'wrong-type': 600,
  'oversize-body': 150,
  'oversize-value': 250,
  unicode: 300,
  'path-traversal': 300,
  'guid-near-miss': 150,
  'batch-duplicates': 500,
  'aws-prefix': 250,
  capabilities: 400,
  'unknown-fields': 250,
  'max-results': 500,
  'next-token': 300,
  'missing-required': 60,
  tags: 200,
  'content-type': 150,
  ban: 300,
  'excluded-ids': 200,
  'meeting-name': 250,
};
const VALID_RUNS_PER_ROUTE = 300;

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
const sent = () => chime.calls().length + dynamodb.calls().length;
const sentNames = () =>
  [...chime.calls(), ...dynamodb.calls()].map((call) => (call.args[0] as object).constructor.name);

/** Mocked clients answer success, so a request that slipped through validation would succeed (and be seen). */
function answerSuccess(): void {
  chime.on(CreateAttendeeCommand).callsFake(async (input) => ({
    Attendee: {
      ExternalUserId: input.ExternalUserId,
      AttendeeId: '7d4e1c11-3f0a-4b8e-a2a5-5b9a0e6c7d22',
      JoinToken: 'join-token',
      Capabilities: input.Capabilities,
    },
  }));
  chime
    .on(GetMeetingCommand)
    .resolves({ Meeting: { MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11', MediaRegion: 'us-east-1' } });
  chime.on(BatchCreateAttendeeCommand).callsFake(async (input) => ({
    Attendees: input.Attendees.map((a: { ExternalUserId: string }, i: number) => ({
      ExternalUserId: a.ExternalUserId,
      AttendeeId: `aaaaaaaa-bbbb-4ccc-8ddd-${i.toString(16).padStart(12, '0')}`,
      JoinToken: `join-token-${i}`,
    })),
    Errors: [],
  }));
  chime.on(ListAttendeesCommand).resolves({ Attendees: [] });
  // Version 2's calls answer at once too, so a hostile request that slipped through fails fast (no retries).
  chime.on(CreateMeetingCommand).resolves({
    Meeting: { MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11', MediaRegion: 'us-east-1' },
  });
  chime.on(DeleteMeetingCommand).resolves({});
  chime.on(UpdateAttendeeCapabilitiesCommand).resolves({ Attendee: {} });
  chime.on(BatchUpdateAttendeeCapabilitiesExceptCommand).resolves({});
  chime.on(DeleteAttendeeCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(GetItemCommand).resolves({}); // no ban: the join's look before Chime finds no item
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(BatchWriteItemCommand).resolves({});
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  chime.on(GetAttendeeCommand).callsFake(async (input) => ({
    Attendee: { ExternalUserId: 'someone', AttendeeId: input.AttendeeId },
  }));
}

let requestCounter = 0;
/** The REST API (v1) proxy event API Gateway would send; path parameters still encoded or already decoded once. */
function toEvent(request: WireRequest, decodePath: boolean): APIGatewayProxyEvent {
  const route = ROUTE[request.route];
  const path =
    request.path &&
    Object.fromEntries(Object.entries(request.path).map(([k, v]) => [k, decodePath ? decodeOnce(v) : v]));
  const hasQuery = Object.keys(request.query).length > 0;
  return {
    resource: route.path,
    path: route.path,
    httpMethod: route.method,
    headers:
      request.body === null || request.contentType === null
        ? {}
        : { 'Content-Type': request.contentType ?? 'application/json' },
    multiValueHeaders: {},
    pathParameters: path,
    queryStringParameters: hasQuery ? { ...request.query } : null,
    multiValueQueryStringParameters: null,
    body: request.body,
    isBase64Encoded: request.base64 === true,
    stageVariables: null,
    requestContext: { requestId: `hostile-${++requestCounter}`, identity: CALLER } as never,
  };
}

const counts: Record<string, Record<string, number>> = {};
const count = (category: string, route: string) => {
  counts[category] ??= {};
  counts[category][route] = (counts[category][route] ?? 0) + 1;
};

/** The last line a handler logged at error level (a 5xx names its cause there), for failure reports. */
let lastErrorLine = '';
beforeAll(() => {
  // The handlers log one line per request; keep the run quiet.
  for (const level of ['log', 'info', 'warn'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    lastErrorLine = JSON.stringify(args).slice(0, 500);
  });
  answerSuccess();
});
afterAll(() => {
  jest.restoreAllMocks();
  const rows = Object.entries(counts).map(([category, byRoute]) => ({
    category,
    ...Object.fromEntries(ROUTE_KEYS.map((r) => [r, byRoute[r] ?? 0])),
    total: Object.values(byRoute).reduce((a, b) => a + b, 0),
  }));
  const hostileTotal = rows.filter((r) => r.category !== 'VALID').reduce((n, r) => n + r.total, 0);
  const perRoute = Object.fromEntries(
    ROUTE_KEYS.map((r) => [r, rows.filter((x) => x.category !== 'VALID').reduce((n, x) => n + (x as any)[r], 0)]),
  );
  report(
    `hostile-input (in-process): ${hostileTotal} hostile requests; per route ${JSON.stringify(perRoute)}\n` +
      rows
        .map(
          (r) =>
            `  ${r.category.padEnd(24)} ${ROUTE_KEYS.map((k) => `${k}=${(r as any)[k]}`).join(' ')} total=${r.total}`,
        )
        .join('\n'),
  );
});

async function sendHostile(hostile: HostileCase, decodePath: boolean): Promise<void> {
  chime.resetHistory();
  dynamodb.resetHistory();
  const event = toEvent(hostile, decodePath);
  const result = await HANDLERS[hostile.route](event);
  count(hostile.category, hostile.route);
  const problems = hostileAnswerProblems(
    hostile,
    { status: result.statusCode, headers: lowerCase(result.headers), body: result.body },
    { requestId: event.requestContext.requestId },
  );
  if (sent() > 0) problems.push(`AWS calls were made: ${sentNames().join(', ')}`);
  if (problems.length > 0) {
    throw new Error(
      `${problems.join('; ')}\n${describeCase(hostile)}\n  path decoded for Lambda: ${decodePath}\n  answer: ${result.statusCode} ${result.body.slice(0, 300)}\n  last error log: ${lastErrorLine}`,
    );
  }
}

const lowerCase = (headers: APIGatewayProxyResult['headers']) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));

describe.each(Object.entries(CATEGORIES) as [Category, (typeof CATEGORIES)[Category]][])(
  'hostile: %s',
  (category, { routes, arb }) => {
    it.each(routes.map((r) => [r]))(
      `on %s: 4xx {Code, Message, RequestId}, no AWS call (${RUNS[category]} generated)`,
      async (route) => {
        await fc.assert(
          fc.asyncProperty(arb(route), fc.boolean(), (hostile, decodePath) => sendHostile(hostile, decodePath)),
          { numRuns: RUNS[category] },
        );
      },
    );
  },
);

describe('hostile: exhaustive small domains', () => {
  it('refuses "aws:" in each of its 8 letter cases, in bodies and in the path, on every route that takes an ExternalUserId', async () => {
    expect(AWS_PREFIXES).toHaveLength(8);
    for (const prefix of AWS_PREFIXES) {
      const id = `${prefix}user`;
      const meetingPath = { MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11' };
      const cases: HostileCase[] = [
        {
          route: 'create',
          path: meetingPath,
          query: {},
          body: JSON.stringify({ ExternalUserId: id }),
          category: 'aws-prefix',
          what: id,
        },
        {
          route: 'batch',
          path: meetingPath,
          query: {},
          body: JSON.stringify({ Attendees: [{ ExternalUserId: 'ok-user' }, { ExternalUserId: id }] }),
          category: 'aws-prefix',
          what: id,
        },
        { route: 'listUser', path: { ExternalUserId: id }, query: {}, body: null, category: 'aws-prefix', what: id },
        {
          route: 'listUser',
          path: { ExternalUserId: encodeURIComponent(id) },
          query: {},
          body: null,
          category: 'aws-prefix',
          what: id,
        },
      ];
      for (const hostile of cases) await sendHostile(hostile, false);
    }
  });

  it('refuses every Content SendReceive/Receive without Video SendReceive/Receive (16 combinations), in both POST routes', async () => {
    expect(CAPABILITY_CORNERS).toHaveLength(16);
    for (const caps of CAPABILITY_CORNERS) {
      const path = { MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11' };
      await sendHostile(
        {
          route: 'create',
          path,
          query: {},
          body: JSON.stringify({ ExternalUserId: 'alice', Capabilities: caps }),
          category: 'capabilities',
          what: JSON.stringify(caps),
        },
        false,
      );
      await sendHostile(
        {
          route: 'batch',
          path,
          query: {},
          body: JSON.stringify({ Attendees: [{ ExternalUserId: 'alice', Capabilities: caps }] }),
          category: 'capabilities',
          what: JSON.stringify(caps),
        },
        false,
      );
    }
  });

  it('refuses max-results 0 and 101 and next-token of 4097 characters, and accepts 1, 100 and 4096 (boundaries)', async () => {
    const path = { MeetingId: '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11' };
    for (const query of <Record<string, string>[]>[
      { 'max-results': '0' },
      { 'max-results': '101' },
      { 'next-token': 'x'.repeat(4097) },
      { 'next-token': '😀'.repeat(4097) },
    ]) {
      const category = 'max-results' in query ? 'max-results' : 'next-token';
      await sendHostile(
        { route: 'list', path, query, body: null, category, what: JSON.stringify(query).slice(0, 40) },
        false,
      );
    }
    for (const query of <Record<string, string>[]>[
      { 'max-results': '1' },
      { 'max-results': '100' },
      { 'next-token': 'x'.repeat(4096) },
      { 'next-token': '😀'.repeat(4096) },
    ]) {
      const result = await listAttendees(toEvent({ route: 'list', path, query, body: null }, false));
      expect(result.statusCode).toBe(200);
    }
  });
});

describe('valid generated requests are never refused by validation', () => {
  it.each(VALID_ROUTES.map((r) => [r]))(
    `on %s (${VALID_RUNS_PER_ROUTE} generated, mocked clients answering success)`,
    async (route) => {
      await fc.assert(
        fc.asyncProperty(validRequestArb(route), fc.boolean(), async (request, decodePath) => {
          expect(isValidRequest(request)).toBe(true);
          chime.resetHistory();
          dynamodb.resetHistory();
          const result = await HANDLERS[route](toEvent(request, decodePath));
          count('VALID', route);
          if (![200, 201, 204].includes(result.statusCode)) {
            throw new Error(
              `valid request answered ${result.statusCode} ${result.body.slice(0, 300)}\n  ${JSON.stringify(request).slice(0, 600)}\n  last error log: ${lastErrorLine}`,
            );
          }
          checkWhatWasSent(request);
        }),
        { numRuns: VALID_RUNS_PER_ROUTE },
      );
    },
  );
});

/** The values that reached the clients are the ones the caller sent (decoded once, never altered). */
function checkWhatWasSent(request: WireRequest): void {
  const body = request.body === null ? undefined : JSON.parse(bodyBytes(request).toString('utf8'));
  switch (request.route) {
    case 'create': {
      const input = chime.commandCalls(CreateAttendeeCommand)[0].args[0].input;
      expect(input).toEqual({
        MeetingId: request.path!.MeetingId,
        ExternalUserId: body.ExternalUserId,
        Capabilities: body.Capabilities,
      });
      break;
    }
    case 'batch': {
      const sentIds = chime
        .commandCalls(BatchCreateAttendeeCommand)
        .flatMap((c) => c.args[0].input.Attendees!.map((a) => a.ExternalUserId));
      expect(sentIds).toEqual(body.Attendees.map((a: { ExternalUserId: string }) => a.ExternalUserId));
      expect(
        chime.commandCalls(BatchCreateAttendeeCommand).every((c) => c.args[0].input.Attendees!.length <= 100),
      ).toBe(true);
      break;
    }
    case 'list': {
      const input = chime.commandCalls(ListAttendeesCommand)[0].args[0].input;
      const maxResults = request.query['max-results'];
      expect(input).toEqual({
        MeetingId: request.path!.MeetingId,
        MaxResults: maxResults === undefined ? undefined : Number(maxResults),
        NextToken: request.query['next-token'],
      });
      break;
    }
    case 'listUser': {
      const input = dynamodb.commandCalls(QueryCommand)[0].args[0].input;
      expect(input.ExpressionAttributeValues?.[':pk']).toEqual({ S: decodeOnce(request.path!.ExternalUserId) });
      expect(chime.calls()).toHaveLength(0);
      break;
    }
    case 'delete': {
      const input = chime.commandCalls(DeleteAttendeeCommand)[0].args[0].input;
      expect(input).toEqual({ MeetingId: request.path!.MeetingId, AttendeeId: request.path!.AttendeeId });
      break;
    }
  }
}

describe('coverage of the operation table', () => {
  it('has a route key for every HTTP route of OPERATION_TABLE, and a handler for each', () => {
    expect(ROUTE_KEYS.map((k) => ROUTE[k].operation).sort()).toEqual(OPERATION_TABLE.map((r) => r.operation).sort());
    for (const key of ROUTE_KEYS) expect(typeof HANDLERS[key]).toBe('function');
  });
  it.each(ROUTE_KEYS.map((r) => [r]))('%s is attacked by at least four categories', (route) => {
    const categories = Object.entries(CATEGORIES).filter(([, { routes }]) => routes.includes(route));
    expect(categories.length).toBeGreaterThanOrEqual(4);
  });
  it('every route that takes a body is in the content-type category', () => {
    const bodyRoutes = ROUTE_KEYS.filter((k) => ROUTE[k].body !== undefined);
    expect(bodyRoutes.length).toBeGreaterThan(0);
    expect([...CATEGORIES['content-type'].routes].sort()).toEqual(bodyRoutes.sort());
  });
});

it('counts: at least 10,000 generated hostile requests, over every route', () => {
  const hostile = Object.entries(counts)
    .filter(([c]) => c !== 'VALID')
    .flatMap(([, byRoute]) => Object.entries(byRoute));
  const total = hostile.reduce((n, [, k]) => n + k, 0);
  expect(total).toBeGreaterThanOrEqual(10_000);
  for (const route of ROUTE_KEYS)
    expect(hostile.filter(([r]) => r === route).reduce((n, [, k]) => n + k, 0)).toBeGreaterThan(300);
});
