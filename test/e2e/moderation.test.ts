// Moderation and meeting access over HTTP, in a token mode (local mode's identity headers stand in for a custom
// authorizer), against the Chime emulator and dynalite: the host (the user whose join created the meeting) and
// administrators change capabilities, kick, ban and readmit; nobody else does; a banned user's join is refused
// before any Chime call; users attach no Tags; and `MeetingAccess.custom` (played by a local function behind a
// stand-in of Lambda's Invoke API) decides who joins with what, failing closed.
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

/** A room hosted by `hana` that `bob` joined too. */
async function hostedRoom(create: Record<string, unknown> = {}) {
  const name = newRoom();
  const hosted = await call('POST', '/join', as('hana'), { ExternalMeetingId: name, ...create });
  expect(hosted.status).toBe(201);
  const bob = await call('POST', '/join', as('bob'), { ExternalMeetingId: name });
  expect(bob.status).toBe(201);
  const meetingId: string = hosted.body.Meeting.MeetingId;
  return {
    name,
    meetingId,
    hana: hosted.body.Attendee.AttendeeId as string,
    bob: bob.body.Attendee.AttendeeId as string,
  };
}

describe('moderation (MeetingAccess.open)', () => {
  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    service = await startLocalJoinService({ port: 0, authorization: 'headers', meetingCreation: 'users' });
  });
  afterAll(async () => {
    await service?.stop();
    jest.restoreAllMocks();
  });

  const muted = { Audio: 'Receive', Video: 'Receive', Content: 'Receive' };

  it("lets the host set one attendee's capabilities: 200 with the attendee, never its JoinToken", async () => {
    const room = await hostedRoom();
    const reply = await call('PUT', `/meetings/${room.meetingId}/attendees/${room.bob}/capabilities`, as('hana'), {
      Capabilities: muted,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ Attendee: { ExternalUserId: 'bob', AttendeeId: room.bob, Capabilities: muted } });
    expect(chimeAttendee(room.meetingId, 'bob')!.Capabilities).toEqual(muted);
  });

  it("lets the host set every attendee's capabilities but the excluded ones' (204)", async () => {
    const room = await hostedRoom();
    const before = chimeAttendee(room.meetingId, 'hana')!.Capabilities;
    const reply = await call('PUT', `/meetings/${room.meetingId}/attendees/capabilities`, as('hana'), {
      Capabilities: muted,
      ExcludedAttendeeIds: [{ AttendeeId: room.hana }],
    });
    expect(reply.status).toBe(204);
    expect(chimeAttendee(room.meetingId, 'bob')!.Capabilities).toEqual(muted);
    expect(chimeAttendee(room.meetingId, 'hana')!.Capabilities).toEqual(before);
  });

  it('refuses every moderation route to a member who is not the host (403), before any Chime call', async () => {
    const room = await hostedRoom();
    const base = `/meetings/${room.meetingId}`;
    const calls = chimeCalls('UpdateAttendeeCapabilities') + chimeCalls('BatchUpdateAttendeeCapabilitiesExcept');
    const deletes = chimeCalls('DeleteAttendee');
    for (const [method, path, body] of [
      ['PUT', `${base}/attendees/${room.hana}/capabilities`, { Capabilities: muted }],
      [
        'PUT',
        `${base}/attendees/capabilities`,
        { Capabilities: muted, ExcludedAttendeeIds: [{ AttendeeId: room.bob }] },
      ],
      ['DELETE', `${base}/attendees/${room.hana}?ban=true`, undefined],
      ['DELETE', `${base}/bans/hana`, undefined],
    ] as const) {
      const reply = await call(method, path, as('bob'), body);
      expect({ path, status: reply.status, code: reply.body.Code }).toEqual({ path, status: 403, code: 'Forbidden' });
    }
    expect(chimeCalls('UpdateAttendeeCapabilities') + chimeCalls('BatchUpdateAttendeeCapabilitiesExcept')).toBe(calls);
    expect(chimeCalls('DeleteAttendee')).toBe(deletes);
    expect(chimeAttendee(room.meetingId, 'hana')).toBeDefined();
  });

  it('refuses the host of one meeting in another', async () => {
    const mine = await hostedRoom();
    const other = await call('POST', '/join', as('olga'), { ExternalMeetingId: newRoom() });
    const reply = await call(
      'DELETE',
      `/meetings/${other.body.Meeting.MeetingId}/attendees/${other.body.Attendee.AttendeeId}`,
      as('hana'),
    );
    expect(reply.status).toBe(403);
    expect(mine.meetingId).not.toBe(other.body.Meeting.MeetingId);
  });

  it('kick without ban frees the place: the user joins again with a new attendee', async () => {
    const room = await hostedRoom();
    expect((await call('DELETE', `/meetings/${room.meetingId}/attendees/${room.bob}`, as('hana'))).status).toBe(204);
    expect(chimeAttendee(room.meetingId, 'bob')).toBeUndefined();
    const again = await call('POST', '/join', as('bob'), { ExternalMeetingId: room.name });
    expect(again.status).toBe(201);
    expect(again.body.Attendee.AttendeeId).not.toBe(room.bob);
  });

  it('kick with ban=true: the user cannot rejoin (403, no Chime call) by name, by MeetingId or in a batch, until readmitted', async () => {
    const room = await hostedRoom();
    const kicked = await call('DELETE', `/meetings/${room.meetingId}/attendees/${room.bob}?ban=true`, as('hana'));
    expect(kicked.status).toBe(204);
    expect(chimeAttendee(room.meetingId, 'bob')).toBeUndefined();

    const creates = chimeCalls('CreateAttendee') + chimeCalls('BatchCreateAttendee');
    const byName = await call('POST', '/join', as('bob'), { ExternalMeetingId: room.name });
    expect(byName.status).toBe(403);
    expect(byName.body.Message).toMatch(/banned/);
    const byId = await call('POST', `/meetings/${room.meetingId}/attendees`, as('bob'), {});
    expect(byId.status).toBe(403);
    // An administrator is held to the ban too: it is the meeting's, not the caller's.
    const byAdmin = await call('POST', `/meetings/${room.meetingId}/attendees`, admin, {
      ExternalUserId: 'bob',
    });
    expect(byAdmin.status).toBe(403);
    const batch = await call('POST', `/meetings/${room.meetingId}/attendees/batch`, admin, {
      Attendees: [{ ExternalUserId: 'bob' }],
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual({
      Attendees: [],
      Errors: [{ ExternalUserId: 'bob', ErrorCode: 'Forbidden', ErrorMessage: expect.stringMatching(/banned/) }],
    });
    expect(chimeCalls('CreateAttendee') + chimeCalls('BatchCreateAttendee')).toBe(creates);
    expect(chimeAttendee(room.meetingId, 'bob')).toBeUndefined();
    // Others still join.
    expect((await call('POST', '/join', as('carol'), { ExternalMeetingId: room.name })).status).toBe(201);

    expect((await call('DELETE', `/meetings/${room.meetingId}/bans/bob`, as('hana'))).status).toBe(204);
    const readmitted = await call('POST', '/join', as('bob'), { ExternalMeetingId: room.name });
    expect(readmitted.status).toBe(201);
    expect(readmitted.body.Attendee.JoinToken).toEqual(expect.any(String));
  });

  it("readmitting a user who is not banned is 204 and leaves no item; the ban and bob's presence in other meetings stay apart", async () => {
    const room = await hostedRoom();
    const other = await hostedRoom();
    expect(
      (await call('DELETE', `/meetings/${room.meetingId}/attendees/${room.bob}?ban=true`, as('hana'))).status,
    ).toBe(204);
    expect((await call('DELETE', `/meetings/${other.meetingId}/bans/zed`, as('hana'))).status).toBe(204);
    // Banned from one meeting only.
    expect(chimeAttendee(other.meetingId, 'bob')).toBeDefined();
    expect((await call('POST', `/meetings/${other.meetingId}/attendees`, as('bob'), {})).status).toBe(200);
    const { Items } = await scanUser('zed');
    expect(Items).toEqual([]);
  });

  it('lets an administrator moderate any meeting, a meeting without a host included', async () => {
    const created = await call('POST', '/meetings', admin, { ExternalMeetingId: newRoom() });
    const meetingId = created.body.Meeting.MeetingId;
    const joined = await call('POST', `/meetings/${meetingId}/attendees`, as('dave'), {});
    expect(joined.status).toBe(201);
    const path = `/meetings/${meetingId}/attendees/${joined.body.Attendee.AttendeeId}`;
    expect((await call('PUT', `${path}/capabilities`, as('dave'), { Capabilities: muted })).status).toBe(403);
    expect((await call('PUT', `${path}/capabilities`, admin, { Capabilities: muted })).status).toBe(200);
    expect((await call('DELETE', `${path}?ban=true`, admin)).status).toBe(204);
    expect((await call('POST', `/meetings/${meetingId}/attendees`, as('dave'), {})).status).toBe(403);
  });

  it("keeps capabilities within the meeting's features: 400 before Chime is called", async () => {
    const room = await hostedRoom({ MeetingFeatures: { Video: { MaxResolution: 'None' } } });
    const calls = chimeCalls('UpdateAttendeeCapabilities');
    const reply = await call('PUT', `/meetings/${room.meetingId}/attendees/${room.bob}/capabilities`, as('hana'), {
      Capabilities: { Audio: 'SendReceive', Video: 'SendReceive', Content: 'None' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.Message).toMatch(/Video must be None/);
    expect(chimeCalls('UpdateAttendeeCapabilities')).toBe(calls);
  });

  it('refuses ban values other than true and false, and unknown query parameters (400)', async () => {
    const room = await hostedRoom();
    for (const query of ['ban=yes', 'ban=', 'ban=TRUE', 'kick=true']) {
      const reply = await call('DELETE', `/meetings/${room.meetingId}/attendees/${room.bob}?${query}`, as('hana'));
      expect({ query, status: reply.status }).toEqual({ query, status: 400 });
    }
    expect(chimeAttendee(room.meetingId, 'bob')).toBeDefined();
  });

  it('refuses Tags from a user (403) on both join routes, and takes them from an administrator', async () => {
    const room = await hostedRoom();
    const tags = [{ Key: 'role', Value: 'host' }];
    const byName = await call('POST', '/join', as('mallory'), { ExternalMeetingId: room.name, Tags: tags });
    expect(byName.status).toBe(403);
    expect(byName.body.Message).toBe('Tags may be set by administrators only');
    const byId = await call('POST', `/meetings/${room.meetingId}/attendees`, as('mallory'), { Tags: tags });
    expect(byId.status).toBe(403);
    expect(chimeAttendee(room.meetingId, 'mallory')).toBeUndefined();
    const byAdmin = await call('POST', `/meetings/${room.meetingId}/attendees`, admin, {
      ExternalUserId: 'erin',
      Tags: tags,
    });
    expect(byAdmin.status).toBe(201);
  });
});

async function scanUser(user: string) {
  const { QueryCommand } = await import('@aws-sdk/client-dynamodb');
  return service.dynamodbClient.send(
    new QueryCommand({
      TableName: service.tableName,
      KeyConditionExpression: 'ExternalUserId = :u',
      ExpressionAttributeValues: { ':u': { S: user } },
    }),
  );
}
