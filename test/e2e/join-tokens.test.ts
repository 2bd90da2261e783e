// A JoinToken reaches only the user it belongs to. Chime answers a repeated ExternalUserId with the attendee it holds,
// token included, so whoever joins a user who already joined (an IAM caller, an administrator's join or batch) would
// get that user's live token and could take over the session. Over HTTP, both kinds of caller: IAM mode (every
// signed caller is a backend, never the user; the local service's open mode has the same caller: no user identity).
// The token modes' side (a user re-joining, an administrator's batch) is in authorization.test.ts.
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { call } from '../faults/helpers';

let iam: LocalJoinService;
beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  iam = await startLocalJoinService({ port: 0 });
});
afterAll(async () => {
  await iam?.stop();
  jest.restoreAllMocks();
});

let room = 0;

const post = (service: LocalJoinService, path: string, body: unknown) => call(service, 'POST', path, body);
const newMeeting = (service: LocalJoinService) => service.emulator!.createMeeting().MeetingId!;
/** The token Chime holds for a user in a meeting: what must not leak. */
const tokenOf = (service: LocalJoinService, meetingId: string, user: string) =>
  service.emulator!.attendees(meetingId).find((a) => a.ExternalUserId === user)!.JoinToken!;

describe('IAM mode (and the open mode): the caller is never the user', () => {
  it("a join that meets the user's existing attendee answers it without the JoinToken", async () => {
    const meetingId = newMeeting(iam);
    const first = await post(iam, `/meetings/${meetingId}/attendees`, { ExternalUserId: 'bob' });
    expect(first.status).toBe(201);
    expect(first.body.Attendee.JoinToken).toBe(tokenOf(iam, meetingId, 'bob'));

    const again = await post(iam, `/meetings/${meetingId}/attendees`, { ExternalUserId: 'bob' });
    expect(again.status).toBe(200);
    expect(again.body.Attendee).toEqual({
      ExternalUserId: 'bob',
      AttendeeId: first.body.Attendee.AttendeeId,
      Capabilities: first.body.Attendee.Capabilities,
    });
    expect(JSON.stringify(again.body)).not.toContain(tokenOf(iam, meetingId, 'bob'));
  });

  it('POST /join of a user already in the live meeting: no JoinToken', async () => {
    const name = `tokens-${++room}`;
    const first = await post(iam, '/join', { ExternalMeetingId: name, ExternalUserId: 'bob' });
    expect(first.status).toBe(201);
    const meetingId = first.body.Meeting.MeetingId;
    const again = await post(iam, '/join', { ExternalMeetingId: name, ExternalUserId: 'bob' });
    expect(again.status).toBe(200);
    expect(again.body.Attendee.AttendeeId).toBe(first.body.Attendee.AttendeeId);
    expect(again.body.Attendee).not.toHaveProperty('JoinToken');
    expect(JSON.stringify(again.body)).not.toContain(tokenOf(iam, meetingId, 'bob'));
  });

  it("a batch naming an existing user answers that user without the JoinToken, and the new users' with theirs", async () => {
    const meetingId = newMeeting(iam);
    await post(iam, `/meetings/${meetingId}/attendees`, { ExternalUserId: 'carol' });
    const batch = await post(iam, `/meetings/${meetingId}/attendees/batch`, {
      Attendees: [{ ExternalUserId: 'carol' }, { ExternalUserId: 'dan' }],
    });
    expect(batch.status).toBe(200);
    const byUser = Object.fromEntries(
      batch.body.Attendees.map((a: { ExternalUserId: string }) => [a.ExternalUserId, a]),
    );
    expect(byUser.carol).not.toHaveProperty('JoinToken');
    expect(byUser.dan.JoinToken).toBe(tokenOf(iam, meetingId, 'dan'));
    expect(JSON.stringify(batch.body)).not.toContain(tokenOf(iam, meetingId, 'carol'));
  });
});
