// The shipped bundles (assets/<operation>/index.js, built by `npm run bundle`, which `pretest` runs) must load
// the way Lambda loads a .js handler, with require() in a fresh CommonJS process, and answer a request: loading
// alone would not catch a bundling fault (a missing module, a builtin the format can't reach) that only fires
// when the SDK code runs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JoinServiceOperation } from '../../lib/operations';
import { IAM_CALLER, MEETING_ID } from './fixtures';

const run = promisify(execFile);
const assets = join(__dirname, '..', '..', 'assets');

/** Requires a bundle and invokes its handler with `event`, in a process with only the given env vars. */
async function invokeBundle(operation: string, event: object, env: Record<string, string> = {}) {
  const file = join(assets, operation, 'index.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run bundle\` (npm test does it in pretest)`);
  const script = `
    const { handler } = require(${JSON.stringify(file)});
    handler(${JSON.stringify(event)}).then((result) => process.stdout.write('\\nRESULT ' + JSON.stringify(result) + '\\n'));`;
  const { stdout, stderr } = await run(process.execPath, ['--input-type=commonjs', '-e', script], {
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AUTH_MODE: 'iam', ...env },
    timeout: 30_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result from the ${operation} bundle:\n${stdout}\n${stderr}`);
  return { result: JSON.parse(line.slice('RESULT '.length)), output: stdout + stderr };
}

const event = (pathParameters: Record<string, string>, body: string | null = null) => ({
  pathParameters,
  queryStringParameters: null,
  headers: { 'content-type': 'application/json' },
  body,
  isBase64Encoded: false,
  requestContext: { requestId: 'bundle-req', identity: { caller: IAM_CALLER.caller, userArn: IAM_CALLER.userArn } },
});

describe('bundled handlers', () => {
  it.each([
    [
      JoinServiceOperation.CREATE_ATTENDEE,
      event({ MeetingId: 'not-a-guid' }, '{"ExternalUserId":"alice"}'),
      'MeetingId',
    ],
    [JoinServiceOperation.BATCH_CREATE_ATTENDEE, event({ MeetingId: 'not-a-guid' }, '{"Attendees":[]}'), 'MeetingId'],
    [JoinServiceOperation.LIST_ATTENDEES, event({ MeetingId: 'not-a-guid' }), 'MeetingId'],
    [JoinServiceOperation.LIST_USER_ATTENDEES, event({ ExternalUserId: 'x' }), 'ExternalUserId'],
    [JoinServiceOperation.DELETE_ATTENDEE, event({ MeetingId: 'not-a-guid', AttendeeId: 'not-a-guid' }), 'MeetingId'],
  ])('%s loads with require() and answers an invalid request with 400 JSON', async (operation, invalid, field) => {
    const { result } = await invokeBundle(operation, invalid);
    expect(result.statusCode).toBe(400);
    expect(result.headers['Content-Type']).toBe('application/json');
    const body = JSON.parse(result.body);
    expect(body).toEqual({ Code: 'BadRequest', Message: expect.stringContaining(field), RequestId: 'bundle-req' });
  });

  it('fails closed with 500 when the deployment lacks its authorization mode, and logs why', async () => {
    const { result, output } = await invokeBundle(
      JoinServiceOperation.LIST_ATTENDEES,
      event({ MeetingId: MEETING_ID }),
      {
        AUTH_MODE: '',
      },
    );
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).Code).toBe('InternalFailure');
    expect(output).toContain('AUTH_MODE must be one of iam, cognito, custom, none');
  });

  it('answers 401 in IAM mode when API Gateway reports no signed caller', async () => {
    const unsigned = { ...event({ MeetingId: MEETING_ID }), requestContext: { requestId: 'bundle-req', identity: {} } };
    const { result } = await invokeBundle(JoinServiceOperation.LIST_ATTENDEES, unsigned);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toEqual({
      Code: 'Unauthorized',
      Message: expect.any(String),
      RequestId: 'bundle-req',
    });
  });

  it('fails a valid request with 500 when the deployment lacks its table name, and logs why', async () => {
    const { result, output } = await invokeBundle(
      JoinServiceOperation.CREATE_ATTENDEE,
      event({ MeetingId: MEETING_ID }, '{"ExternalUserId":"alice"}'),
    );
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).Code).toBe('InternalFailure');
    expect(result.body).not.toContain('ATTENDEE_TABLE_NAME');
    expect(output).toContain('ATTENDEE_TABLE_NAME is not set');
  });
});

describe('bundled handlers calling AWS through endpoint overrides', () => {
  // A stand-in for both services: enough to prove each bundle's SDK signs, sends, and parses a real exchange.
  const received: { method?: string; url?: string; target?: string; authorization?: string; body: string }[] = [];
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer(
      (req: IncomingMessage, res) =>
        void (async () => {
          let body = '';
          for await (const chunk of req) body += chunk;
          received.push({
            method: req.method,
            url: req.url,
            target: req.headers['x-amz-target'] as string,
            authorization: req.headers.authorization,
            body,
          });
          if (req.headers['x-amz-target'] === 'DynamoDB_20120810.Query') {
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
            res.end(
              JSON.stringify({
                Items: [
                  {
                    ExternalUserId: { S: 'alice' },
                    MeetingId: { S: MEETING_ID },
                    AttendeeId: { S: MEETING_ID },
                    CreatedAt: { S: '2030-01-01T00:00:00.000Z' },
                  },
                ],
              }),
            );
          } else {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({
                Attendees: [{ ExternalUserId: 'alice', AttendeeId: MEETING_ID, JoinToken: 'bundle-secret-token' }],
              }),
            );
          }
        })(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => received.splice(0));

  const env = () => ({
    ATTENDEE_TABLE_NAME: 'bundle-table',
    AUTH_MODE: 'iam',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  });

  it('list-user-attendees queries DynamoDB at AWS_ENDPOINT_URL_DYNAMODB (the SDK setting) with a signed request', async () => {
    const { result } = await invokeBundle(
      JoinServiceOperation.LIST_USER_ATTENDEES,
      event({ ExternalUserId: 'alice' }),
      env(),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).Attendees).toEqual([
      {
        MeetingId: MEETING_ID,
        AttendeeId: MEETING_ID,
        ExternalUserId: 'alice',
        Tags: [],
        CreatedAt: '2030-01-01T00:00:00.000Z',
      },
    ]);
    expect(received).toHaveLength(1);
    expect(received[0].target).toBe('DynamoDB_20120810.Query');
    expect(received[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    expect(JSON.parse(received[0].body)).toMatchObject({
      TableName: 'bundle-table',
      ExpressionAttributeValues: { ':pk': { S: 'alice' } },
    });
  });

  it('list-attendees calls Chime at AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS and strips the JoinToken', async () => {
    const { result } = await invokeBundle(
      JoinServiceOperation.LIST_ATTENDEES,
      { ...event({ MeetingId: MEETING_ID }), queryStringParameters: { 'max-results': '5' } },
      env(),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ Attendees: [{ ExternalUserId: 'alice', AttendeeId: MEETING_ID }] });
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /meetings/${MEETING_ID}/attendees?max-results=5`,
    ]);
  });
});
