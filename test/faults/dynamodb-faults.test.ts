// DynamoDB failing AFTER Chime succeeded, over the whole local service: the handlers reach dynalite through the
// fault-injecting proxy (local/dynamodb-fault-proxy.ts), which fails chosen operations with errors the SDK
// understands. SERVICE.md: "if the write fails the request fails with 5xx and a retry of the same request repairs
// it". So each test checks the failed answer (a clean 500, nothing of DynamoDB's error in it), the transient state
// the failure left, then retries the SAME request and requires the meeting to be consistent again (invariants.ts):
// no attendee without its mapping, no mapping without its attendee.
import { type DynamoDbFaultKind } from '../../local/dynamodb-fault-proxy';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { call, eventually, expectError, FaultLedger, type Reply } from './helpers';
import { checkMeetingConsistency, expectConsistent, scanTable } from './invariants';
import { report } from '../report';

/** Attempts the handlers' SDK clients make per call (retry.ts). */
const SDK_ATTEMPTS = 3;
/** A fault only for the write of one user's mapping. */
const writeOf = (user: string) => (body: Record<string, unknown>) =>
  (body.Key as { ExternalUserId?: { S?: string } } | undefined)?.ExternalUserId?.S === user;

let service: LocalJoinService;
const ledger = new FaultLedger();

beforeAll(async () => {
  for (const level of ['log', 'info', 'warn', 'error'] as const)
    jest.spyOn(console, level).mockImplementation(() => undefined);
  // Chime's events would repair what a fault leaves (and use up the faults meant for the request): not here.
  service = await startLocalJoinService({ port: 0, dynamodbFaultProxy: true, deliverEvents: false });
});
afterAll(async () => {
  const stats = service?.dynamodbFaults?.stats();
  await service?.stop();
  jest.restoreAllMocks();
  if (stats) {
    const byKind = Object.entries(stats.faultsByKind)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind}=${n}`)
      .join(', ');
    const perOperation = Object.entries(stats.operations)
      .map(([op, s]) => `${op}: ${s.faulted} faulted / ${s.calls} calls`)
      .join(', ');
    report(
      `${ledger.format('DynamoDB faults (dynamodb-faults.test.ts), by scenario')}\n  served by the proxy, by kind: ${byKind}\n  per operation: ${perOperation}`,
    );
  }
});
beforeEach(() => {
  service.emulator!.resetFaults();
  proxy().resetFaults();
  // Each scenario meets fresh containers: a full retry quota.
  service.newContainers();
});

const proxy = () => service.dynamodbFaults!;
const newMeeting = () => service.emulator!.createMeeting({ ExternalMeetingId: 'dynamodb-drill' }).MeetingId!;
const join = (meetingId: string, body: object) => call(service, 'POST', `/meetings/${meetingId}/attendees`, body);
const batch = (meetingId: string, users: string[]) =>
  call(service, 'POST', `/meetings/${meetingId}/attendees/batch`, {
    Attendees: users.map((ExternalUserId) => ({ ExternalUserId })),
  });
const remove = (meetingId: string, attendeeId: string) =>
  call(service, 'DELETE', `/meetings/${meetingId}/attendees/${attendeeId}`);
/** Faults may still be served to calls the handler left running after it answered; wait for all of them. */
const allFaultsServed = () =>
  eventually(() => proxy().pendingFaults() === 0, 10_000, 'every injected DynamoDB fault to be served');
/** DynamoDB's own words must not reach the caller. */
const DYNAMODB_WORDS = [
  'ProvisionedThroughput',
  'InternalServerError',
  'Throttling',
  'DynamoDB',
  'dynamodb',
  'UnprocessedItems',
  'socket',
];

/** The 500 every DynamoDB failure after Chime must answer. */
function expectInternalFailure(reply: Reply): void {
  expectError(reply, 500, 'InternalFailure', DYNAMODB_WORDS);
  expect(reply.headers.get('retry-after')).toBeNull();
}

/** Kinds whose every attempt fails, so the SDK's retries cannot ride them out. */
const FAILING_KINDS: DynamoDbFaultKind[] = [
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'InternalServerError',
  'ServiceUnavailable',
  'http500',
  'reset',
];

describe('join: the mapping write (UpdateItem) fails after CreateAttendee succeeded', () => {
  it.each(FAILING_KINDS)(
    '%s on every attempt: 500, an attendee without mapping, then the same request repairs it (201)',
    async (kind) => {
      const meetingId = newMeeting();
      const body = { ExternalUserId: `put-${kind}`, Tags: [{ Key: 'team', Value: 'blue' }] };
      proxy().injectFault({ operation: 'UpdateItem', kind, count: SDK_ATTEMPTS });
      const first = await join(meetingId, body);
      expectInternalFailure(first);
      ledger.add(`${kind} on UpdateItem`, SDK_ATTEMPTS - proxy().pendingFaults());
      expect(proxy().pendingFaults()).toBe(0);

      // What the failure left: Chime has the attendee, the table does not (allowed only until the caller retries).
      const broken = await checkMeetingConsistency(service, meetingId);
      expect(broken.attendeesWithoutMapping.map((a) => a.ExternalUserId)).toEqual([body.ExternalUserId]);
      expect(broken.mappingsWithoutAttendee).toEqual([]);

      const retry = await join(meetingId, body);
      expect(retry.status).toBe(201);
      expect(retry.body.Attendee.AttendeeId).toBe(broken.attendeesWithoutMapping[0].AttendeeId); // the same attendee
      const report = await expectConsistent(service, meetingId);
      expect([report.attendees, report.mappings]).toEqual([1, 1]);
      const [item] = (await scanTable(service)).filter((i) => i.MeetingId.S === meetingId);
      expect(item.Tags).toEqual({ L: [{ M: { Key: { S: 'team' }, Value: { S: 'blue' } } }] });
    },
  );

  it("two failures are ridden out by the SDK's retries: 201 at once", async () => {
    const meetingId = newMeeting();
    proxy().injectFault({ operation: 'UpdateItem', kind: 'InternalServerError', count: SDK_ATTEMPTS - 1 });
    expect((await join(meetingId, { ExternalUserId: 'lucky' })).status).toBe(201);
    ledger.add('InternalServerError on UpdateItem', SDK_ATTEMPTS - 1);
    await expectConsistent(service, meetingId);
  });

  it("the write is applied but its answer is lost: the SDK's retry meets the mapping it wrote, 200 and consistent", async () => {
    const meetingId = newMeeting();
    proxy().injectFault({ operation: 'UpdateItem', kind: 'lostResponse' });
    const reply = await join(meetingId, { ExternalUserId: 'lost-answer' });
    ledger.add('lostResponse on UpdateItem', 1);
    // The SDK's retry of the conditional update finds this attendee mapped already: a re-join.
    expect(reply.status).toBe(200);
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([1, 1]);
  });
});

describe('batch of 250 (3 chunks): a mapping write of chunk 2 fails, after chunk 1 was created and mapped', () => {
  it.each(['InternalServerError', 'ProvisionedThroughputExceededException'] as const)(
    '%s: 500, chunk 2 partly unmapped, chunk 3 never sent, and the same request completes all 250',
    async (kind) => {
      const meetingId = newMeeting();
      const users = Array.from({ length: 250 }, (_, i) => `batch-${i}`);
      // Every attempt of one write of chunk 2 fails.
      proxy().injectFault({ operation: 'UpdateItem', kind, count: SDK_ATTEMPTS, match: writeOf('batch-150') });
      const first = await batch(meetingId, users);
      expectInternalFailure(first);
      await allFaultsServed();
      ledger.add(`${kind} on UpdateItem`, SDK_ATTEMPTS);

      // Chunks 1 and 2 exist in Chime, chunk 3 was never sent; chunk 1 and some of chunk 2 are mapped.
      const broken = await checkMeetingConsistency(service, meetingId);
      expect(broken.attendees).toBe(200);
      expect(broken.mappings).toBeGreaterThanOrEqual(100);
      expect(broken.attendeesWithoutMapping.map((a) => a.ExternalUserId)).toContain('batch-150');
      expect(broken.mappingsWithoutAttendee).toEqual([]);

      const retry = await batch(meetingId, users);
      expect(retry.status).toBe(200);
      expect(retry.body.Attendees).toHaveLength(250);
      expect(retry.body.Errors).toEqual([]);
      const report = await expectConsistent(service, meetingId);
      expect([report.attendees, report.mappings]).toEqual([250, 250]);
    },
  );
});

describe('delete: the removal (UpdateItem) fails after DeleteAttendee succeeded', () => {
  it.each(['InternalServerError', 'ProvisionedThroughputExceededException', 'http500'] as const)(
    '%s on every attempt: 500, a mapping without attendee, then the same DELETE removes it',
    async (kind) => {
      const meetingId = newMeeting();
      const leaver = await join(meetingId, { ExternalUserId: 'leaver' });
      await join(meetingId, { ExternalUserId: 'stayer' });
      // The removal mark passes; the removal after Chime's delete fails on every attempt.
      proxy().injectFault({ operation: 'UpdateItem', kind, after: 1, count: SDK_ATTEMPTS });
      const first = await remove(meetingId, leaver.body.Attendee.AttendeeId);
      expectInternalFailure(first);
      ledger.add(`${kind} on UpdateItem`, SDK_ATTEMPTS - proxy().pendingFaults());

      const broken = await checkMeetingConsistency(service, meetingId);
      expect(broken.mappingsWithoutAttendee.map((m) => m.ExternalUserId)).toEqual(['leaver']);
      expect(broken.attendeesWithoutMapping).toEqual([]);

      // Chime no longer knows the attendee: the retry answers NotFound and removes the stale mapping on the way.
      const retry = await remove(meetingId, leaver.body.Attendee.AttendeeId);
      expectError(retry, 404, 'NotFound');
      const report = await expectConsistent(service, meetingId);
      expect([report.attendees, report.mappings]).toEqual([1, 1]); // the stayer is untouched
    },
  );

  it('the removal mark fails before DeleteAttendee: 500 and nothing changed anywhere; the retry deletes (204)', async () => {
    const meetingId = newMeeting();
    const leaver = await join(meetingId, { ExternalUserId: 'early-leaver' });
    proxy().injectFault({ operation: 'UpdateItem', kind: 'InternalServerError', count: SDK_ATTEMPTS });
    expectInternalFailure(await remove(meetingId, leaver.body.Attendee.AttendeeId));
    ledger.add('InternalServerError on UpdateItem', SDK_ATTEMPTS);
    const untouched = await expectConsistent(service, meetingId);
    expect([untouched.attendees, untouched.mappings]).toEqual([1, 1]);

    expect((await remove(meetingId, leaver.body.Attendee.AttendeeId)).status).toBe(204);
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([0, 0]);
  });

  it("the removal is applied but its answer is lost: the SDK's retry records it again, 204 and consistent", async () => {
    const meetingId = newMeeting();
    const leaver = await join(meetingId, { ExternalUserId: 'quiet-leaver' });
    proxy().injectFault({ operation: 'UpdateItem', kind: 'lostResponse', after: 1 });
    expect((await remove(meetingId, leaver.body.Attendee.AttendeeId)).status).toBe(204);
    ledger.add('lostResponse on UpdateItem', 1);
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([0, 0]);
  });
});

describe('a meeting that ended: the clean-up of its mappings fails', () => {
  it('BatchWriteItem fails while removing the stale mappings: 500; the same request finishes the clean-up (404)', async () => {
    const meetingId = newMeeting();
    await batch(meetingId, ['gone-1', 'gone-2', 'gone-3']);
    service.emulator!.endMeeting(meetingId);
    proxy().injectFault({ operation: 'BatchWriteItem', kind: 'InternalServerError', count: SDK_ATTEMPTS });
    const first = await join(meetingId, { ExternalUserId: 'latecomer' });
    expectInternalFailure(first);
    ledger.add('InternalServerError on BatchWriteItem', SDK_ATTEMPTS);
    const stale = await checkMeetingConsistency(service, meetingId);
    expect(stale.mappingsWithoutAttendee).toHaveLength(3);

    expectError(await join(meetingId, { ExternalUserId: 'latecomer' }), 404, 'NotFound');
    const report = await expectConsistent(service, meetingId);
    expect([report.attendees, report.mappings]).toEqual([0, 0]);
  });
});
