// The four races of the consistency issue, each staged deterministically over HTTP (real SDK clients, the Chime
// emulator, dynalite behind the fault proxy): a held DynamoDB call lets the racing request finish first, and the
// proxy's index-lag mode makes the byMeeting index miss fresh writes, as DynamoDB's eventually consistent indexes do.
// After each, the table must agree with Chime (test/faults/invariants.ts) and every join answer must be true.
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { call } from '../faults/helpers';
import { expectConsistent, scanTable } from '../faults/invariants';

let service: LocalJoinService;
beforeAll(async () => {
  // The races are staged between requests; Chime's events (which would take a held write) are left out.
  service = await startLocalJoinService({ port: 0, dynamodbFaultProxy: true, deliverEvents: false });
});
afterAll(() => service?.stop());
beforeEach(() => {
  service.dynamodbFaults!.resetFaults();
  service.newContainers();
});

const emulator = () => service.emulator!;
const proxy = () => service.dynamodbFaults!;
const newMeeting = () => emulator().createMeeting({ ExternalMeetingId: 'races' }).MeetingId!;
const join = (meetingId: string, ExternalUserId: string) =>
  call(service, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId });
const remove = (meetingId: string, attendeeId: string) =>
  call(service, 'DELETE', `/meetings/${meetingId}/attendees/${attendeeId}`);
const userAttendees = (user: string) => call(service, 'GET', `/users/${user}/attendees`);
const live = (meetingId: string) =>
  new Set(
    emulator()
      .attendees(meetingId)
      .map((a) => a.AttendeeId),
  );
/** Holds the next write of the table (a single join's, or a batch's), whatever form the code gives it. */
const holdNextWrite = () => proxy().hold({ operations: ['PutItem', 'UpdateItem', 'BatchWriteItem'] });

it('1. a join racing a delete never writes the deleted attendee back, nor answers with its dead token', async () => {
  const meetingId = newMeeting();
  const first = await join(meetingId, 'alice');
  expect(first.status).toBe(201);
  const attendeeA = first.body.Attendee.AttendeeId as string;

  // The re-join gets A from Chime; its write waits while the delete runs to the end.
  const held = holdNextWrite();
  const rejoin = join(meetingId, 'alice');
  await held.reached;
  expect((await remove(meetingId, attendeeA)).status).toBe(204);
  held.release();
  const answer = await rejoin;

  // Either the join says the attendee was removed, or it answers a live one: never A's dead token.
  if (answer.status < 300) expect(live(meetingId).has(answer.body.Attendee.AttendeeId)).toBe(true);
  else expect(answer.body.Code).toBe('Conflict');
  expect((await userAttendees('alice')).body.Attendees.map((a: { AttendeeId: string }) => a.AttendeeId)).not.toContain(
    attendeeA,
  );
  await expectConsistent(service, meetingId);
});

it('2. a slow batch racing a delete and a re-join never overwrites the live mapping with the old attendee', async () => {
  const meetingId = newMeeting();
  const attendeeA = (await join(meetingId, 'alice')).body.Attendee.AttendeeId as string;

  const held = holdNextWrite();
  const batch = call(service, 'POST', `/meetings/${meetingId}/attendees/batch`, {
    Attendees: [{ ExternalUserId: 'alice' }],
  });
  await held.reached; // Chime answered the batch with A; its write waits
  expect((await remove(meetingId, attendeeA)).status).toBe(204);
  const rejoin = await join(meetingId, 'alice');
  expect(rejoin.status).toBe(201);
  const attendeeB = rejoin.body.Attendee.AttendeeId as string;
  expect(attendeeB).not.toBe(attendeeA);
  held.release();
  const batchAnswer = await batch;

  expect(batchAnswer.status).toBe(200);
  expect(batchAnswer.body.Attendees).toEqual([]);
  expect(batchAnswer.body.Errors).toEqual([
    { ExternalUserId: 'alice', ErrorCode: 'Conflict', ErrorMessage: expect.stringContaining('removed') },
  ]);
  await expectConsistent(service, meetingId);
  // B's mapping is intact, so deleting B finds it and leaves nothing behind.
  expect((await remove(meetingId, attendeeB)).status).toBe(204);
  await expectConsistent(service, meetingId);
  expect((await userAttendees('alice')).body.Attendees).toEqual([]);
});

it('3. a delete right after a join removes the mapping even while the byMeeting index lags', async () => {
  proxy().setIndexLag(60_000, ['ExternalUserId', 'MeetingId']);
  const meetingId = newMeeting();
  const joined = await join(meetingId, 'alice');
  expect(joined.status).toBe(201);
  expect((await remove(meetingId, joined.body.Attendee.AttendeeId)).status).toBe(204);

  expect(live(meetingId).size).toBe(0);
  await expectConsistent(service, meetingId);
  expect((await userAttendees('alice')).body.Attendees).toEqual([]);
});

it("4. a re-join renews the mapping's ExpiresAt, so the TTL never removes a live attendee's mapping", async () => {
  const meetingId = newMeeting();
  const expiresAt = async () =>
    Number((await scanTable(service)).find((item) => item.MeetingId?.S === meetingId)?.ExpiresAt?.N);
  expect((await join(meetingId, 'alice')).status).toBe(201);
  const first = await expiresAt();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  expect((await join(meetingId, 'alice')).status).toBe(200);
  expect(await expiresAt()).toBeGreaterThan(first);
  await expectConsistent(service, meetingId);
});
