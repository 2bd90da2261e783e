// Local mode in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core; no browser is
// downloaded) loads pages from loopback origins this test serves. The page of the listed origin joins through
// local mode with the identity header and builds amazon-chime-sdk-js's MeetingSessionConfiguration from the
// answer. Pages of other origins (another port, `localhost` instead of `127.0.0.1`, and a DNS-rebinding name on
// the API's own port) try every request a browser lets them send and get nothing: no readable answer, no join,
// no reset, no fault, no table read, checked in the emulator and dynalite afterwards.
//
// Without chromium the file is skipped, with a message, unless CI is set: in CI a missing browser fails it.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { scanTable } from '../../local/dynamodb';
import { listenOnLoopback } from '../../local/loopback';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import type { Attempt, JoinResult, Targets } from './browser-page';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A name Chromium is told resolves to 127.0.0.1, as an attacker's DNS answers after rebinding. */
const REBIND_HOST = 'rebind.attacker.test';
/** All a rebinding page may read: local mode's refusal of its Host, which holds no data. */
const REBIND_REFUSAL = {
  status: 403,
  body: {
    Code: 'Forbidden',
    Message: expect.stringMatching(/^Host "rebind\.attacker\.test:\d+" is not a loopback name/),
    RequestId: expect.any(String),
  },
};

const missing = !existsSync(CHROMIUM);
if (missing && !process.env.CI) {
  console.warn(
    `test/local/browser.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH). ` +
      'With CI set this is a failure.',
  );
}
const describeInBrowser = missing && !process.env.CI ? describe.skip : describe;

interface PageServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** A page server on 127.0.0.1: `/` is an empty page that loads `/page.js`, the bundled browser-page.ts. */
async function servePage(script: string): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>local mode client</title><script src="/page.js"></script>');
    }
  });
  const { port } = await listenOnLoopback(server);
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'browser-page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

describeInBrowser('local mode in Chromium', () => {
  let service: LocalJoinService;
  let browser: Browser;
  let script: string;
  let listed: PageServer;
  let unlisted: PageServer;
  const servers: PageServer[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
    script = await bundlePage();
    listed = await servePage(script);
    unlisted = await servePage(script);
    servers.push(listed, unlisted);
    service = await startLocalJoinService({
      port: 0,
      authorization: 'headers',
      corsAllowOrigins: [`http://127.0.0.1:${listed.port}`],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        `--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`,
        // Chromium's Local Network Access check stops a page served from a public address (here: fulfilled by the
        // test) from reaching loopback; Firefox and Safari have no such check, so local mode must hold without it.
        '--disable-features=LocalNetworkAccessChecks',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await Promise.all(servers.map((s) => s.stop()));
  });

  async function open(origin: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'attack' in globalThis);
    return page;
  }

  const targets = (api: string): Targets => ({
    api,
    emulator: service.emulator!.endpoint,
    dynalite: service.dynamodb!.endpoint,
    tableName: service.tableName,
  });

  const joinIn = (page: Page, api: string, room: string, user: string) =>
    page.evaluate(
      ([api, room, user]) =>
        (
          globalThis as unknown as { joinThroughLocalMode: (a: string, r: string, u: string) => Promise<JoinResult> }
        ).joinThroughLocalMode(api, room, user),
      [api, room, user] as const,
    );
  const attackFrom = (page: Page, api: string) =>
    page.evaluate(
      (t) => (globalThis as unknown as { attack: (t: Targets) => Promise<Attempt[]> }).attack(t),
      targets(api),
    );

  let joined: JoinResult;

  it('a page of the listed origin joins with the identity header and builds a MeetingSessionConfiguration', async () => {
    const page = await open(`http://127.0.0.1:${listed.port}`);
    joined = await joinIn(page, service.url, 'browser-room', 'alice');
    await page.close();

    expect(joined).toMatchObject({ status: 201, externalMeetingId: 'browser-room', externalUserId: 'alice' });
    // The configuration holds the meeting and attendee Chime made for alice, with her live JoinToken.
    const attendees = service.emulator!.attendees(joined.meetingId!);
    expect(attendees).toEqual([expect.objectContaining({ AttendeeId: joined.attendeeId, ExternalUserId: 'alice' })]);
    expect(service.emulator!.resolveJoinToken(joined.joinToken!)).toEqual({
      meetingId: joined.meetingId,
      attendeeId: joined.attendeeId,
    });
    expect(joined.signalingUrl).toMatch(/^wss:\/\//);
  });

  it.each([
    ['another port on 127.0.0.1', () => `http://127.0.0.1:${unlisted.port}`],
    ['localhost, the listed port (another origin than 127.0.0.1)', () => `http://localhost:${listed.port}`],
  ])('a page of %s reads nothing and changes nothing', async (_, origin) => {
    const page = await open(origin());
    const attempts = await attackFrom(page, service.url);
    await page.close();
    expectNothingRead(attempts);
    await expectNothingChanged();
  });

  it("a DNS-rebinding page (the API's own port under the attacker's name) reads nothing and changes nothing", async () => {
    // The attacker's server answered the page; then the name resolves to 127.0.0.1 (--host-resolver-rules), so the
    // page's requests reach local mode as same-origin ones, with no CORS to stop them: only the Host is left.
    const rebound = `http://${REBIND_HOST}:${service.api.port}`;
    const page = await browser.newPage();
    await page.route(
      (url) => url.origin === rebound && (url.pathname === '/' || url.pathname === '/page.js'),
      (route) =>
        route.fulfill(
          route.request().url().endsWith('/page.js')
            ? { contentType: 'text/javascript', body: script }
            : { contentType: 'text/html', body: '<!doctype html><script src="/page.js"></script>' },
        ),
    );
    await page.goto(`${rebound}/`);
    await page.waitForFunction(() => 'attack' in globalThis);
    const sameOrigin = await page.evaluate(async () => {
      try {
        const response = await fetch('/join', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-External-User-Id': 'mallory' },
          body: JSON.stringify({ ExternalMeetingId: 'stolen-room' }),
        });
        return { status: response.status, body: await response.text() };
      } catch (error) {
        return { status: 0, body: String(error) };
      }
    });
    const attempts = await attackFrom(page, rebound);
    await page.close();

    // Same-origin now: the page reads the refusal, and nothing else.
    expect({ status: sameOrigin.status, body: JSON.parse(sameOrigin.body) }).toEqual(REBIND_REFUSAL);
    expectNothingRead(attempts, true);
    await expectNothingChanged();
  });

  it('the listed page still joins afterwards: no fault was queued, nothing was reset', async () => {
    const page = await open(`http://127.0.0.1:${listed.port}`);
    const bob = await joinIn(page, service.url, 'browser-room', 'bob');
    await page.close();
    expect(bob).toMatchObject({ status: 201, meetingId: joined.meetingId, externalUserId: 'bob' });
    expect(service.emulator!.stats().operations.CreateAttendee.faulted).toBe(0);
  });

  /**
   * Every attempt failed in the browser (a CORS refusal) or was opaque: no status, no body reached the page. A
   * same-origin page (rebinding) may read the refusals of its requests to the API (REBIND_REFUSAL), nothing else.
   */
  function expectNothingRead(attempts: Attempt[], sameOrigin = false): void {
    expect(attempts).toHaveLength(9);
    for (const { name, read, outcome } of attempts) {
      if (sameOrigin && read) {
        expect({ name, status: read.status, body: JSON.parse(read.body) }).toEqual({ name, ...REBIND_REFUSAL });
      } else {
        expect({ name, read, outcome }).toEqual({
          name,
          read: undefined,
          outcome: expect.stringMatching(/^(opaque|TypeError: Failed to fetch)$/),
        });
      }
    }
  }

  /** Alice's join is all there is: her meeting is live (no reset), no mallory, no stolen room, no queued fault. */
  async function expectNothingChanged(): Promise<void> {
    const emulator = service.emulator!;
    expect(emulator.getMeeting(joined.meetingId!)).toBeDefined();
    expect(emulator.attendees(joined.meetingId!).map((a) => a.ExternalUserId)).toEqual(['alice']);
    expect(emulator.stats()).toMatchObject({ meetings: 1, attendees: 1 });
    const rows = await scanTable(service.dynamodbClient, service.tableName);
    expect(rows.map((row) => row.ExternalUserId.S)).toEqual(['alice']);
    const rooms = await scanTable(service.dynamodbClient, service.meetingTableName);
    expect(rooms.map((row) => row.ExternalMeetingId.S)).toEqual(['browser-room']);
  }
});
