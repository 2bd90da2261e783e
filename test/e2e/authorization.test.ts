// Identity-bound joins over HTTP: the local service in `headers` mode puts the caller's identity in the request
// context as a custom authorizer would, and the handlers enforce who may do what. Real SDK clients, emulator, dynalite.
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';

let service: LocalJoinService;
let meetingId: string;

beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  service = await startLocalJoinService({ port: 0, authorization: 'headers' });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
});
beforeEach(() => {
  meetingId = service.emulator!.createMeeting().MeetingId!;
});

const ALICE = { 'x-external-user-id': 'alice' };
const BOB = { 'x-external-user-id': 'bob' };
const ADMIN = { 'x-external-user-id': 'ops', 'x-admin': 'true' };

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const chimeCalls = () => Object.values(service.emulator!.stats().operations).reduce((n, op) => n + op.requests, 0);

describe('an anonymous caller', () => {
  it.each([
    ['POST', () => `/meetings/${meetingId}/attendees`, { ExternalUserId: 'alice' }],
    ['POST', () => `/meetings/${meetingId}/attendees/batch`, { Attendees: [{ ExternalUserId: 'alice' }] }],
    ['GET', () => `/meetings/${meetingId}/attendees`, undefined],
    ['GET', () => '/users/alice/attendees', undefined],
    ['DELETE', () => `/meetings/${meetingId}/attendees/00000000-0000-4000-8000-000000000000`, undefined],
  ])('gets 401 on %s %s, and Chime is never called', async (method, path, body) => {
    const before = chimeCalls();
    const reply = await call(method, path(), {}, body);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ Code: 'Unauthorized', Message: expect.any(String), RequestId: expect.any(String) });
    expect(chimeCalls()).toBe(before);
  });
});

describe('user A and user B', () => {
  it('join as themselves: the identity fills in the ExternalUserId', async () => {
    const reply = await call('POST', `/meetings/${meetingId}/attendees`, ALICE, {});
    expect(reply.status).toBe(201);
    expect(reply.body.Attendee.ExternalUserId).toBe('alice');
  });

  it("A cannot obtain B's attendee (or join token) by naming B", async () => {
    const bobs = await call('POST', `/meetings/${meetingId}/attendees`, BOB, {});
    const reply = await call('POST', `/meetings/${meetingId}/attendees`, ALICE, { ExternalUserId: 'bob' });
    expect(reply.status).toBe(403);
    expect(reply.body.Code).toBe('Forbidden');
    expect(JSON.stringify(reply.body)).not.toContain(bobs.body.Attendee.JoinToken);
  });

  it("A can look up A's attendees but not B's", async () => {
    await call('POST', `/meetings/${meetingId}/attendees`, ALICE, {});
    expect((await call('GET', '/users/alice/attendees', ALICE)).status).toBe(200);
    const reply = await call('GET', '/users/bob/attendees', ALICE);
    expect(reply.status).toBe(403);
    expect(reply.body.Code).toBe('Forbidden');
  });

  it("A cannot delete B's attendee, nor list the meeting, nor batch-join", async () => {
    const bobs = await call('POST', `/meetings/${meetingId}/attendees`, BOB, {});
    const before = chimeCalls();
    const refused = await Promise.all([
      call('DELETE', `/meetings/${meetingId}/attendees/${bobs.body.Attendee.AttendeeId}`, ALICE),
      call('GET', `/meetings/${meetingId}/attendees`, ALICE),
      call('POST', `/meetings/${meetingId}/attendees/batch`, ALICE, { Attendees: [{ ExternalUserId: 'carol' }] }),
    ]);
    expect(refused.map((r) => [r.status, r.body.Code])).toEqual([
      [403, 'Forbidden'],
      [403, 'Forbidden'],
      [403, 'Forbidden'],
    ]);
    expect(chimeCalls()).toBe(before);
    expect(service.emulator!.attendees(meetingId).map((a) => a.ExternalUserId)).toEqual(['bob']);
  });
});

describe('an administrator', () => {
  it('may batch-join, list, look up any user and delete', async () => {
    const batch = await call('POST', `/meetings/${meetingId}/attendees/batch`, ADMIN, {
      Attendees: [{ ExternalUserId: 'alice' }, { ExternalUserId: 'bob' }],
    });
    expect(batch.status).toBe(200);
    expect((await call('GET', `/meetings/${meetingId}/attendees`, ADMIN)).body.Attendees).toHaveLength(2);
    const bobsMeetings = (await call('GET', '/users/bob/attendees', ADMIN)).body.Attendees.map(
      (a: { MeetingId: string }) => a.MeetingId,
    );
    expect(bobsMeetings).toContain(meetingId);
    const bob = batch.body.Attendees.find((a: { ExternalUserId: string }) => a.ExternalUserId === 'bob');
    expect((await call('DELETE', `/meetings/${meetingId}/attendees/${bob.AttendeeId}`, ADMIN)).status).toBe(204);
  });
});

// A JoinToken reaches only the user it belongs to (the IAM side: join-tokens.test.ts).
describe('join tokens', () => {
  const tokenOf = (user: string) =>
    service.emulator!.attendees(meetingId).find((a) => a.ExternalUserId === user)!.JoinToken!;

  it('a user re-joining gets their own JoinToken again (by MeetingId and by name)', async () => {
    const first = await call('POST', `/meetings/${meetingId}/attendees`, ALICE, {});
    const again = await call('POST', `/meetings/${meetingId}/attendees`, ALICE, {});
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.Attendee.JoinToken).toBe(tokenOf('alice'));

    const name = `tokens-${meetingId}`;
    const byName = await call('POST', '/join', ALICE, { ExternalMeetingId: name });
    const byNameAgain = await call('POST', '/join', ALICE, { ExternalMeetingId: name });
    expect([byName.status, byNameAgain.status]).toEqual([201, 200]);
    expect(byNameAgain.body.Attendee.JoinToken).toBe(byName.body.Attendee.JoinToken);
  });

  it("an administrator's batch naming a user who already joined gets no JoinToken of that user, only the new users'", async () => {
    await call('POST', `/meetings/${meetingId}/attendees`, ALICE, {});
    const batch = await call('POST', `/meetings/${meetingId}/attendees/batch`, ADMIN, {
      Attendees: [{ ExternalUserId: 'alice' }, { ExternalUserId: 'erin' }],
    });
    expect(batch.status).toBe(200);
    const byUser = Object.fromEntries(
      batch.body.Attendees.map((a: { ExternalUserId: string }) => [a.ExternalUserId, a]),
    );
    expect(byUser.alice).not.toHaveProperty('JoinToken');
    expect(JSON.stringify(batch.body)).not.toContain(tokenOf('alice'));
    // The administrator created erin's attendee: that token is theirs to hand on.
    expect(byUser.erin.JoinToken).toBe(tokenOf('erin'));
  });
});
