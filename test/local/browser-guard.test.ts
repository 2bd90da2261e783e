// Local mode against the web pages its developer visits: requests as a browser sends them, forged with plain Node
// HTTP (Host, Origin, Sec-Fetch-Site and Content-Type as a hostile page or a DNS-rebinding name would make them),
// to the API, the Chime emulator and dynalite. Each refusal is checked for what it prevents: no join, no readable
// answer, no reset, no fault, no table read. test/local/browser.test.ts does the same from a real browser.
import { type IncomingHttpHeaders, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalApi } from '../../local/api-gateway';
import { scanTable } from '../../local/dynamodb';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';

const ROOT = join(__dirname, '..', '..');
/** The origin local mode is told to answer (`--cors-origin`). */
const LISTED = 'http://localhost:3000';
const ATTACKER = 'http://attacker.example';
const JSON_TYPE = 'application/json';
/** The header the emulator's control routes need. */
const CONTROL = { 'x-emulator-control': '1' };

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request exactly as given: Host included, no header added but Content-Length. */
function send(
  base: string,
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let service: LocalJoinService;
let demoMeetingId: string;

beforeAll(async () => {
  // Local mode's defaults: every caller trusted, the emulator, dynalite; one listed origin.
  service = await startLocalJoinService({ port: 0, corsAllowOrigins: [LISTED] });
  demoMeetingId = service.emulator!.createMeeting({ ExternalMeetingId: 'local-demo' }).MeetingId!;
});
afterAll(() => service?.stop());

const joinBody = (user: string, room = 'csrf-room') =>
  JSON.stringify({ ExternalMeetingId: room, ExternalUserId: user });

/** What a join would have left behind: Chime calls made and table rows. */
async function footprint() {
  const { operations } = service.emulator!.stats();
  return {
    chimeCalls: operations.CreateMeeting.requests + operations.CreateAttendee.requests,
    rows: (await scanTable(service.dynamodbClient, service.tableName)).length,
    meetingRows: (await scanTable(service.dynamodbClient, service.meetingTableName)).length,
  };
}

/** Runs a request that must be refused and checks it changed nothing and gave a page nothing to read. */
async function refused(attempt: () => Promise<Reply>): Promise<Reply> {
  const before = await footprint();
  const reply = await attempt();
  expect(reply.status).toBeGreaterThanOrEqual(400);
  expect(reply.body).not.toMatch(/JoinToken|Attendee"|"Items"/);
  expect(await footprint()).toEqual(before);
  return reply;
}

describe('the API', () => {
  it('refuses a cross-site text/plain POST, which a page sends without a preflight: 403, no join', async () => {
    const reply = await refused(() =>
      send(service.url, '/join', {
        method: 'POST',
        headers: { origin: ATTACKER, 'content-type': 'text/plain;charset=UTF-8', 'sec-fetch-site': 'cross-site' },
        body: joinBody('victim'),
      }),
    );
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(reply.body)).toMatchObject({ Code: 'Forbidden', Message: expect.stringContaining(ATTACKER) });
  });

  it.each([
    ['text/plain;charset=UTF-8 (a fetch with a string body)', 'text/plain;charset=UTF-8'],
    ['application/x-www-form-urlencoded (curl -d, a form)', 'application/x-www-form-urlencoded'],
    ['multipart/form-data (a form)', 'multipart/form-data; boundary=x'],
    ['none (a fetch of an untyped Blob)', undefined],
    ['application/jsonp', 'application/jsonp'],
    ['text/json', 'text/json'],
  ])('refuses a body whose Content-Type is %s with 415, joining no one', async (_, contentType) => {
    const reply = await refused(() =>
      send(service.url, '/join', {
        method: 'POST',
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        body: joinBody('typed-wrong'),
      }),
    );
    expect(reply.status).toBe(415);
    expect(JSON.parse(reply.body)).toMatchObject({ Code: 'UnsupportedMediaType' });
  });

  it.each([JSON_TYPE, 'application/json; charset=utf-8', 'Application/JSON'])(
    'accepts a JSON body declared as %s',
    async (contentType) => {
      // A user of their own each: a re-join answers without the token.
      const user = `typed-${contentType.replace(/\W/g, '')}`;
      const reply = await send(service.url, '/join', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: joinBody(user, 'json-room'),
      });
      expect(reply.status).toBe(201);
      expect(JSON.parse(reply.body).Attendee.JoinToken).toEqual(expect.any(String));
    },
  );

  it.each([
    'rebind.attacker.example',
    'rebind.attacker.example:PORT',
    '127.0.0.1.nip.io:PORT',
    'localhost.attacker.example:PORT',
    'localhost.:PORT',
    '0.0.0.0:PORT',
    '127.0.0.2:PORT',
  ])('refuses the Host %s (DNS rebinding): 403, no join, no JoinToken to read', async (host) => {
    const reply = await refused(() =>
      send(service.url, '/join', {
        method: 'POST',
        headers: { host: host.replace('PORT', String(service.api.port)), 'content-type': JSON_TYPE },
        body: joinBody('rebound'),
      }),
    );
    expect(reply.status).toBe(403);
  });

  it.each(['127.0.0.1:PORT', 'localhost:PORT', '[::1]:PORT', 'localhost', 'LOCALHOST:PORT'])(
    'accepts the loopback Host %s',
    async (host) => {
      const reply = await send(service.url, `/meetings/${demoMeetingId}`, {
        headers: { host: host.replace('PORT', String(service.api.port)) },
      });
      expect(reply.status).toBe(200);
    },
  );

  it.each([
    ['127.0.0.1 for a listed localhost (another origin)', 'http://127.0.0.1:3000'],
    ['another port', 'http://localhost:3001'],
    ['another scheme', 'https://localhost:3000'],
    ['null (a sandboxed frame, a file: page)', 'null'],
    ['a site', ATTACKER],
  ])('refuses a JSON request from an Origin not listed: %s', async (_, origin) => {
    const reply = await refused(() =>
      send(service.url, '/join', {
        method: 'POST',
        headers: { origin, 'content-type': JSON_TYPE },
        body: joinBody('from-elsewhere'),
      }),
    );
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers the listed Origin, with Access-Control-Allow-Origin', async () => {
    const reply = await send(service.url, '/join', {
      method: 'POST',
      headers: { origin: LISTED, 'content-type': JSON_TYPE, 'sec-fetch-site': 'same-site' },
      body: joinBody('listed-user', 'listed-room'),
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['access-control-allow-origin']).toBe(LISTED);
  });

  it("refuses a page's request that carries no Origin (an <img>, a no-cors GET): Sec-Fetch-Site says cross-site", async () => {
    const path = `/meetings/${demoMeetingId}/attendees`;
    expect((await send(service.url, path, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await send(service.url, path, { headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    // Typed into the address bar, or sent by curl and the SDKs: answered.
    expect((await send(service.url, path, { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
    expect((await send(service.url, path)).status).toBe(200);
  });

  it('answers no preflight of an Origin not listed', async () => {
    const reply = await send(service.url, '/join', {
      method: 'OPTIONS',
      headers: { origin: ATTACKER, 'access-control-request-method': 'POST' },
    });
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(['*', 'null', 'http://localhost:3000/', 'localhost:3000', 'http://localhost:3000/app'])(
    'will not start with %s as an allowed origin: only exact origins can be listed',
    async (origin) => {
      const outcome = await startLocalApi({ handlers: {}, port: 0, corsAllowOrigins: [origin] }).then(
        async (api) => {
          await api.stop();
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(outcome).toMatch(/not an origin/);
    },
  );
});

describe('the Chime emulator', () => {
  const emulatorUrl = () => service.emulator!.endpoint;
  const live = () => service.emulator!.getMeeting(demoMeetingId) !== undefined;
  /** A SigV4-shaped Authorization the emulator accepts (it does not verify signatures). */
  const signed = {
    authorization: `AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': '20260101T000000Z',
  };

  it('refuses a control route without the X-Emulator-Control header: a cross-site reset forgets nothing', async () => {
    const crossSite = await send(emulatorUrl(), '/_emulator/reset', {
      method: 'POST',
      headers: { origin: ATTACKER, 'content-type': 'text/plain;charset=UTF-8' },
    });
    expect(crossSite.status).toBe(403);
    const noHeader = await send(emulatorUrl(), '/_emulator/reset', { method: 'POST' });
    expect(noHeader.status).toBe(403);
    expect(JSON.parse(noHeader.body).Message).toMatch(/x-emulator-control/i);
    expect(live()).toBe(true);
  });

  it('refuses a cross-site fault injection: the next join is not throttled', async () => {
    const reply = await send(emulatorUrl(), '/_emulator/faults', {
      method: 'POST',
      headers: { origin: ATTACKER, 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ operation: 'CreateAttendee', error: 'ThrottlingException', count: 10 }),
    });
    expect(reply.status).toBe(403);
    const join = await send(service.url, '/join', {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE },
      body: joinBody('after-fault', 'local-demo'),
    });
    expect(join.status).toBe(201);
    expect(service.emulator!.stats().operations.CreateAttendee.faulted).toBe(0);
  });

  it('refuses any page, even with the header, and a rebinding Host', async () => {
    const withOrigin = await send(emulatorUrl(), '/_emulator/reset', {
      method: 'POST',
      headers: { ...CONTROL, origin: LISTED },
    });
    expect(withOrigin.status).toBe(403);
    const rebound = await send(emulatorUrl(), '/_emulator/reset', {
      method: 'POST',
      headers: { ...CONTROL, host: `rebind.attacker.example:${service.emulator!.port}` },
    });
    expect(rebound.status).toBe(403);
    expect(live()).toBe(true);
  });

  it('refuses Chime API calls from a page or through a rebinding Host, and answers the SDK', async () => {
    const path = `/meetings/${demoMeetingId}`;
    const fromPage = await send(emulatorUrl(), path, { headers: { ...signed, origin: ATTACKER } });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body).not.toContain(demoMeetingId);
    const rebound = await send(emulatorUrl(), path, {
      headers: { ...signed, host: `rebind.attacker.example:${service.emulator!.port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(demoMeetingId);
    expect((await send(emulatorUrl(), path, { headers: signed })).status).toBe(200);
  });

  it('answers a control route that carries the header, from curl or a test', async () => {
    const stats = await send(emulatorUrl(), '/_emulator/stats', { headers: CONTROL });
    expect(stats.status).toBe(200);
    expect(JSON.parse(stats.body).meetings).toBeGreaterThan(0);
  });
});

describe('dynalite', () => {
  const dynaliteUrl = () => service.dynamodb!.endpoint;
  const scan = (headers: Record<string, string>) =>
    send(dynaliteUrl(), '/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.Scan',
        authorization: `AWS4-HMAC-SHA256 Credential=AKIALOCALDYNAMODB/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
        'x-amz-date': '20260101T000000Z',
        ...headers,
      },
      body: JSON.stringify({ TableName: service.tableName }),
    });

  it('answers no preflight from a page: no Access-Control-Allow-Origin', async () => {
    const reply = await send(dynaliteUrl(), '/', {
      method: 'OPTIONS',
      headers: {
        origin: ATTACKER,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
      },
    });
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a cross-origin Scan: no mapping, no Access-Control-Allow-Origin', async () => {
    const reply = await scan({ origin: ATTACKER });
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    expect(reply.body).not.toContain('ExternalUserId');
  });

  it('refuses a rebinding Host, and answers the SDK on loopback', async () => {
    const rebound = await scan({ host: `rebind.attacker.example:${service.dynamodb!.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('ExternalUserId');
    const sdk = await scan({});
    expect(sdk.status).toBe(200);
    expect(JSON.parse(sdk.body).Items.length).toBeGreaterThan(0);
  });
});

describe("the README's local-mode commands", () => {
  /** The README's curl commands in its "Local mode" section, code blocks and inline, in order. */
  function readmeCurls(): string[] {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Local mode');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    return [...section.matchAll(/\bcurl [^`\n]*?(?=`|\s*(?:#|\n))/g)].map(([command]) => command.trim());
  }

  it('send JSON as JSON, and the X-Emulator-Control header to the emulator', () => {
    const commands = readmeCurls();
    expect(commands.filter((c) => c.includes('/_emulator/'))).not.toHaveLength(0);
    for (const command of commands) {
      if (command.includes(' -d ')) expect(command).toContain(`-H 'Content-Type: application/json'`);
      if (command.includes('/_emulator/')) expect(command).toContain(`-H 'X-Emulator-Control: 1'`);
    }
  });
});
