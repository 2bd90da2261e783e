// `meetingCreation: admins` (the default): users join rooms that exist, but only administrators create them.
import { OPERATION_TABLE } from '../../lib/operations';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { callJson } from './identity-http';

let service: LocalJoinService;
beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  service = await startLocalJoinService({ port: 0, authorization: 'headers', meetingCreation: 'admins' });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
});

const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  callJson(service.url, method, path, headers, body);
const ALICE = { 'x-external-user-id': 'alice' };
const ADMIN = { 'x-external-user-id': 'ops', 'x-admin': 'true' };

it('answers 404 to a user joining a room with no live meeting, and creates nothing', async () => {
  const reply = await call('POST', '/join', ALICE, { ExternalMeetingId: 'no-such-room' });
  expect(reply.status).toBe(404);
  expect(reply.body.Code).toBe('NotFound');
  expect(service.emulator!.stats().operations.CreateMeeting.requests).toBe(0);
});

it('refuses POST /meetings to a user (403) and lets an admin create the room, which users then join', async () => {
  const refused = await call('POST', '/meetings', ALICE, { ExternalMeetingId: 'standup' });
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ Code: 'Forbidden', Message: 'Only administrators may create meetings' });
  expect((await call('POST', '/meetings', ADMIN, { ExternalMeetingId: 'standup' })).status).toBe(201);
  const joined = await call('POST', '/join', ALICE, { ExternalMeetingId: 'standup' });
  expect(joined.status).toBe(201);
});

it('lets no user create through any route only creators may call, when only admins create', async () => {
  const rows = OPERATION_TABLE.filter((row) => row.callers === 'creators');
  expect(rows.map((row) => row.operation)).toEqual(['create-meeting']);
  for (const row of rows) {
    const reply = await call(row.method, row.path, ALICE, { ExternalMeetingId: 'creators-only' });
    expect(reply.status).toBe(403);
  }
});
