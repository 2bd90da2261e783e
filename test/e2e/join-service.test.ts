// End to end over real protocol peers on loopback: HTTP → API adapter → handlers → real AWS SDK clients →
// Chime SDK Meetings emulator and DynamoDB (dynalite). Nothing here is mocked.
import { MeetingSessionConfiguration } from 'amazon-chime-sdk-js';
import { scanTable } from '../../local/dynamodb';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';

let service: LocalJoinService;
/** Every line the handlers logged, to prove no join token is ever logged. */
const logLines: string[] = [];
const joinTokens = new Set<string>();

beforeAll(async () => {
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
  // The handlers' per-request EMF records go straight to stdout.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(String(chunk));
    return true;
  });
  service = await startLocalJoinService({ port: 0 });
});

afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
  // Checked last, over every request of every test in this file.
  expect(logLines.length).toBeGreaterThan(0);
  expect(joinTokens.size).toBeGreaterThan(0);
  for (const line of logLines) for (const token of joinTokens) expect(line).not.toContain(token);
});

beforeEach(() => {
  service.emulator!.resetFaults();
});

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  for (const match of text.matchAll(/"JoinToken":"([^"]+)"/g)) joinTokens.add(match[1]);
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Every item of the table, unmarshalled to plain strings and objects as far as the tests need. */
const tableItems = (): Promise<Record<string, any>[]> => scanTable(service.dynamodbClient, service.tableName);

/** The items that map an attendee of the meeting (an item without AttendeeId only records removed attendees). */
const mappingsOf = async (meetingId: string) =>
  (await tableItems()).filter((item) => item.MeetingId.S === meetingId && item.AttendeeId?.S);
const newMeeting = () => service.emulator!.createMeeting({ ExternalMeetingId: 'e2e' }).MeetingId!;
const callsOf = (
  operation: 'CreateAttendee' | 'BatchCreateAttendee' | 'ListAttendees' | 'DeleteAttendee' | 'GetMeeting',
) => service.emulator!.stats().operations[operation].requests;

describe('join', () => {
  it('answers 201 with what amazon-chime-sdk-js needs, and stores the mapping without the join token', async () => {
    const meetingId = newMeeting();
    const reply = await call('POST', `/meetings/${meetingId}/attendees`, {
      ExternalUserId: 'alice',
      Tags: [{ Key: 'team', Value: 'blue' }],
    });

    expect(reply.status).toBe(201);
    const config = new MeetingSessionConfiguration(reply.body.Meeting, reply.body.Attendee);
    expect(config.meetingId).toBe(meetingId);
    expect(config.credentials!.attendeeId).toBe(reply.body.Attendee.AttendeeId);
    expect(config.credentials!.joinToken).toBe(reply.body.Attendee.JoinToken);
    expect(config.urls!.audioHostURL).toMatch(/:3478$/);
    expect(config.urls!.signalingURL).toMatch(/^wss:\/\//);
    // The token the client got is the one Chime will accept for this attendee.
    expect(service.emulator!.resolveJoinToken(reply.body.Attendee.JoinToken)).toEqual({
      meetingId,
      attendeeId: reply.body.Attendee.AttendeeId,
    });

    const [mapping] = await mappingsOf(meetingId);
    expect(mapping).toMatchObject({
      ExternalUserId: { S: 'alice' },
      AttendeeId: { S: reply.body.Attendee.AttendeeId },
      Tags: { L: [{ M: { Key: { S: 'team' }, Value: { S: 'blue' } } }] },
    });
    expect(Number(mapping.ExpiresAt.N) - Date.parse(mapping.CreatedAt.S) / 1000).toBeCloseTo(86400, -1);
    expect(JSON.stringify(await tableItems())).not.toContain(reply.body.Attendee.JoinToken);
  });

  it('answers 200 with the same attendee on a re-join, and never creates a second one', async () => {
    const meetingId = newMeeting();
    const first = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'bob' });
    const again = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'bob' });

    expect([first.status, again.status]).toEqual([201, 200]);
    // In IAM mode the caller is not bob: a join that meets bob's existing attendee does not hand out bob's token.
    const { JoinToken, ...withoutToken } = first.body.Attendee;
    expect(JoinToken).toEqual(expect.stringMatching(/.{20,}/));
    expect(again.body.Attendee).toEqual(withoutToken);
    expect(service.emulator!.attendees(meetingId)).toHaveLength(1);
    expect(await mappingsOf(meetingId)).toHaveLength(1);
  });

  it("answers 404 NotFound for a meeting that ended, and removes that meeting's mappings", async () => {
    const meetingId = newMeeting();
    await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'carol' });
    expect(await mappingsOf(meetingId)).toHaveLength(1);
    service.emulator!.endMeeting(meetingId);

    const reply = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'dave' });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ Code: 'NotFound', Message: expect.any(String), RequestId: expect.any(String) });
    expect(await mappingsOf(meetingId)).toHaveLength(0);
  });

  it('rejects invalid input with 400 before any AWS call', async () => {
    const meetingId = newMeeting();
    const before = callsOf('CreateAttendee');
    const cases: Array<[string, unknown]> = [
      [`/meetings/not-a-guid/attendees`, { ExternalUserId: 'erin' }],
      [`/meetings/${meetingId}/attendees`, { ExternalUserId: 'AWS:erin' }],
      [`/meetings/${meetingId}/attendees`, { ExternalUserId: 'erin', Extra: 1 }],
      [`/meetings/${meetingId}/attendees`, '{"ExternalUserId":'],
      [
        `/meetings/${meetingId}/attendees`,
        { ExternalUserId: 'erin', Capabilities: { Audio: 'SendReceive', Video: 'None', Content: 'SendReceive' } },
      ],
    ];
    for (const [path, body] of cases) {
      const reply = await call('POST', path, body);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ Code: 'BadRequest', Message: expect.any(String), RequestId: expect.any(String) });
    }
    expect(callsOf('CreateAttendee')).toBe(before);
    expect(await mappingsOf(meetingId)).toHaveLength(0);
  });

  it('answers 413 PayloadTooLarge for a body over 64 KiB', async () => {
    const reply = await call(
      'POST',
      `/meetings/${newMeeting()}/attendees`,
      JSON.stringify({ ExternalUserId: 'x'.repeat(70 * 1024) }),
    );
    expect(reply.status).toBe(413);
    expect(reply.body.Code).toBe('PayloadTooLarge');
  });

  it("passes Chime's 250-attendee cap on as 400 LimitExceeded", async () => {
    const meetingId = newMeeting();
    const users = Array.from({ length: 250 }, (_, i) => ({ ExternalUserId: `user-${i}` }));
    const batch = await call('POST', `/meetings/${meetingId}/attendees/batch`, { Attendees: users });
    expect(batch.body.Attendees).toHaveLength(250);

    const before = callsOf('CreateAttendee');
    const reply = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'one-too-many' });
    expect(reply.status).toBe(400);
    expect(reply.body.Code).toBe('LimitExceeded');
    // The cap is not throttling: waiting cannot help, so it is not retried.
    expect(callsOf('CreateAttendee') - before).toBe(1);
    expect(await mappingsOf(meetingId)).toHaveLength(250);
  });
});

describe('batch join', () => {
  it('joins 120 users in two Chime calls and maps every one of them', async () => {
    const meetingId = newMeeting();
    const before = callsOf('BatchCreateAttendee');
    const users = Array.from({ length: 120 }, (_, i) => ({ ExternalUserId: `member-${i}` }));
    const reply = await call('POST', `/meetings/${meetingId}/attendees/batch`, { Attendees: users });

    expect(reply.status).toBe(200);
    expect(reply.body.Attendees).toHaveLength(120);
    expect(reply.body.Errors).toEqual([]);
    expect(callsOf('BatchCreateAttendee') - before).toBe(2);
    // Its metrics record counts the 120 joins.
    const record = logLines
      .map((l) => l.trim())
      .filter((l) => l.startsWith('{"_aws"'))
      .map((l) => JSON.parse(l))
      .find((r) => r.Operation === 'batch-create-attendee' && r.statusCode === 200 && r.Joins === 120);
    expect(record).toMatchObject({ Requests: 1, ChimeThrottles: 0, Service: 'local' });
    const mappings = await mappingsOf(meetingId);
    expect(mappings.map((m) => m.ExternalUserId.S).sort()).toEqual(users.map((u) => u.ExternalUserId).sort());
    const byUser = new Map(reply.body.Attendees.map((a: any) => [a.ExternalUserId, a.AttendeeId]));
    for (const m of mappings) expect(m.AttendeeId.S).toBe(byUser.get(m.ExternalUserId.S));
  });

  it('reports per-item errors as Chime does and maps only the attendees created', async () => {
    const meetingId = service.emulator!.createMeeting({
      MeetingFeatures: { Video: { MaxResolution: 'None' } },
    }).MeetingId!;
    const reply = await call('POST', `/meetings/${meetingId}/attendees/batch`, {
      Attendees: [
        { ExternalUserId: 'ok-user' },
        { ExternalUserId: 'video-user', Capabilities: { Audio: 'SendReceive', Video: 'SendReceive', Content: 'None' } },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.Attendees.map((a: any) => a.ExternalUserId)).toEqual(['ok-user']);
    expect(reply.body.Errors).toEqual([
      expect.objectContaining({ ExternalUserId: 'video-user', ErrorCode: expect.any(String) }),
    ]);
    expect((await mappingsOf(meetingId)).map((m) => m.ExternalUserId.S)).toEqual(['ok-user']);
  });

  it('rejects the same user twice in one batch before any AWS call', async () => {
    const before = callsOf('BatchCreateAttendee');
    const reply = await call('POST', `/meetings/${newMeeting()}/attendees/batch`, {
      Attendees: [{ ExternalUserId: 'twin' }, { ExternalUserId: 'twin' }],
    });
    expect(reply.status).toBe(400);
    expect(reply.body.Message).toMatch(/ExternalUserId/);
    expect(callsOf('BatchCreateAttendee')).toBe(before);
  });
});

describe('list and lookup', () => {
  it('pages through every attendee with no join token in any item', async () => {
    const meetingId = newMeeting();
    const users = Array.from({ length: 120 }, (_, i) => ({ ExternalUserId: `pager-${i}` }));
    const joined = await call('POST', `/meetings/${meetingId}/attendees/batch`, { Attendees: users });
    const tokens: string[] = joined.body.Attendees.map((a: any) => a.JoinToken);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const query = `max-results=50${nextToken ? `&next-token=${encodeURIComponent(nextToken)}` : ''}`;
      const page = await call('GET', `/meetings/${meetingId}/attendees?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.Attendees.length).toBeLessThanOrEqual(50);
      for (const attendee of page.body.Attendees) {
        expect(attendee).not.toHaveProperty('JoinToken');
        seen.push(attendee.ExternalUserId);
      }
      const text = JSON.stringify(page.body);
      for (const token of tokens) expect(text).not.toContain(token);
      nextToken = page.body.NextToken;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(users.map((u) => u.ExternalUserId).sort());
  });

  it('rejects max-results outside 1 to 100', async () => {
    const reply = await call('GET', `/meetings/${newMeeting()}/attendees?max-results=101`);
    expect(reply.status).toBe(400);
    expect(reply.body.Message).toMatch(/max-results/);
  });

  it("looks a user's meetings up in the table without calling Chime", async () => {
    const [first, second] = [newMeeting(), newMeeting()];
    await call('POST', `/meetings/${first}/attendees`, { ExternalUserId: 'frank' });
    await call('POST', `/meetings/${second}/attendees`, {
      ExternalUserId: 'frank',
      Tags: [{ Key: 'role', Value: 'host' }],
    });
    const chimeCalls = Object.values(service.emulator!.stats().operations).reduce((n, op) => n + op.requests, 0);

    const reply = await call('GET', '/users/frank/attendees');
    expect(reply.status).toBe(200);
    expect(reply.body.Attendees.map((a: any) => a.MeetingId).sort()).toEqual([first, second].sort());
    for (const attendee of reply.body.Attendees) {
      expect(Object.keys(attendee).sort()).toEqual([
        'AttendeeId',
        'Capabilities',
        'CreatedAt',
        'ExternalUserId',
        'MeetingId',
        'Tags',
      ]);
    }
    expect(Object.values(service.emulator!.stats().operations).reduce((n, op) => n + op.requests, 0)).toBe(chimeCalls);
  });
});

describe('delete', () => {
  it('answers 204, removes the attendee and its mapping, and a new join gets a new attendee', async () => {
    const meetingId = newMeeting();
    const joined = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'grace' });
    const { AttendeeId, JoinToken } = joined.body.Attendee;

    const reply = await call('DELETE', `/meetings/${meetingId}/attendees/${AttendeeId}`);
    expect(reply.status).toBe(204);
    expect(reply.body).toBeUndefined();
    expect(service.emulator!.attendees(meetingId)).toHaveLength(0);
    expect(await mappingsOf(meetingId)).toHaveLength(0);
    expect(service.emulator!.resolveJoinToken(JoinToken)).toBeUndefined();

    const rejoined = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'grace' });
    expect(rejoined.status).toBe(201);
    expect(rejoined.body.Attendee.AttendeeId).not.toBe(AttendeeId);
  });

  it('answers 404 for an attendee that does not exist', async () => {
    const reply = await call('DELETE', `/meetings/${newMeeting()}/attendees/00000000-0000-4000-8000-000000000000`);
    expect(reply.status).toBe(404);
    expect(reply.body.Code).toBe('NotFound');
  });
});

describe('Chime faults', () => {
  it('answers 429 Throttling with Retry-After at once: a throttled Chime call is not retried', async () => {
    const meetingId = newMeeting();
    // One call's worth of tokens, refilled far slower than the SDK retries.
    service.emulator!.setRateLimit('CreateAttendee', { ratePerSecond: 0.01, burst: 1 });
    expect((await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'heidi' })).status).toBe(201);
    const before = callsOf('CreateAttendee');
    const started = Date.now();
    const reply = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'ivy' });
    expect(reply.status).toBe(429);
    // One attempt (Chime's rate is the account's: retrying would spend more of it), and no sleep on the emulator's
    // Retry-After of ~100 s.
    expect(callsOf('CreateAttendee') - before).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The request's metrics record counts the throttled Chime call.
    const record = logLines
      .map((l) => l.trim())
      .filter((l) => l.startsWith('{"_aws"'))
      .map((l) => JSON.parse(l))
      .find((r) => r.requestId === reply.headers.get('x-amzn-requestid'));
    expect(record).toMatchObject({
      Operation: 'create-attendee',
      statusCode: 429,
      ErrorCode: 'Throttling',
      Errors: 1,
      ChimeThrottles: 1,
    });
    expect(reply.body.Code).toBe('Throttling');
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await mappingsOf(meetingId)).map((m) => m.ExternalUserId.S)).toEqual(['heidi']);
  });

  it("a throttled join is the caller's to retry: 429 first, and the retry joins", async () => {
    const meetingId = newMeeting();
    service.emulator!.injectFault('CreateAttendee', { error: 'ThrottlingException', count: 1 });
    const throttled = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'ivan' });
    expect(throttled.status).toBe(429);
    expect(await mappingsOf(meetingId)).toHaveLength(0);
    const retry = await call('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'ivan' });
    expect(retry.status).toBe(201);
    expect(await mappingsOf(meetingId)).toHaveLength(1);
  });

  it("answers 503 ServiceUnavailable with Chime's Retry-After", async () => {
    service.emulator!.injectFault('CreateAttendee', {
      error: 'ServiceUnavailableException',
      count: 5,
      retryAfterSeconds: 2,
    });
    const reply = await call('POST', `/meetings/${newMeeting()}/attendees`, { ExternalUserId: 'judy' });
    expect(reply.status).toBe(503);
    expect(reply.body.Code).toBe('ServiceUnavailable');
    expect(reply.headers.get('retry-after')).toBe('2');
  });

  it.each([
    ['ServiceFailureException', 502, 'UpstreamFailure'],
    ['ForbiddenException', 502, 'UpstreamFailure'],
    ['UnprocessableEntityException', 422, 'UnprocessableEntity'],
  ] as const)('answers %s as %i %s without leaking upstream detail', async (error, status, code) => {
    service.emulator!.injectFault('CreateAttendee', { error, count: 5, message: 'upstream secret detail' });
    const reply = await call('POST', `/meetings/${newMeeting()}/attendees`, { ExternalUserId: 'mallory' });
    expect(reply.status).toBe(status);
    expect(reply.body.Code).toBe(code);
    if (status >= 500) expect(reply.body.Message).not.toContain('upstream secret detail');
  });
});
