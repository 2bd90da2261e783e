// `npm run local` as a user runs it: local/main.ts in its own process (Node.js with tsx, as the npm script), on a
// free port, against a dynalite this test starts as the "external" DynamoDB endpoint. What it prints is checked
// against what it does: the start-up hint and the README's identity-headers request must work as written.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LocalDynamoDb, scanTable, startDynamoDb } from '../../local/dynamodb';

const ROOT = join(__dirname, '..', '..');
const ORIGIN = 'http://localhost:3000';

interface LocalMode {
  readonly url: string;
  readonly meetingId: string;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** The line that starts with `try:`, without that word. */
  readonly hint: string;
  stop(): Promise<void>;
}

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[]): { child: ChildProcess; lines: string[]; stderr: () => string; exited: Promise<Exit> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', '--port', '0', ...args], {
    cwd: ROOT,
    // AWS_EC2_METADATA_DISABLED: should anything reach for real credentials, fail at once instead of probing IMDS.
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', EMULATOR_LOG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const complete = stdout.split('\n');
    stdout = complete.pop()!;
    lines.push(...complete);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout: [...lines, stdout].join('\n'), stderr })),
  );
  return { child, lines, stderr: () => stderr, exited };
}

/** Starts local mode and resolves once it has printed its URL; fails with its output if it exits first. */
async function startLocalMode(args: string[]): Promise<LocalMode> {
  const { child, lines, stderr, exited } = run(args);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(killer);
  };
  for (const deadline = Date.now() + 45_000; !lines.some((l) => l.startsWith('API: '));) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`local mode did not start:\n${lines.join('\n')}\n${stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // The hint is printed right after the URL, in the same tick.
  await until(() => lines.some((l) => l.trimStart().startsWith('try: ')), 'the start-up hint');
  const value = (prefix: string) =>
    lines
      .find((l) => l.startsWith(prefix))!
      .slice(prefix.length)
      .trim();
  return {
    url: value('API: '),
    meetingId: value('MeetingId: '),
    lines,
    hint: lines
      .find((l) => l.trimStart().startsWith('try: '))!
      .trim()
      .slice('try: '.length),
    stop,
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Sends a `curl -s [-X METHOD] URL [-H 'Name: value']... [-d 'body']` command line, as printed or documented, with
 * fetch: the test runs what a reader would paste, without depending on curl being installed.
 */
async function sendCurl(command: string): Promise<{ status: number; body: any }> {
  expect(command).toMatch(/^curl -s /);
  const url = /\s(https?:\/\/\S+)/.exec(command)![1];
  const method = /\s-X (\S+)/.exec(command)?.[1] ?? (command.includes(' -d ') ? 'POST' : 'GET');
  const headers = Object.fromEntries(
    [...command.matchAll(/\s-H '([^:']+):\s*([^']*)'/g)].map(([, name, value]) => [name, value]),
  );
  const body = /\s-d '([^']*)'/.exec(command)?.[1];
  // curl sends -d data as a form unless told otherwise: so must the stand-in, or a hint without its
  // Content-Type would pass here and fail at the prompt.
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The curl commands of README.md's "Local mode" section. */
function readmeLocalModeCurls(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Local mode');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('curl -s '));
}

let external: LocalDynamoDb;
let externalClient: DynamoDBClient;

beforeAll(async () => {
  external = await startDynamoDb();
  externalClient = new DynamoDBClient({ ...external.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  externalClient?.destroy();
  await external?.stop();
});

describe('--dynamodb-endpoint URL --table NAME --identity-headers --cors-origin URL', () => {
  let local: LocalMode;
  beforeAll(async () => {
    local = await startLocalMode([
      '--dynamodb-endpoint',
      external.endpoint,
      '--table',
      'team-attendees',
      '--identity-headers',
      '--cors-origin',
      ORIGIN,
    ]);
  });
  afterAll(() => local?.stop());

  it('creates the table at that endpoint and says so', () => {
    expect(local.lines).toContainEqual(`  DynamoDB: endpoint ${external.endpoint}, table team-attendees (created)`);
  });

  it("prints a hint that works: it carries X-External-User-Id, and the join's mapping lands in that endpoint's table", async () => {
    expect(local.hint).toContain(`-H 'X-External-User-Id: alice'`);
    const reply = await sendCurl(local.hint);

    expect(reply.status).toBe(201);
    expect(reply.body.Attendee.ExternalUserId).toBe('alice');
    const items = await scanTable(externalClient, 'team-attendees');
    expect(items).toContainEqual(
      expect.objectContaining({
        ExternalUserId: { S: 'alice' },
        MeetingId: { S: local.meetingId },
        AttendeeId: { S: reply.body.Attendee.AttendeeId },
      }),
    );
  });

  it('needs that header: the same request without it is 401', async () => {
    const reply = await sendCurl(local.hint.replace(/ -H '[^']*'/g, ''));
    expect(reply.status).toBe(401);
  });

  it("the README's identity-headers request works as written", async () => {
    const documented = readmeLocalModeCurls().filter((command) => command.includes('X-External-User-Id'));
    expect(documented).not.toHaveLength(0);
    for (const command of documented) {
      const reply = await sendCurl(
        command.replace('http://127.0.0.1:8080', local.url).replace('$MEETING_ID', local.meetingId),
      );
      expect(reply.status).toBeLessThan(300);
    }
  });

  it('answers CORS preflights allowing the identity headers', async () => {
    const response = await fetch(`${local.url}/meetings/${local.meetingId}/attendees`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-external-user-id,x-admin',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-headers')!.split(',')).toEqual(
      expect.arrayContaining(['Content-Type', 'X-External-User-Id', 'X-Admin']),
    );
  });

  it('prints one line per request (method, path, status, ms) and no metrics record', async () => {
    const path = `/meetings/${local.meetingId}/attendees`;
    const reply = await fetch(`${local.url}${path}`, { headers: { 'x-external-user-id': 'ops', 'x-admin': 'true' } });
    expect(reply.status).toBe(200);
    await until(() => local.lines.some((l) => l.startsWith(`GET ${path} 200 `)), 'the request line');

    // The demo room's creation at start, the hint's join, and the same join without its header.
    expect(local.lines).toContainEqual(expect.stringMatching(/^POST \/meetings 201 \d+ ms$/));
    expect(local.lines).toContainEqual(expect.stringMatching(/^POST \/join 201 \d+ ms$/));
    expect(local.lines).toContainEqual(expect.stringMatching(/^POST \/join 401 \d+ ms$/));
    expect(local.lines).toContainEqual(expect.stringMatching(new RegExp(`^OPTIONS ${path} 204 \\d+ ms$`)));
    expect(local.lines).toContainEqual(expect.stringMatching(new RegExp(`^GET ${path} 200 \\d+ ms$`)));
    expect(local.lines.filter((l) => l.startsWith('{'))).toEqual([]);
  });
});

describe('the same endpoint and table again, with --verbose', () => {
  let local: LocalMode;
  beforeAll(async () => {
    local = await startLocalMode(['--dynamodb-endpoint', external.endpoint, '--table', 'team-attendees', '--verbose']);
  });
  afterAll(() => local?.stop());

  it("uses the existing tables as is: the demo room's record carries on to its next meeting", async () => {
    expect(local.lines).toContainEqual(`  DynamoDB: endpoint ${external.endpoint}, table team-attendees (existing)`);
    // The first run's meeting is unknown to this run's emulator: local mode ended it and made the room's next one.
    const [room] = (await scanTable(externalClient, 'chime-join-service-meetings')).filter(
      (item) => item.ExternalMeetingId?.S === 'local-demo',
    );
    expect(room).toMatchObject({ Generation: { N: '2' }, State: { S: 'live' }, MeetingId: { S: local.meetingId } });
  });

  it("prints each request's EMF metrics record before its line", async () => {
    const reply = await sendCurl(local.hint);
    expect(reply.status).toBe(201);
    await until(() => local.lines.some((l) => l.startsWith('POST /join 201 ')), 'the request line');

    const recordAt = local.lines.findIndex((l) => l.startsWith('{"_aws"') && l.includes('"join-meeting"'));
    expect(JSON.parse(local.lines[recordAt])).toEqual(
      expect.objectContaining({ Operation: 'join-meeting', statusCode: 201, Joins: 1 }),
    );
    expect(recordAt).toBeLessThan(local.lines.findIndex((l) => l.startsWith('POST /join 201 ')));
  });
});

describe('an existing table of another shape', () => {
  it('is refused: local mode exits 1 with a message saying what differs, and the table is left alone', async () => {
    await externalClient.send(
      new CreateTableCommand({
        TableName: 'not-attendees',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'Id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'Id', KeyType: 'HASH' }],
      }),
    );
    const exit = await run(['--dynamodb-endpoint', external.endpoint, '--table', 'not-attendees']).exited;

    expect(exit.code).toBe(1);
    expect(exit.stdout).not.toContain('API: ');
    expect(exit.stderr.trim()).toBe(
      `npm run local: DynamoDB at ${external.endpoint}: table not-attendees exists but is not the join service's ` +
        'attendee table: its keys are Id (HASH, S); it has no index byMeeting. Expected keys ExternalUserId (HASH, S), ' +
        'MeetingId (RANGE, S) and index byMeeting on MeetingId (HASH, S), ExternalUserId (RANGE, S) projecting ALL. ' +
        'Name another table (--table NAME), or delete this one to have it created.',
    );
    const { Table } = await externalClient.send(new DescribeTableCommand({ TableName: 'not-attendees' }));
    expect(Table!.KeySchema).toEqual([{ AttributeName: 'Id', KeyType: 'HASH' }]);
    expect(Table!.GlobalSecondaryIndexes).toBeUndefined();
  });
});
