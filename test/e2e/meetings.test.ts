// Version 2's meetings over HTTP, end to end (real SDK clients, the Chime emulator, dynalite behind the fault proxy,
// which counts DynamoDB calls): join by name in one call, one live meeting per name under concurrency, the meeting
// record, ended meetings replaced, GET and DELETE of a meeting, and the validation of the create fields.
import { MeetingSessionConfiguration } from 'amazon-chime-sdk-js';
import { scanTable } from '../../local/dynamodb';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { call, type Reply } from '../faults/helpers';
import { expectConsistent } from '../faults/invariants';

let service: LocalJoinService;
let room = 0;
beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  service = await startLocalJoinService({ port: 0, dynamodbFaultProxy: true });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
});
beforeEach(() => {
  service.emulator!.resetFaults();
  service.dynamodbFaults!.resetFaults();
  service.newContainers();
});

const emulator = () => service.emulator!;
const newRoom = () => `room-${++room}-${Date.now()}`;
const join = (body: object) => call(service, 'POST', '/join', body);
const chimeCalls = () =>
  Object.fromEntries(
    Object.entries(emulator().stats().operations)
      .filter(([, s]) => s.requests > 0)
      .map(([op, s]) => [op, s.requests]),
  );
const dynamodbCalls = () => service.dynamodbFaults!.stats().totalCalls;
/** Calls each peer got while `fn` ran. */
async function counted<T>(fn: () => Promise<T>) {
  const [chimeBefore, dynamoBefore] = [chimeCalls(), dynamodbCalls()];
  const result = await fn();
  const chime = Object.fromEntries(
    Object.entries(chimeCalls())
      .map(([op, n]) => [op, n - (chimeBefore[op] ?? 0)])
      .filter(([, n]) => (n as number) > 0),
  );
  return { result, chime, dynamodb: dynamodbCalls() - dynamoBefore };
}
const meetingRecord = async (name: string) =>
  (await scanTable(service.dynamodbClient, service.meetingTableName)).find((i) => i.ExternalMeetingId?.S === name);

describe('POST /join', () => {
  it('joins a new room in one call: CreateMeeting + CreateAttendee, at most 3 DynamoDB calls, 201 {Meeting, Attendee}', async () => {
    const name = newRoom();
    const {
      result: reply,
      chime,
      dynamodb,
    } = await counted(() => join({ ExternalMeetingId: name, ExternalUserId: 'alice' }));

    expect(reply.status).toBe(201);
    expect(chime).toEqual({ CreateMeeting: 1, CreateAttendee: 1 });
    expect(dynamodb).toBeLessThanOrEqual(3);
    const config = new MeetingSessionConfiguration(reply.body.Meeting, reply.body.Attendee);
    expect(config.meetingId).toBe(reply.body.Meeting.MeetingId);
    expect(config.externalMeetingId).toBe(name);
    expect(config.credentials!.joinToken).toBe(reply.body.Attendee.JoinToken);
    expect(emulator().resolveJoinToken(reply.body.Attendee.JoinToken)).toEqual({
      meetingId: reply.body.Meeting.MeetingId,
      attendeeId: reply.body.Attendee.AttendeeId,
    });
    // The meeting record: the room's generation 1, live, with what a client needs; never a JoinToken.
    const record = await meetingRecord(name);
    expect(record).toMatchObject({
      ExternalMeetingId: { S: name },
      Generation: { N: '1' },
      State: { S: 'live' },
      MeetingId: { S: reply.body.Meeting.MeetingId },
    });
    expect(record!.Meeting.M!.MediaPlacement.M!.SignalingUrl.S).toMatch(/^wss:/);
    expect(JSON.stringify(record)).not.toContain(reply.body.Attendee.JoinToken);
    await expectConsistent(service, reply.body.Meeting.MeetingId);
  });

  it('joins a live room with one Chime call (CreateAttendee) and no GetMeeting: the Meeting comes from the record', async () => {
    const name = newRoom();
    const first = await join({ ExternalMeetingId: name, ExternalUserId: 'alice' });
    const { result: second, chime } = await counted(() => join({ ExternalMeetingId: name, ExternalUserId: 'bob' }));
    expect(second.status).toBe(201);
    expect(chime).toEqual({ CreateAttendee: 1 });
    expect(second.body.Meeting).toEqual(first.body.Meeting);
    const again = await join({ ExternalMeetingId: name, ExternalUserId: 'bob' });
    expect(again.status).toBe(200);
    expect(again.body.Attendee.AttendeeId).toBe(second.body.Attendee.AttendeeId);
  });

  it('makes exactly one meeting for 100 concurrent first joins of one name, CreateMeeting limited to 10/s', async () => {
    const name = newRoom();
    emulator().setRateLimit('CreateMeeting', { ratePerSecond: 10, burst: 10 });
    const before = chimeCalls().CreateMeeting ?? 0;
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => join({ ExternalMeetingId: name, ExternalUserId: `user-${i}` })),
    );
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([201]));
    const meetingIds = new Set(replies.map((r) => r.body.Meeting.MeetingId));
    expect(meetingIds.size).toBe(1);
    expect((chimeCalls().CreateMeeting ?? 0) - before).toBeLessThanOrEqual(2);
    const [meetingId] = meetingIds;
    expect(emulator().attendees(meetingId)).toHaveLength(100);
    await expectConsistent(service, meetingId);
  });

  it('replaces a meeting that ended (Chime answers NotFound): the next join makes the next generation', async () => {
    const name = newRoom();
    const first = await join({ ExternalMeetingId: name, ExternalUserId: 'alice' });
    emulator().endMeeting(first.body.Meeting.MeetingId);

    const next = await join({ ExternalMeetingId: name, ExternalUserId: 'alice' });
    expect(next.status).toBe(201);
    expect(next.body.Meeting.MeetingId).not.toBe(first.body.Meeting.MeetingId);
    expect(await meetingRecord(name)).toMatchObject({ Generation: { N: '2' }, State: { S: 'live' } });
    await expectConsistent(service, first.body.Meeting.MeetingId); // its mappings were removed
    await expectConsistent(service, next.body.Meeting.MeetingId);
  });

  it('converges concurrent joins after the end on one new meeting', async () => {
    const name = newRoom();
    const first = await join({ ExternalMeetingId: name, ExternalUserId: 'alice' });
    emulator().endMeeting(first.body.Meeting.MeetingId);
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => join({ ExternalMeetingId: name, ExternalUserId: `late-${i}` })),
    );
    expect(replies.filter((r) => r.status !== 201)).toEqual([]);
    const meetingIds = new Set(replies.map((r) => r.body.Meeting.MeetingId));
    expect(meetingIds.size).toBe(1);
    expect(meetingIds.has(first.body.Meeting.MeetingId)).toBe(false);
    expect(await meetingRecord(name)).toMatchObject({ Generation: { N: '2' } });
  });

  it('creates with the fields given, and checks capabilities against the meeting features', async () => {
    const name = newRoom();
    const reply = await join({
      ExternalMeetingId: name,
      ExternalUserId: 'alice',
      MediaRegion: 'eu-central-1',
      MeetingFeatures: { Video: { MaxResolution: 'None' }, Audio: { EchoReduction: 'AVAILABLE' } },
      TenantIds: ['tenant-1'],
    });
    expect(reply.status).toBe(201);
    expect(reply.body.Meeting).toMatchObject({
      MediaRegion: 'eu-central-1',
      MeetingFeatures: { Video: { MaxResolution: 'None' }, Audio: { EchoReduction: 'AVAILABLE' } },
      TenantIds: ['tenant-1'],
    });
    // The meeting admits no video: a join asking for it is refused before Chime is called.
    const { result: refused, chime } = await counted(() =>
      join({
        ExternalMeetingId: name,
        ExternalUserId: 'bob',
        Capabilities: { Audio: 'SendReceive', Video: 'SendReceive', Content: 'None' },
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.Message).toMatch(/Capabilities.Video must be None/);
    expect(chime).toEqual({});
  });
});

describe('POST /meetings', () => {
  it('answers 201 with the meeting it created, then 200 with the live one', async () => {
    const name = newRoom();
    const created = await call(service, 'POST', '/meetings', { ExternalMeetingId: name, MediaRegion: 'us-west-2' });
    expect(created.status).toBe(201);
    expect(created.body.Meeting).toMatchObject({ ExternalMeetingId: name, MediaRegion: 'us-west-2' });
    const live = await call(service, 'POST', '/meetings', { ExternalMeetingId: name });
    expect(live.status).toBe(200);
    expect(live.body.Meeting.MeetingId).toBe(created.body.Meeting.MeetingId);
  });

  it('sends the meeting Tags to Chime with CreateMeeting', async () => {
    const reply = await call(service, 'POST', '/meetings', {
      ExternalMeetingId: newRoom(),
      Tags: [{ Key: 'team', Value: 'blue' }],
    });
    expect(reply.status).toBe(201);
  });

  it.each<[string, object, RegExp]>([
    ['a MediaRegion Chime does not have', { MediaRegion: 'mars-1' }, /MediaRegion must be one of/],
    [
      'FHD video without Attendee.MaxCount',
      { MeetingFeatures: { Video: { MaxResolution: 'FHD' } } },
      /MaxCount must be set/,
    ],
    [
      'UHD content with MaxCount over 25',
      { MeetingFeatures: { Content: { MaxResolution: 'UHD' }, Attendee: { MaxCount: 26 } } },
      /at most 25/,
    ],
    ['MaxCount 251', { MeetingFeatures: { Attendee: { MaxCount: 251 } } }, /MaxCount must be an integer from 1 to 250/],
    [
      'an unknown echo reduction',
      { MeetingFeatures: { Audio: { EchoReduction: 'ON' } } },
      /EchoReduction must be one of/,
    ],
    ['six TenantIds', { TenantIds: ['t1', 't2', 't3', 't4', 't5', 't6'] }, /TenantIds must have 1 to 5 items/],
    ['a TenantId with a character four times', { TenantIds: ['aaaa'] }, /no character four times/],
    ['a one-character PrimaryMeetingId', { PrimaryMeetingId: 'x' }, /PrimaryMeetingId must be 2 to 64 characters/],
    ['an unknown network type', { MediaPlacementNetworkType: 'Ipv6Only' }, /MediaPlacementNetworkType must be one of/],
    ['a tag key with a space', { Tags: [{ Key: 'my key', Value: 'v' }] }, /Key may contain only/],
    ['an unknown field', { Recording: true }, /Recording is not a known field/],
  ])('refuses %s with 400, before any AWS call', async (_name, fields, message) => {
    const {
      result: reply,
      chime,
      dynamodb,
    } = await counted(() => call(service, 'POST', '/meetings', { ExternalMeetingId: newRoom(), ...fields }));
    expect(reply.status).toBe(400);
    expect(reply.body.Code).toBe('BadRequest');
    expect(reply.body.Message).toMatch(message);
    expect([chime, dynamodb]).toEqual([{}, 0]);
  });

  it.each([
    ['a one-character name', 'x'],
    ['the reserved prefix', 'AWS:room'],
    ['a name with a control character', 'room\u0007'],
  ])('refuses %s as ExternalMeetingId', async (_name, name) => {
    const reply = await call(service, 'POST', '/meetings', { ExternalMeetingId: name });
    expect(reply.status).toBe(400);
    expect(reply.body.Message).toMatch(/ExternalMeetingId/);
  });
});

describe('GET and DELETE /meetings/{MeetingId}', () => {
  let name: string;
  let joined: Reply;
  beforeEach(async () => {
    name = newRoom();
    joined = await join({ ExternalMeetingId: name, ExternalUserId: 'alice' });
  });

  it('reads a live meeting from its record, without a Chime call', async () => {
    const { result: reply, chime } = await counted(() =>
      call(service, 'GET', `/meetings/${joined.body.Meeting.MeetingId}`),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.Meeting).toEqual(joined.body.Meeting);
    expect(chime).toEqual({});
  });

  it('answers 404 for a meeting that never existed', async () => {
    const reply = await call(service, 'GET', '/meetings/00000000-0000-4000-8000-000000000000');
    expect(reply.status).toBe(404);
  });

  it('ends a meeting: DeleteMeeting, the record closed, its mappings removed; the next join makes a new one', async () => {
    const meetingId = joined.body.Meeting.MeetingId;
    const reply = await call(service, 'DELETE', `/meetings/${meetingId}`);
    expect(reply.status).toBe(204);
    expect(emulator().getMeeting(meetingId)).toBeUndefined();
    expect(await meetingRecord(name)).toMatchObject({ State: { S: 'ended' }, EndedAt: { S: expect.any(String) } });
    await expectConsistent(service, meetingId);
    expect((await call(service, 'GET', `/users/alice/attendees`)).body.Attendees).not.toContainEqual(
      expect.objectContaining({ MeetingId: meetingId }),
    );
    const next = await join({ ExternalMeetingId: name, ExternalUserId: 'alice' });
    expect(next.status).toBe(201);
    expect(next.body.Meeting.MeetingId).not.toBe(meetingId);
    expect((await call(service, 'DELETE', `/meetings/${meetingId}`)).status).toBe(404);
  });

  it('ends a meeting Chime already ended: 404, and the record is closed and its mappings removed all the same', async () => {
    const meetingId = joined.body.Meeting.MeetingId;
    emulator().endMeeting(meetingId);
    const reply = await call(service, 'DELETE', `/meetings/${meetingId}`);
    expect(reply.status).toBe(404);
    expect(await meetingRecord(name)).toMatchObject({ State: { S: 'ended' }, EndedAt: { S: expect.any(String) } });
    await expectConsistent(service, meetingId);
    expect((await call(service, 'GET', `/users/alice/attendees`)).body.Attendees).not.toContainEqual(
      expect.objectContaining({ MeetingId: meetingId }),
    );
  });

  it('answers 404 for a meeting its record holds as ended: Chime, not the record, has the last word', async () => {
    const meetingId = joined.body.Meeting.MeetingId;
    expect((await call(service, 'DELETE', `/meetings/${meetingId}`)).status).toBe(204);
    const { result: reply, chime } = await counted(() => call(service, 'GET', `/meetings/${meetingId}`));
    expect(reply.status).toBe(404);
    expect(chime).toEqual({ GetMeeting: 1 });
  });

  it('leaves the meeting live when Chime refuses to end it for another reason than NotFound (throttled: 429)', async () => {
    const meetingId = joined.body.Meeting.MeetingId;
    emulator().injectFault('DeleteMeeting', { error: 'ThrottlingException', count: 1 });
    const reply = await call(service, 'DELETE', `/meetings/${meetingId}`);
    expect(reply.status).toBe(429);
    expect(emulator().getMeeting(meetingId)).toBeDefined();
    expect(await meetingRecord(name)).toMatchObject({ State: { S: 'live' } });
    expect((await call(service, 'GET', `/users/alice/attendees`)).body.Attendees).toContainEqual(
      expect.objectContaining({ MeetingId: meetingId }),
    );
  });

  it('reads a meeting the service has no record of (made elsewhere) from Chime', async () => {
    const made = emulator().createMeeting({ ExternalMeetingId: 'made-elsewhere' });
    const reply = await call(service, 'GET', `/meetings/${made.MeetingId}`);
    expect(reply.status).toBe(200);
    expect(reply.body.Meeting).toMatchObject({ MeetingId: made.MeetingId, ExternalMeetingId: 'made-elsewhere' });
  });
});
