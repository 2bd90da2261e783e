// Chime faults over the whole local service (HTTP → handlers → real SDK clients → emulator; DynamoDB in dynalite):
// throttling storms with concurrent requests, ServiceUnavailable, ServiceFailure and its siblings, and calls slower
// than the clients' 3 s per-attempt timeout. Every answer is either a success or a clean JSON error from SERVICE.md's
// table; no storm creates a second attendee for a user; and after every fault (and the caller's retry) the meeting
// is consistent: each attendee in Chime has its mapping and each mapping its attendee (invariants.ts).
import type { ChimeOperation } from '../../local/chime-emulator';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { call, eventually, expectError, expectRetryAfter, FaultLedger, type Reply } from './helpers';
import { checkMeetingConsistency, expectConsistent } from './invariants';
import { report } from '../report';

let service: LocalJoinService;
const ledger = new FaultLedger();
/** Called with each emulator log line (method, path, operation, status): lets a test act between two Chime calls. */
let onEmulatorLog: ((line: string) => void) | undefined;

beforeAll(async () => {
  for (const level of ['log', 'info', 'warn', 'error'] as const)
    jest.spyOn(console, level).mockImplementation(() => undefined);
  // Chime's events would repair what a fault leaves: not here, where the requests' own repair is under test.
  service = await startLocalJoinService({
    port: 0,
    deliverEvents: false,
    emulator: { log: (line) => onEmulatorLog?.(line) },
  });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
  report(ledger.format('Chime faults (chime-faults.test.ts)'));
});
beforeEach(() => {
  service.emulator!.resetFaults();
  // Each scenario meets fresh containers: a full retry quota, as after a quiet spell in Lambda.
  service.newContainers();
  onEmulatorLog = undefined;
});

const emulator = () => service.emulator!;
const newMeeting = () => emulator().createMeeting({ ExternalMeetingId: 'fault-drill' }).MeetingId!;
const opStats = (op: ChimeOperation) => emulator().stats().operations[op];
const join = (meetingId: string, ExternalUserId: string) =>
  call(service, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId });
const batch = (meetingId: string, users: string[]) =>
  call(service, 'POST', `/meetings/${meetingId}/attendees/batch`, {
    Attendees: users.map((ExternalUserId) => ({ ExternalUserId })),
  });

/** Runs `fn` and books the faults and throttles the emulator served meanwhile under `kind`. */
async function booked<T>(kind: string, fn: () => Promise<T>): Promise<T> {
  const sum = (field: 'faulted' | 'throttled') =>
    Object.values(emulator().stats().operations).reduce((n, op) => n + op[field], 0);
  const [faulted, throttled] = [sum('faulted'), sum('throttled')];
  const result = await fn();
  ledger.add(kind, sum('faulted') - faulted);
  ledger.add(`${kind} (rate-limit throttles)`, sum('throttled') - throttled);
  return result;
}

describe('throttling storms', () => {
  it('CreateAttendee under a rate limit, 40 concurrent joins (20 users, each twice): 2xx or clean 429, one attendee per user', async () => {
    const meetingId = newMeeting();
    emulator().setRateLimit('CreateAttendee', { ratePerSecond: 4, burst: 4 });
    const users = Array.from({ length: 20 }, (_, i) => `storm-${i}`);
    const requests = users.flatMap((user) => [user, user]);
    const replies = await booked('ThrottlingException (CreateAttendee storm)', () =>
      Promise.all(requests.map((user) => join(meetingId, user))),
    );

    const byUser = new Map<string, Reply[]>();
    replies.forEach((reply, i) => byUser.set(requests[i], [...(byUser.get(requests[i]) ?? []), reply]));
    for (const reply of replies) {
      expect([200, 201, 429]).toContain(reply.status);
      if (reply.status === 429) {
        expectError(reply, 429, 'Throttling');
        expectRetryAfter(reply);
      }
    }
    expect(replies.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(replies.filter((r) => r.status < 300).length).toBeGreaterThan(0);

    const live = new Map(
      emulator()
        .attendees(meetingId)
        .map((a) => [a.ExternalUserId, a.AttendeeId]),
    );
    for (const [user, answers] of byUser) {
      const ok = answers.filter((r) => r.status < 300);
      // Both joins of one user got the one attendee Chime holds for the user; exactly one of them created the mapping.
      for (const reply of ok) expect(reply.body.Attendee.AttendeeId).toBe(live.get(user));
      if (ok.length > 0) expect(ok.filter((r) => r.status === 201)).toHaveLength(1);
      else expect(live.has(user)).toBe(false); // throttled before Chime did anything
    }
    await expectConsistent(service, meetingId);

    // The storm is over: every throttled caller retries, and ends up with the attendee the others already have.
    emulator().setRateLimit('CreateAttendee', undefined);
    const throttledUsers = [...byUser]
      .filter(([, answers]) => answers.some((r) => r.status === 429))
      .map(([user]) => user);
    for (const reply of await Promise.all(throttledUsers.map((user) => join(meetingId, user))))
      expect([200, 201]).toContain(reply.status);
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([20, 20]);
  });

  // One caller must not multiply its share of the account's Chime rate: a throttled Chime call is answered (429), not
  // retried, so a request makes at most the calls its route needs (a join by MeetingId: CreateAttendee and
  // GetMeeting; a join of a live meeting by name: CreateAttendee). With retries, these 40 re-joins made 161 calls.
  it('40 concurrent re-joins of one user under Chime throttling: at most 2 Chime calls per request, 2xx or clean 429', async () => {
    const meetingId = newMeeting();
    expect((await join(meetingId, 'hammer')).status).toBe(201);
    const byName = await call(service, 'POST', '/join', {
      ExternalMeetingId: 'hammered-room',
      ExternalUserId: 'hammer',
    });
    expect(byName.status).toBe(201);
    const chimeCalls = () =>
      (['CreateAttendee', 'GetMeeting', 'CreateMeeting'] as const).reduce((n, op) => n + opStats(op).requests, 0);
    for (const op of ['CreateAttendee', 'GetMeeting', 'CreateMeeting'] as const)
      emulator().setRateLimit(op, { ratePerSecond: 2, burst: 2 });
    const before = chimeCalls();
    const replies = await booked('ThrottlingException (one user re-joining)', () =>
      Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0
            ? join(meetingId, 'hammer')
            : call(service, 'POST', '/join', { ExternalMeetingId: 'hammered-room', ExternalUserId: 'hammer' }),
        ),
      ),
    );
    const made = chimeCalls() - before;
    for (const op of ['CreateAttendee', 'GetMeeting', 'CreateMeeting'] as const) emulator().setRateLimit(op, undefined);
    for (const reply of replies) {
      if (reply.status === 429) expectError(reply, 429, 'Throttling');
      else expect(reply.status).toBe(200);
    }
    expect(replies.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    // 20 joins by MeetingId (2 calls each) and 20 by name of a live meeting (1 call each).
    expect(made).toBeLessThanOrEqual(20 * 2 + 20 * 1);
  });

  it('BatchCreateAttendee under a rate limit, 12 concurrent overlapping batches: 200 or clean 429, never a duplicate', async () => {
    const meetingId = newMeeting();
    emulator().setRateLimit('BatchCreateAttendee', { ratePerSecond: 1, burst: 2 });
    const pool = Array.from({ length: 30 }, (_, i) => `crowd-${i}`);
    const batches = Array.from({ length: 12 }, (_, k) =>
      Array.from({ length: 10 }, (_, j) => pool[(k * 5 + j) % pool.length]),
    );
    const replies = await booked('ThrottlingException (BatchCreateAttendee storm)', () =>
      Promise.all(batches.map((users) => batch(meetingId, users))),
    );

    const seen = new Map<string, string>();
    for (const reply of replies) {
      expect([200, 429]).toContain(reply.status);
      if (reply.status === 429) {
        expectError(reply, 429, 'Throttling');
        expectRetryAfter(reply);
        continue;
      }
      expect(reply.body.Errors).toEqual([]);
      for (const attendee of reply.body.Attendees) {
        // Overlapping batches must hand the same user the same attendee.
        expect(seen.get(attendee.ExternalUserId) ?? attendee.AttendeeId).toBe(attendee.AttendeeId);
        seen.set(attendee.ExternalUserId, attendee.AttendeeId);
      }
    }
    expect(replies.some((r) => r.status === 429)).toBe(true);
    await expectConsistent(service, meetingId);

    emulator().setRateLimit('BatchCreateAttendee', undefined);
    const retried = await Promise.all(
      batches.filter((_, i) => replies[i].status === 429).map((users) => batch(meetingId, users)),
    );
    for (const reply of retried) expect(reply.status).toBe(200);
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([30, 30]);
  });

  it('250 attendees, throttled at chunk 2 of 3: 429, the first chunk stays mapped, and the retry completes the batch', async () => {
    const meetingId = newMeeting();
    emulator().setRateLimit('BatchCreateAttendee', { ratePerSecond: 0.01, burst: 1 });
    const users = Array.from({ length: 250 }, (_, i) => `chunked-${i}`);
    const first = await booked('ThrottlingException (batch chunk 2)', () => batch(meetingId, users));
    expectError(first, 429, 'Throttling');
    expectRetryAfter(first);
    // Chunk 1 was created and mapped before chunk 2 was sent: consistent even though the request failed.
    const partial = await expectConsistent(service, meetingId);
    expect([partial.attendees, partial.mappings]).toEqual([100, 100]);

    emulator().setRateLimit('BatchCreateAttendee', undefined);
    const retry = await batch(meetingId, users);
    expect(retry.status).toBe(200);
    expect(retry.body.Attendees).toHaveLength(250);
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([250, 250]);
  });

  it('GetMeeting throttled while CreateAttendee succeeds: 429, the attendee is already mapped, the retry answers 200', async () => {
    const meetingId = newMeeting();
    emulator().injectFault('GetMeeting', { error: 'ThrottlingException', count: 1 });
    const first = await booked('ThrottlingException (GetMeeting)', () => join(meetingId, 'half-joined'));
    expectError(first, 429, 'Throttling');
    expectRetryAfter(first, '1'); // no hint from Chime: the service's default
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([1, 1]);

    const retry = await join(meetingId, 'half-joined');
    expect(retry.status).toBe(200);
    expect(retry.body.Meeting.MeetingId).toBe(meetingId);
    expect(retry.body.Attendee.AttendeeId).toBe(emulator().attendees(meetingId)[0].AttendeeId);
  });
});

/** One request per Chime-calling route, on a meeting with one attendee (`target`) already joined and mapped. */
type RouteName = 'CreateAttendee' | 'BatchCreateAttendee' | 'ListAttendees' | 'DeleteAttendee';
async function routeRequest(route: RouteName): Promise<{ meetingId: string; send: () => Promise<Reply> }> {
  const meetingId = newMeeting();
  const joined = await join(meetingId, 'target');
  expect(joined.status).toBe(201);
  const attendeeId = joined.body.Attendee.AttendeeId;
  const send = {
    CreateAttendee: () => join(meetingId, 'newcomer'),
    BatchCreateAttendee: () => batch(meetingId, ['newcomer-1', 'newcomer-2']),
    ListAttendees: () => call(service, 'GET', `/meetings/${meetingId}/attendees?max-results=10`),
    DeleteAttendee: () => call(service, 'DELETE', `/meetings/${meetingId}/attendees/${attendeeId}`),
  }[route];
  return { meetingId, send };
}
const ROUTES: RouteName[] = ['CreateAttendee', 'BatchCreateAttendee', 'ListAttendees', 'DeleteAttendee'];
const SECRET = 'arn:aws:iam::123456789012:role/JoinServiceRole token=upstream-secret-7f3a';

describe('ServiceUnavailable', () => {
  it.each(ROUTES)(
    "%s: 503 ServiceUnavailable with Chime's Retry-After once the retries are spent; nothing changed",
    async (route) => {
      const { meetingId, send } = await routeRequest(route);
      emulator().injectFault(route, {
        error: 'ServiceUnavailableException',
        count: 3,
        retryAfterSeconds: 7,
        message: SECRET,
      });
      const reply = await booked('ServiceUnavailableException', send);
      expectError(reply, 503, 'ServiceUnavailable', [SECRET, 'upstream-secret']);
      expectRetryAfter(reply, '7');
      const report = await expectConsistent(service, meetingId);
      expect([report.attendees, report.mappings]).toEqual([1, 1]);
    },
  );

  it('Retry-After defaults to 5 s without a hint, and a huge hint is capped at 300 s', async () => {
    const { send } = await routeRequest('CreateAttendee');
    emulator().injectFault('CreateAttendee', { error: 'ServiceUnavailableException', count: 3 });
    expectRetryAfter(await booked('ServiceUnavailableException', send), '5');
    emulator().injectFault('CreateAttendee', {
      error: 'ServiceUnavailableException',
      count: 3,
      retryAfterSeconds: 86_400,
    });
    expectRetryAfter(await booked('ServiceUnavailableException', send), '300');
  });

  it("two ServiceUnavailable answers are ridden out by the SDK's retries: 201", async () => {
    const { meetingId, send } = await routeRequest('CreateAttendee');
    emulator().injectFault('CreateAttendee', { error: 'ServiceUnavailableException', count: 2 });
    expect((await booked('ServiceUnavailableException', send)).status).toBe(201);
    await expectConsistent(service, meetingId);
  });
});

describe('ServiceFailure, Forbidden, Unauthorized: 502 UpstreamFailure, nothing of the upstream error leaks', () => {
  const cases = ROUTES.flatMap((route) =>
    (['ServiceFailureException', 'ForbiddenException', 'UnauthorizedException'] as const).map(
      (error) => [route, error] as const,
    ),
  );
  it.each(cases)('%s answering %s', async (route, error) => {
    const { meetingId, send } = await routeRequest(route);
    emulator().injectFault(route, { error, count: 3, message: SECRET });
    const reply = await booked(error, send);
    expectError(reply, 502, 'UpstreamFailure', [
      SECRET,
      'upstream-secret',
      'JoinServiceRole',
      error.replace(/Exception$/, ''),
    ]);
    expect(reply.headers.get('retry-after')).toBeNull();
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([1, 1]);
  });

  it('BatchCreateAttendee fails as a whole at chunk 2 of 3 (ServiceFailure): 502, and every attendee created so far is mapped', async () => {
    const meetingId = newMeeting();
    const users = Array.from({ length: 250 }, (_, i) => `failing-${i}`);
    // The fault is queued the moment the emulator has answered chunk 1, before chunk 2 arrives.
    onEmulatorLog = (line) => {
      if (/ BatchCreateAttendee 200 /.test(line) && onEmulatorLog) {
        onEmulatorLog = undefined;
        emulator().injectFault('BatchCreateAttendee', { error: 'ServiceFailureException', count: 3, message: SECRET });
      }
    };
    const first = await booked('ServiceFailureException', () => batch(meetingId, users));
    expectError(first, 502, 'UpstreamFailure', [SECRET]);
    const partial = await expectConsistent(service, meetingId);
    expect([partial.attendees, partial.mappings]).toEqual([100, 100]);

    const retry = await batch(meetingId, users);
    expect(retry.status).toBe(200);
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([250, 250]);
  });
});

describe("timeouts (Chime slower than the clients' 3 s per-attempt timeout)", () => {
  it('a join and a delete that never answer in time: clean JSON 5xx inside the function timeout; the retries repair', async () => {
    const [joinMeeting, deleteMeeting] = [newMeeting(), newMeeting()];
    const leaving = await join(deleteMeeting, 'slow-leaver');
    await join(deleteMeeting, 'stayer');
    const before = { create: opStats('CreateAttendee').requests, remove: opStats('DeleteAttendee').requests };
    emulator().setLatency('CreateAttendee', 3_300);
    emulator().setLatency('DeleteAttendee', 3_300);

    const started = Date.now();
    const [joined, deleted] = await Promise.all([
      join(joinMeeting, 'slow-joiner'),
      call(service, 'DELETE', `/meetings/${deleteMeeting}/attendees/${leaving.body.Attendee.AttendeeId}`),
    ]);
    const elapsed = Date.now() - started;
    // 3 attempts of 3 s plus backoff: inside the single-operation functions' 15 s timeout.
    expect(elapsed).toBeLessThan(15_000);
    for (const reply of [joined, deleted]) {
      // The SDK's TimeoutError is no Chime error, so the service answers its own 500 InternalFailure.
      expectError(reply, 500, 'InternalFailure', ['timed out', 'Timeout', 'socket', 'Connection']);
    }
    ledger.add(
      'latency 3.3 s > 3 s request timeout (CreateAttendee)',
      opStats('CreateAttendee').requests - before.create,
    );
    ledger.add(
      'latency 3.3 s > 3 s request timeout (DeleteAttendee)',
      opStats('DeleteAttendee').requests - before.remove,
    );
    expect(opStats('CreateAttendee').requests - before.create).toBe(3);

    // Chime finished the slow calls after the clients gave up: the join left an attendee without a mapping, the
    // delete a mapping without an attendee. The contract allows this after a 5xx, until the caller retries.
    await eventually(() => emulator().attendees(joinMeeting).length === 1, 5_000, 'the slow CreateAttendee to finish');
    await eventually(
      () => emulator().attendees(deleteMeeting).length === 1,
      5_000,
      'the slow DeleteAttendee to finish',
    );
    const [halfJoined, halfDeleted] = await Promise.all([
      checkMeetingConsistency(service, joinMeeting),
      checkMeetingConsistency(service, deleteMeeting),
    ]);
    expect(halfJoined.attendeesWithoutMapping.map((a) => a.ExternalUserId)).toEqual(['slow-joiner']);
    expect(halfDeleted.mappingsWithoutAttendee.map((a) => a.ExternalUserId)).toEqual(['slow-leaver']);

    emulator().setLatency('CreateAttendee', 0);
    emulator().setLatency('DeleteAttendee', 0);
    const rejoined = await join(joinMeeting, 'slow-joiner');
    expect(rejoined.status).toBe(201); // the mapping is new; the attendee is the one Chime created meanwhile
    expect(rejoined.body.Attendee.AttendeeId).toBe(emulator().attendees(joinMeeting)[0].AttendeeId);
    const redeleted = await call(
      service,
      'DELETE',
      `/meetings/${deleteMeeting}/attendees/${leaving.body.Attendee.AttendeeId}`,
    );
    // Chime already removed the attendee: NotFound, and the stale mapping goes with it.
    expectError(redeleted, 404, 'NotFound');
    expect((await expectConsistent(service, joinMeeting)).mappings).toBe(1);
    const after = await expectConsistent(service, deleteMeeting);
    expect([after.attendees, after.mappings]).toEqual([1, 1]); // the stayer keeps attendee and mapping
  }, 40_000);
});
