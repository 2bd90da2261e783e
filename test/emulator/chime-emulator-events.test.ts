import {
  BatchCreateAttendeeCommand,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { startChimeEmulator, type ChimeEmulator, type ChimeMeetingEvent } from '../../local/chime-emulator';
import { chimeClient } from './helpers';

const START = Date.parse('2030-01-02T03:04:05.678Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The envelope every Chime meeting event has (chime-meeting-events.md), around the given detail. */
function envelope(timestamp: number, detail: Record<string, unknown>, region = 'eu-central-1') {
  return {
    version: '0',
    id: expect.stringMatching(UUID),
    'detail-type': 'Chime Meeting State Change',
    source: 'aws.chime',
    account: '111122223333',
    time: new Date(Math.floor(timestamp / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region,
    resources: [],
    detail: { version: '0', timestamp, ...detail },
  };
}

describe('Chime emulator: meeting events', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;
  let clock = START;
  const received: ChimeMeetingEvent[] = [];

  beforeAll(async () => {
    emulator = await startChimeEmulator({
      now: () => clock,
      accountId: '111122223333',
      onEvent: (event) => received.push(event),
    });
    // The signing region is the meeting's control region: the events' `region`.
    client = chimeClient(emulator, { region: 'eu-central-1' });
  });

  beforeEach(() => {
    emulator.reset();
    received.length = 0;
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  test('a meeting with attendees who connect, leave, drop and are deleted, then the end: every envelope', async () => {
    const { Meeting } = await client.send(
      new CreateMeetingCommand({ MediaRegion: 'us-west-2', ExternalMeetingId: 'standup' }),
    );
    const meetingId = Meeting!.MeetingId!;
    const meeting = { meetingId, mediaRegion: 'us-west-2' };
    clock += 1000;
    const { Attendee: alice } = await client.send(
      new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: 'alice' }),
    );
    await client.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: 'alice' }));
    clock += 1000;
    const { Attendees } = await client.send(
      new BatchCreateAttendeeCommand({
        MeetingId: meetingId,
        Attendees: [{ ExternalUserId: 'bob' }, { ExternalUserId: 'alice' }],
      }),
    );
    const bob = Attendees![0];
    const aliceIds = { attendeeId: alice!.AttendeeId, externalUserId: 'alice' };
    const bobIds = { attendeeId: bob.AttendeeId, externalUserId: 'bob' };

    clock += 1000;
    emulator.connect(meetingId, alice!.AttendeeId!, 'joined');
    emulator.connect(meetingId, bob.AttendeeId!, 'joined');
    clock += 1000;
    emulator.connect(meetingId, bob.AttendeeId!, 'dropped');
    emulator.connect(meetingId, bob.AttendeeId!, 'joined');
    emulator.connect(meetingId, alice!.AttendeeId!, 'left');
    clock += 1000;
    await client.send(new DeleteAttendeeCommand({ MeetingId: meetingId, AttendeeId: alice!.AttendeeId }));
    clock += 1000;
    await client.send(new DeleteMeetingCommand({ MeetingId: meetingId }));

    const voip = { networkType: 'Voip' };
    expect(received).toEqual([
      envelope(START, { eventType: 'chime:MeetingStarted', ...meeting, externalMeetingId: 'standup' }),
      envelope(START + 1000, { eventType: 'chime:AttendeeAdded', ...meeting, ...aliceIds }),
      envelope(START + 2000, { eventType: 'chime:AttendeeAdded', ...meeting, ...bobIds }),
      envelope(START + 3000, { eventType: 'chime:AttendeeJoined', ...meeting, ...aliceIds, ...voip }),
      envelope(START + 3000, { eventType: 'chime:AttendeeJoined', ...meeting, ...bobIds, ...voip }),
      envelope(START + 4000, { eventType: 'chime:AttendeeDropped', ...meeting, ...bobIds, ...voip }),
      envelope(START + 4000, { eventType: 'chime:AttendeeJoined', ...meeting, ...bobIds, ...voip }),
      envelope(START + 4000, { eventType: 'chime:AttendeeLeft', ...meeting, ...aliceIds, ...voip }),
      envelope(START + 5000, { eventType: 'chime:AttendeeDeleted', ...meeting, ...aliceIds }),
      // The end of the meeting emits MeetingEnded alone: no AttendeeDeleted or AttendeeLeft for bob.
      envelope(START + 6000, { eventType: 'chime:MeetingEnded', ...meeting, externalMeetingId: 'standup' }),
    ]);
    expect(emulator.events()).toEqual(received);
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
    // Attendee events name the attendee, not the external meeting id, as the reference lists their fields.
    expect(received.filter((e) => e.detail.attendeeId && 'externalMeetingId' in e.detail)).toEqual([]);
  });

  test('createMeeting and endMeeting (the control methods) emit as CreateMeeting and DeleteMeeting do', () => {
    const meeting = emulator.createMeeting({ ExternalMeetingId: 'by-control', MediaRegion: 'eu-west-1' });
    clock += 5;
    emulator.endMeeting(meeting.MeetingId!);
    const detail = { meetingId: meeting.MeetingId, externalMeetingId: 'by-control', mediaRegion: 'eu-west-1' };
    expect(received).toEqual([
      envelope(clock - 5, { eventType: 'chime:MeetingStarted', ...detail }, 'us-east-1'),
      envelope(clock, { eventType: 'chime:MeetingEnded', ...detail }, 'us-east-1'),
    ]);
  });

  test('connect refuses what no client can do, and connectionState follows it', () => {
    const meetingId = emulator.createMeeting().MeetingId!;
    const attendee = emulator.attendees(meetingId)[0];
    expect(attendee).toBeUndefined();
    const before = received.length;
    expect(() => emulator.connect(meetingId, '00000000-0000-4000-8000-000000000000', 'joined')).toThrow(
      /does not exist/,
    );
    expect(() => emulator.connect('00000000-0000-4000-8000-000000000000', 'x', 'joined')).toThrow(/does not exist/);
    expect(received).toHaveLength(before);
  });

  test('a client can leave or drop only while joined, and join again afterwards', async () => {
    const meetingId = emulator.createMeeting().MeetingId!;
    const { Attendee } = await client.send(
      new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: 'client-c' }),
    );
    const attendeeId = Attendee!.AttendeeId!;
    expect(emulator.connectionState(meetingId, attendeeId)).toBeUndefined();
    expect(() => emulator.connect(meetingId, attendeeId, 'left')).toThrow(/never connected to left/);
    expect(emulator.connect(meetingId, attendeeId, 'joined').detail.eventType).toBe('chime:AttendeeJoined');
    expect(() => emulator.connect(meetingId, attendeeId, 'joined')).toThrow(/joined to joined/);
    emulator.connect(meetingId, attendeeId, 'dropped');
    expect(() => emulator.connect(meetingId, attendeeId, 'left')).toThrow(/dropped to left/);
    expect(emulator.connectionState(meetingId, attendeeId)).toBe('dropped');
    emulator.connect(meetingId, attendeeId, 'joined');
    expect(emulator.connectionState(meetingId, attendeeId)).toBe('joined');
    expect(() => emulator.connect(meetingId, attendeeId, 'away' as never)).toThrow(/state must be one of/);
  });

  test('subscribe delivers until unsubscribed; a failing listener fails neither the call nor other listeners', async () => {
    const seen: string[] = [];
    const unsubscribe = emulator.subscribe((event) => seen.push(event.detail.eventType));
    const stopThrowing = emulator.subscribe(() => {
      throw new Error('listener bug');
    });
    const { Meeting } = await client.send(
      new CreateMeetingCommand({ MediaRegion: 'us-east-1', ExternalMeetingId: 'subscribed' }),
    );
    unsubscribe();
    stopThrowing();
    await client.send(new DeleteMeetingCommand({ MeetingId: Meeting!.MeetingId }));
    expect(seen).toEqual(['chime:MeetingStarted']);
    expect(received.map((e) => e.detail.eventType)).toEqual(['chime:MeetingStarted', 'chime:MeetingEnded']);
  });

  test('listeners get copies: changing one changes neither the record nor other listeners', () => {
    const unsubscribe = emulator.subscribe((event) => {
      (event.detail as { meetingId: string }).meetingId = 'tampered';
    });
    const meeting = emulator.createMeeting();
    unsubscribe();
    expect(received[0].detail.meetingId).toBe(meeting.MeetingId);
    expect(emulator.events()[0].detail.meetingId).toBe(meeting.MeetingId);
  });

  describe('control routes', () => {
    const control = (path: string, init?: RequestInit) =>
      fetch(`${emulator.endpoint}/_emulator${path}`, { ...init, headers: { 'x-emulator-control': '1' } });
    const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

    test('POST .../connection emits the client event and answers it; GET /_emulator/events lists events', async () => {
      const meetingId = emulator.createMeeting({ ExternalMeetingId: 'curl-room' }).MeetingId!;
      const { Attendee } = await client.send(
        new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: 'curl-user' }),
      );
      const path = `/meetings/${meetingId}/attendees/${Attendee!.AttendeeId}/connection`;

      const joined = await control(path, post({ state: 'joined' }));
      expect(joined.status).toBe(200);
      const { Event } = (await joined.json()) as { Event: ChimeMeetingEvent };
      expect(Event.detail).toMatchObject({
        eventType: 'chime:AttendeeJoined',
        attendeeId: Attendee!.AttendeeId,
        externalUserId: 'curl-user',
        networkType: 'Voip',
      });

      expect((await control(path, post({ state: 'joined' }))).status).toBe(409);
      expect((await control(path, post({ state: 'sleeping' }))).status).toBe(400);
      const unknown = `/meetings/${meetingId}/attendees/00000000-0000-4000-8000-000000000000/connection`;
      expect((await control(unknown, post({ state: 'joined' }))).status).toBe(404);

      const listed = await control('/events');
      expect(listed.status).toBe(200);
      const { Events } = (await listed.json()) as { Events: ChimeMeetingEvent[] };
      expect(Events.map((e) => e.detail.eventType)).toEqual([
        'chime:MeetingStarted',
        'chime:AttendeeAdded',
        'chime:AttendeeJoined',
      ]);
      expect(Events).toEqual(emulator.events());
    });
  });

  test('reset forgets recorded events but keeps subscribers, and emits nothing for the meetings it forgets', () => {
    emulator.createMeeting();
    received.length = 0;
    emulator.reset();
    expect(emulator.events()).toEqual([]);
    expect(received).toEqual([]);
    emulator.createMeeting();
    expect(received.map((e) => e.detail.eventType)).toEqual(['chime:MeetingStarted']);
  });
});
