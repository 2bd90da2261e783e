// `MeetingAccess.custom` over HTTP, in a token mode (local mode's identity headers stand in for a custom
// authorizer): the owner's function, played by a local function behind a stand-in of Lambda's Invoke API
// (local/lambda-invoke.ts), is asked with the payload the deployed service sends and decides who joins with what;
// it fails closed. (A second local service in one test file would meet the first one's cached clients: hence a
// file of its own, beside moderation.test.ts.)
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { ADMIN, asUser, callJson, chimeAttendee as chimeAttendeeOf, chimeCalls as chimeCallsOf } from './identity-http';

let service: LocalJoinService;

const as = asUser;
const admin = ADMIN;
const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  callJson(service.url, method, path, headers, body);
const chimeCalls = (operation: Parameters<typeof chimeCallsOf>[1]) => chimeCallsOf(service, operation);
const chimeAttendee = (meetingId: string, user: string) => chimeAttendeeOf(service, meetingId, user);
let rooms = 0;
const newRoom = () => `moderation-${++rooms}`;

describe('MeetingAccess.custom: a function decides, and fails closed', () => {
  const asked: unknown[] = [];
  let decide: (payload: any) => unknown = () => ({ Allow: true });
  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    service = await startLocalJoinService({
      port: 0,
      authorization: 'headers',
      meetingCreation: 'users',
      meetingAccess: (payload) => {
        asked.push(payload);
        return decide(payload);
      },
    });
  });
  afterAll(async () => {
    await service?.stop();
    jest.restoreAllMocks();
  });
  beforeEach(() => {
    asked.length = 0;
    decide = () => ({ Allow: true });
  });

  const listener = { Audio: 'Receive', Video: 'Receive', Content: 'None' };

  it('tells the function the caller, the meeting and the capabilities asked for', async () => {
    const name = newRoom();
    const reply = await call('POST', '/join', as('hana'), { ExternalMeetingId: name, Capabilities: listener });
    expect(reply.status).toBe(201);
    expect(asked).toEqual([
      {
        Caller: { ExternalUserId: 'hana' },
        Meeting: { MeetingId: reply.body.Meeting.MeetingId, ExternalMeetingId: name, Host: 'hana' },
        RequestedCapabilities: listener,
      },
    ]);
  });

  it('refuses a user the function denies (403) before any Chime call of the attendee, on both join routes', async () => {
    const room = await call('POST', '/join', as('hana'), { ExternalMeetingId: newRoom() });
    const meetingId = room.body.Meeting.MeetingId;
    decide = (payload) => ({ Allow: payload.Caller.ExternalUserId !== 'mallory' });
    const creates = chimeCalls('CreateAttendee');
    const byName = await call('POST', '/join', as('mallory'), {
      ExternalMeetingId: room.body.Meeting.ExternalMeetingId,
    });
    expect(byName.status).toBe(403);
    expect(byName.body.Message).toBe("The meeting's access policy does not admit this user");
    expect((await call('POST', `/meetings/${meetingId}/attendees`, as('mallory'), {})).status).toBe(403);
    expect(chimeCalls('CreateAttendee')).toBe(creates);
    expect(chimeAttendee(meetingId, 'mallory')).toBeUndefined();
    expect((await call('POST', `/meetings/${meetingId}/attendees`, as('alice'), {})).status).toBe(201);
  });

  it('gives a user who asks for nothing what the function grants, and refuses more than it grants (403)', async () => {
    const room = await call('POST', '/join', as('hana'), { ExternalMeetingId: newRoom() });
    const meetingId = room.body.Meeting.MeetingId;
    decide = () => ({ Allow: true, Capabilities: listener });
    const granted = await call('POST', `/meetings/${meetingId}/attendees`, as('lena'), {});
    expect(granted.status).toBe(201);
    expect(granted.body.Attendee.Capabilities).toEqual(listener);
    expect(chimeAttendee(meetingId, 'lena')!.Capabilities).toEqual(listener);

    const creates = chimeCalls('CreateAttendee');
    const above = await call('POST', `/meetings/${meetingId}/attendees`, as('max'), {
      Capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'None' },
    });
    expect(above.status).toBe(403);
    expect(above.body.Message).toMatch(/Capabilities\.Audio is above what the meeting's access policy grants/);
    const below = await call('POST', `/meetings/${meetingId}/attendees`, as('max'), {
      Capabilities: { Audio: 'Receive', Video: 'None', Content: 'None' },
    });
    expect(below.status).toBe(201);
    expect(chimeCalls('CreateAttendee')).toBe(creates + 1);
  });

  it.each([
    ['throws', () => Promise.reject(new Error('policy store down'))],
    ['answers another shape', () => ({ allow: true })],
    ['answers capabilities that are not capabilities', () => ({ Allow: true, Capabilities: { Audio: 'Loud' } })],
    ['answers nothing', () => undefined],
  ])('fails closed when the function %s: 502 UpstreamFailure, no attendee', async (_, answer) => {
    const room = await call('POST', '/join', as('hana'), { ExternalMeetingId: newRoom() });
    const meetingId = room.body.Meeting.MeetingId;
    decide = answer;
    const reply = await call('POST', `/meetings/${meetingId}/attendees`, as('nina'), {});
    expect(reply.status).toBe(502);
    expect(reply.body).toEqual({
      Code: 'UpstreamFailure',
      Message: "The meeting's access policy could not decide",
      RequestId: expect.any(String),
    });
    expect(chimeAttendee(meetingId, 'nina')).toBeUndefined();
  });

  it('fails closed when the function does not answer within 3 s', async () => {
    const room = await call('POST', '/join', as('hana'), { ExternalMeetingId: newRoom() });
    // unref: the late answer must not hold the test process open after the service stopped.
    decide = () => new Promise((resolve) => setTimeout(() => resolve({ Allow: true }), 4_000).unref());
    const reply = await call('POST', `/meetings/${room.body.Meeting.MeetingId}/attendees`, as('tom'), {});
    expect(reply.status).toBe(502);
    expect(chimeAttendee(room.body.Meeting.MeetingId, 'tom')).toBeUndefined();
  }, 15_000);

  it("does not ask about an administrator's joins", async () => {
    const room = await call('POST', '/join', as('hana'), { ExternalMeetingId: newRoom() });
    asked.length = 0;
    decide = () => ({ Allow: false });
    const reply = await call('POST', `/meetings/${room.body.Meeting.MeetingId}/attendees`, admin, {
      ExternalUserId: 'guest',
    });
    expect(reply.status).toBe(201);
    expect(asked).toEqual([]);
  });
});
