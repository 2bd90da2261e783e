// The tables follow Chime, end to end: the emulator emits Chime's EventBridge meeting events (for what it does, and
// for what a client's connection does: joined, left, dropped), local mode delivers them to the event function as
// EventBridge would, and the presence route, the user lookup and join-by-name show the result. A lost MeetingEnded
// is repaired by the sweep.
import { ChimeSDKMeetingsClient, DeleteAttendeeCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { scanTable } from '../../local/dynamodb';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { awsDeps } from '../../lambda/shared/clients';
import { sweepMeetings } from '../../lambda/meeting-sweep';
import { call } from '../faults/helpers';
import { expectConsistent } from '../faults/invariants';

let service: LocalJoinService;
let rooms = 0;
beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  service = await startLocalJoinService({ port: 0 });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
});
beforeEach(() => service.setEventDelivery(true));

const emulator = () => service.emulator!;
const join = (room: string, user: string) =>
  call(service, 'POST', '/join', { ExternalMeetingId: room, ExternalUserId: user });
const presence = async (meetingId: string) => {
  await service.eventsDelivered();
  const reply = await call(service, 'GET', `/meetings/${meetingId}/presence`);
  expect(reply.status).toBe(200);
  return reply.body.Attendees as { ExternalUserId: string; AttendeeId: string; State?: string; Since?: string }[];
};
const record = async (room: string) =>
  (await scanTable(service.dynamodbClient, service.meetingTableName)).find((i) => i.ExternalMeetingId?.S === room);

it('join → joined → presence Joined → left → Left → meeting ended → the next join by name makes a new meeting', async () => {
  const room = `events-${++rooms}`;
  const joined = await join(room, 'alice');
  expect(joined.status).toBe(201);
  const meetingId = joined.body.Meeting.MeetingId as string;
  const attendeeId = joined.body.Attendee.AttendeeId as string;
  // Never connected yet: no State.
  expect(await presence(meetingId)).toEqual([{ ExternalUserId: 'alice', AttendeeId: attendeeId }]);

  emulator().connect(meetingId, attendeeId, 'joined');
  const [connected] = await presence(meetingId);
  expect(connected).toMatchObject({ AttendeeId: attendeeId, State: 'Joined' });
  expect(Date.parse(connected.Since!)).not.toBeNaN();
  const lookup = await call(service, 'GET', '/users/alice/attendees');
  expect(lookup.body.Attendees).toContainEqual(expect.objectContaining({ MeetingId: meetingId, State: 'Joined' }));

  emulator().connect(meetingId, attendeeId, 'left');
  expect((await presence(meetingId))[0]).toMatchObject({ State: 'Left' });

  // The meeting ends on Chime's side (as after its last attendee left): MeetingEnded closes the record.
  emulator().endMeeting(meetingId);
  await service.eventsDelivered();
  expect(await record(room)).toMatchObject({ State: { S: 'ended' } });
  await expectConsistent(service, meetingId);
  expect((await call(service, 'GET', '/users/alice/attendees')).body.Attendees).toEqual([]);

  const next = await join(room, 'alice');
  expect(next.status).toBe(201);
  expect(next.body.Meeting.MeetingId).not.toBe(meetingId);
  // The join needed no NotFound to learn of the end: one CreateMeeting, no failed CreateAttendee.
  expect(await record(room)).toMatchObject({ Generation: { N: '2' }, State: { S: 'live' } });
});

it('records a drop and a rejoin of the same attendee', async () => {
  const room = `events-${++rooms}`;
  const joined = await join(room, 'bob');
  const { MeetingId } = joined.body.Meeting;
  const { AttendeeId } = joined.body.Attendee;
  emulator().connect(MeetingId, AttendeeId, 'joined');
  emulator().connect(MeetingId, AttendeeId, 'dropped');
  expect((await presence(MeetingId))[0]).toMatchObject({ State: 'Dropped' });
  emulator().connect(MeetingId, AttendeeId, 'joined');
  expect((await presence(MeetingId))[0]).toMatchObject({ State: 'Joined' });
});

it('removes the mapping when Chime deletes the attendee (AttendeeDeleted), whoever deleted it', async () => {
  const room = `events-${++rooms}`;
  const joined = await join(room, 'carol');
  const { MeetingId } = joined.body.Meeting;
  // Deleted in Chime by something else than this service (the event is all the service learns).
  const client = new ChimeSDKMeetingsClient(emulator().clientConfig());
  await client.send(new DeleteAttendeeCommand({ MeetingId, AttendeeId: joined.body.Attendee.AttendeeId }));
  client.destroy();
  expect(await presence(MeetingId)).toEqual([]);
  await expectConsistent(service, MeetingId);
});

it('repairs a lost MeetingEnded: the sweep finds the meeting gone and closes it', async () => {
  const room = `events-${++rooms}`;
  const joined = await join(room, 'dave');
  const { MeetingId } = joined.body.Meeting;
  service.setEventDelivery(false); // the event is lost
  emulator().endMeeting(MeetingId);
  service.setEventDelivery(true);
  expect(await record(room)).toMatchObject({ State: { S: 'live' } });

  const before = emulator().stats().operations.GetMeeting.requests;
  const result = await sweepMeetings(awsDeps);
  expect(result.closed).toBeGreaterThanOrEqual(1);
  // Bounded: at most one GetMeeting per live record, within the configured bound.
  expect(emulator().stats().operations.GetMeeting.requests - before).toBe(result.checked);
  expect(result.checked).toBeLessThanOrEqual(awsDeps.config.sweepMaxChecks);
  expect(await record(room)).toMatchObject({ State: { S: 'ended' } });
  await expectConsistent(service, MeetingId);
  // Meetings still live were only marked as checked (so the next runs check the others first).
  const live = (await scanTable(service.dynamodbClient, service.meetingTableName)).filter((i) => i.State?.S === 'live');
  expect(live.length).toBe(result.live - result.closed);
  for (const item of live) expect(Number(item.CheckedAt?.N)).toBeGreaterThan(0);
});
