// Who may do what with meetings in a token mode (local mode's identity headers stand in for a custom authorizer),
// with `meetingCreation: users`: any user may create a meeting and is then its host; members read it; the host and
// administrators end it; nobody else does either.
import { OPERATION_TABLE } from '../../lib/operations';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { asUser, callJson } from './identity-http';

let service: LocalJoinService;
beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  service = await startLocalJoinService({ port: 0, authorization: 'headers', meetingCreation: 'users' });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
});

const as = asUser;
const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  callJson(service.url, method, path, headers, body);
let rooms = 0;
const newRoom = () => `access-${++rooms}`;

it('lets a user join a new room as themself, creating it as its host', async () => {
  const reply = await call('POST', '/join', as('alice'), { ExternalMeetingId: newRoom() });
  expect(reply.status).toBe(201);
  expect(reply.body.Attendee.ExternalUserId).toBe('alice');
});

it('refuses a join that names another user (403), before any meeting is made', async () => {
  const name = newRoom();
  const reply = await call('POST', '/join', as('alice'), { ExternalMeetingId: name, ExternalUserId: 'bob' });
  expect(reply.status).toBe(403);
  expect((await call('POST', '/meetings', as('ops', true), { ExternalMeetingId: name })).status).toBe(201);
});

it('lets members read the meeting, and nobody else but admins', async () => {
  const joined = await call('POST', '/join', as('alice'), { ExternalMeetingId: newRoom() });
  const path = `/meetings/${joined.body.Meeting.MeetingId}`;
  expect((await call('GET', path, as('alice'))).status).toBe(200);
  expect((await call('GET', path, as('mallory'))).status).toBe(403);
  expect((await call('GET', path, as('ops', true))).status).toBe(200);
});

it('lets the host end the meeting, not another member', async () => {
  const name = newRoom();
  const hosted = await call('POST', '/join', as('alice'), { ExternalMeetingId: name });
  await call('POST', '/join', as('bob'), { ExternalMeetingId: name });
  const path = `/meetings/${hosted.body.Meeting.MeetingId}`;
  expect((await call('DELETE', path, as('bob'))).status).toBe(403);
  expect(service.emulator!.getMeeting(hosted.body.Meeting.MeetingId)).toBeDefined();
  expect((await call('DELETE', path, as('alice'))).status).toBe(204);
  expect(service.emulator!.getMeeting(hosted.body.Meeting.MeetingId)).toBeUndefined();
});

it('lets an admin end any meeting; a meeting an admin made has no host, so no user may end it', async () => {
  const created = await call('POST', '/meetings', as('ops', true), { ExternalMeetingId: newRoom() });
  const path = `/meetings/${created.body.Meeting.MeetingId}`;
  expect((await call('DELETE', path, as('alice'))).status).toBe(403);
  expect((await call('DELETE', path, as('ops', true))).status).toBe(204);
});

it('answers 401 to a caller without identity on every meeting route', async () => {
  for (const [method, path] of [
    ['POST', '/join'],
    ['POST', '/meetings'],
    ['GET', '/meetings/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/meetings/00000000-0000-4000-8000-000000000000'],
  ]) {
    const body = method === 'POST' ? { ExternalMeetingId: 'x-room' } : undefined;
    expect((await call(method, path, {}, body)).status).toBe(401);
  }
});

it('lets no stranger through any route that only members or the host may call (the handlers decide: fail closed)', async () => {
  const hosted = await call('POST', '/join', as('alice'), { ExternalMeetingId: newRoom() });
  const meetingId = hosted.body.Meeting.MeetingId as string;
  const rows = OPERATION_TABLE.filter((row) => row.callers === 'members' || row.callers === 'host');
  expect(rows.map((row) => row.operation).sort()).toEqual([
    'delete-attendee',
    'delete-ban',
    'delete-meeting',
    'get-meeting',
    'get-presence',
    'update-attendee-capabilities',
    'update-capabilities-except',
  ]);
  const bodies: Record<string, unknown> = {
    UpdateAttendeeCapabilitiesRequest: { Capabilities: { Audio: 'None', Video: 'None', Content: 'None' } },
    UpdateCapabilitiesExceptRequest: {
      Capabilities: { Audio: 'None', Video: 'None', Content: 'None' },
      ExcludedAttendeeIds: [{ AttendeeId: hosted.body.Attendee.AttendeeId }],
    },
  };
  for (const row of rows) {
    const path = row.path
      .replace('{MeetingId}', meetingId)
      .replace('{AttendeeId}', hosted.body.Attendee.AttendeeId)
      .replace('{ExternalUserId}', 'alice');
    const reply = await call(row.method, path, as('mallory'), row.body && bodies[row.body]);
    expect({ route: `${row.method} ${row.path}`, status: reply.status }).toEqual({
      route: `${row.method} ${row.path}`,
      status: 403,
    });
  }
  expect(service.emulator!.getMeeting(meetingId)).toBeDefined();
  expect(service.emulator!.attendees(meetingId).map((a) => [a.ExternalUserId, a.Capabilities?.Audio])).toEqual([
    ['alice', 'SendReceive'],
  ]);
});
