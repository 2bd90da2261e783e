// Warm overhead of one shipped handler bundle, run by bench/run.ts in its own `node` process.
//
// The bundle's own clients (from `buildClients()`) keep everything but their transport: the requestHandler is
// replaced by an in-process peer that answers every Chime and DynamoDB call at once from canned bytes. What is
// timed is `await handler(event)` on a valid request, i.e. API Gateway event in, proxy result out: validation,
// command serialization, the SDK's middleware (endpoint resolution, SigV4 signing, retry bookkeeping),
// response parsing, our table mapping, the log line (formatted, not written) and the JSON response. Requests run
// one at a time, as in one Lambda container.
//
// usage: node bench/warm.mjs <bundle file> <scenario> <batch size> <warm-up> <timed iterations> <result file>
// writes {scenario, times (ms, in order), callsPerRequest} to the result file. The handlers' own output (one EMF
// metrics line per request on stdout) is written as in Lambda; bench/run.ts sends it to /dev/null.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

const [bundleFile, scenario, batchSizeArg, warmupArg, iterationsArg, resultFile] = process.argv.slice(2);
const batchSize = Number(batchSizeArg);
const warmup = Number(warmupArg);
const iterations = Number(iterationsArg);

const MEETING_ID = '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11';
const attendeeId = (i) => `7d4e1c11-3f0a-4b8e-a2a5-${String(i).padStart(12, '0')}`;
const CAPABILITIES = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' };
const attendee = (i, user = `user-${i}`) => ({
  ExternalUserId: user,
  AttendeeId: attendeeId(i),
  JoinToken: `dG9rZW4tJHtpfQ${i}`,
  Capabilities: CAPABILITIES,
});
const MEETING = {
  MeetingId: MEETING_ID,
  ExternalMeetingId: 'bench',
  MediaRegion: 'us-east-1',
  MediaPlacement: {
    AudioHostUrl: 'abcd.k.m1.ue1.app.chime.aws:3478',
    AudioFallbackUrl: 'wss://wss.k.m1.ue1.app.chime.aws:443/calls/x',
    SignalingUrl: 'wss://signal.m1.ue1.app.chime.aws/control/x',
    TurnControlUrl: 'https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions',
    ScreenDataUrl: 'wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/x',
    ScreenViewingUrl:
      'wss://bitpw.m1.ue1.app.chime.aws:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=x',
    ScreenSharingUrl: 'wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/x',
    EventIngestionUrl: 'https://data.svc.ue1.ingest.chime.aws/v1/client-events',
  },
  MeetingArn: `arn:aws:chime:us-east-1:123456789012:meeting/${MEETING_ID}`,
};
const mappingItem = (i) => ({
  ExternalUserId: { S: `user-${i}` },
  MeetingId: { S: MEETING_ID },
  AttendeeId: { S: attendeeId(i) },
  Capabilities: { M: { Audio: { S: 'SendReceive' }, Video: { S: 'SendReceive' }, Content: { S: 'SendReceive' } } },
  CreatedAt: { S: '2030-01-01T00:00:00.000Z' },
  ExpiresAt: { N: '1893542400' },
});

/** The request and the canned answers of each scenario: [status, JSON body] by operation. */
function scenarioOf(name) {
  const users = Array.from({ length: batchSize }, (_, i) => `user-${i}`);
  switch (name) {
    case 'create-attendee':
      return {
        event: event('POST', { MeetingId: MEETING_ID }, null, { ExternalUserId: 'user-0' }),
        expect: 201,
        answers: {
          CreateAttendee: [200, { Attendee: attendee(0) }],
          GetMeeting: [200, { Meeting: MEETING }],
          // The look for a ban before Chime is called: no item.
          GetItem: [200, {}],
          UpdateItem: [200, {}],
        },
      };
    case 'batch-create-attendee':
      return {
        event: event('POST', { MeetingId: MEETING_ID }, null, { Attendees: users.map((u) => ({ ExternalUserId: u })) }),
        expect: 200,
        answers: {
          BatchCreateAttendee: [200, { Attendees: users.map((u, i) => attendee(i, u)), Errors: [] }],
          // The look for banned users (the meeting's index): none.
          Query: [200, { Items: [], Count: 0, ScannedCount: 0 }],
          UpdateItem: [200, {}],
        },
      };
    case 'list-attendees':
      return {
        event: event('GET', { MeetingId: MEETING_ID }, { 'max-results': '10' }),
        expect: 200,
        answers: {
          ListAttendees: [200, { Attendees: Array.from({ length: 10 }, (_, i) => attendee(i)), NextToken: 'bmV4dA' }],
        },
      };
    case 'list-user-attendees':
      return {
        event: event('GET', { ExternalUserId: 'user-1' }),
        expect: 200,
        answers: { Query: [200, { Items: [mappingItem(1)], Count: 1, ScannedCount: 1 }] },
      };
    case 'delete-attendee':
      return {
        event: event('DELETE', { MeetingId: MEETING_ID, AttendeeId: attendeeId(1) }),
        expect: 204,
        answers: {
          GetAttendee: [200, { Attendee: attendee(1) }],
          UpdateItem: [200, {}],
          DeleteAttendee: [204, undefined],
        },
      };
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}

function event(method, pathParameters, query = null, body = undefined) {
  return {
    resource: '/bench',
    path: '/bench',
    httpMethod: method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    // A SigV4-signed IAM caller, as API Gateway reports one (the construct's default authorization).
    requestContext: {
      requestId: 'bench-request',
      identity: { caller: 'AIDABENCHCALLER', userArn: 'arn:aws:iam::123456789012:user/bench' },
    },
  };
}

/** Chime (REST-JSON) is told apart by method and path, DynamoDB (JSON-RPC) by X-Amz-Target. */
function operationOf(request) {
  const target = request.headers['x-amz-target'];
  if (target) return target.slice(target.indexOf('.') + 1);
  const { method, path, query } = request;
  if (method === 'GET' && /^\/meetings\/[^/]+$/.test(path)) return 'GetMeeting';
  if (method === 'GET' && /\/attendees$/.test(path)) return 'ListAttendees';
  if (method === 'GET' && /\/attendees\/[^/]+$/.test(path)) return 'GetAttendee';
  if (method === 'POST' && query?.operation === 'batch-create') return 'BatchCreateAttendee';
  if (method === 'POST' && /\/attendees$/.test(path)) return 'CreateAttendee';
  if (method === 'DELETE') return 'DeleteAttendee';
  throw new Error(`no canned answer for ${method} ${path}`);
}

/** The in-process peer: no sockets, no parsing of what was sent, precomputed answer bytes. */
function instantPeer(answers) {
  const bytes = Object.fromEntries(
    Object.entries(answers).map(([operation, [status, body]]) => [
      operation,
      { status, body: body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)) },
    ]),
  );
  const calls = {};
  return {
    calls,
    handle: async (request) => {
      const operation = operationOf(request);
      const answer = bytes[operation];
      if (!answer) throw new Error(`scenario has no answer for ${operation}`);
      calls[operation] = (calls[operation] ?? 0) + 1;
      return {
        response: {
          statusCode: answer.status,
          reason: undefined,
          headers: {
            'content-type': request.headers['x-amz-target'] ? 'application/x-amz-json-1.0' : 'application/json',
            'content-length': String(answer.body.length),
            'x-amzn-requestid': 'bench',
          },
          body: Readable.from([answer.body]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
}

// require()d, as Lambda loads a CommonJS .js handler.
const { handler, buildClients } = createRequire(import.meta.url)(bundleFile);
const deps = buildClients();
const { event: request, expect: expectedStatus, answers } = scenarioOf(scenario);
const peer = instantPeer(answers);
for (const client of [deps.chime, deps.dynamodb]) if (client) client.config.requestHandler = peer;

// Log lines (console) are formatted as Lambda's JSON logs would be, never written.
let logged = '';
console.log =
  console.info =
  console.warn =
  console.error =
    (...args) => {
      logged = JSON.stringify(args);
    };

const times = new Float64Array(iterations);
for (let i = -warmup; i < iterations; i++) {
  const started = performance.now();
  const result = await handler(request);
  const elapsed = performance.now() - started;
  if (result.statusCode !== expectedStatus) {
    process.stderr.write(
      `${scenario}: expected ${expectedStatus}, got ${result.statusCode} ${result.body} (log: ${logged})\n`,
    );
    process.exit(1);
  }
  if (i >= 0) times[i] = elapsed;
}
writeFileSync(
  resultFile,
  JSON.stringify({
    scenario,
    times: Array.from(times, (t) => Math.round(t * 1000) / 1000),
    callsPerRequest: Object.fromEntries(
      Object.entries(peer.calls).map(([operation, n]) => [operation, n / (warmup + iterations)]),
    ),
  }),
);
