import {
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  type CreateMeetingCommandInput,
  CreateMeetingWithAttendeesCommand,
  DeleteMeetingCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { CHIME_LIMITS, startChimeEmulator, type ChimeEmulator } from '../../local/chime-emulator';
import { chimeClient, failure, GUID } from './helpers';

const MEETING = { MediaRegion: 'us-east-1', ExternalMeetingId: 'room-42' } as const;
const HOUR = 60 * 60 * 1000;

describe('Chime emulator: CreateMeeting (version 2 fields)', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;

  beforeAll(async () => {
    emulator = await startChimeEmulator();
    client = chimeClient(emulator);
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  test('accepts every documented media region, GovCloud included', async () => {
    expect(CHIME_LIMITS.mediaRegions).toContain('us-gov-west-1');
    for (const MediaRegion of CHIME_LIMITS.mediaRegions) {
      const { Meeting } = await client.send(new CreateMeetingCommand({ ...MEETING, MediaRegion }));
      expect(Meeting!.MediaRegion).toBe(MediaRegion);
      await client.send(new DeleteMeetingCommand({ MeetingId: Meeting!.MeetingId }));
    }
  });

  test('takes TenantIds, Tags, MediaPlacementNetworkType and a live PrimaryMeetingId', async () => {
    const primary = emulator.createMeeting();
    const { Meeting } = await client.send(
      new CreateMeetingCommand({
        ...MEETING,
        TenantIds: ['tenant-a', 'tenant_b'],
        Tags: [{ Key: 'team', Value: 'blue' }],
        MediaPlacementNetworkType: 'DualStack',
        PrimaryMeetingId: primary.MeetingId,
      }),
    );
    expect(Meeting).toMatchObject({ TenantIds: ['tenant-a', 'tenant_b'], PrimaryMeetingId: primary.MeetingId });
    // Tags and the network type are not members of the model's Meeting shape.
    expect(Meeting).not.toHaveProperty('Tags');
    expect(Meeting).not.toHaveProperty('MediaPlacementNetworkType');
  });

  test.each<[string, Partial<CreateMeetingCommandInput>, RegExp]>([
    [
      'an ExternalMeetingId outside its documented pattern',
      { ExternalMeetingId: 'semi;colon' },
      /'ExternalMeetingId'.*pattern/,
    ],
    [
      'an ExternalMeetingId with the reserved prefix',
      { ExternalMeetingId: 'AWS:room' },
      /'ExternalMeetingId'.*reserved/,
    ],
    ['a media region the model does not list', { MediaRegion: 'il-central-1' }, /'MediaRegion'/],
    ['MediaPlacementNetworkType outside its enum', { MediaPlacementNetworkType: 'Ipv6Only' as never }, /enum/],
    [
      'Content MaxResolution outside its enum',
      { MeetingFeatures: { Content: { MaxResolution: 'HD' as never } } },
      /enum/,
    ],
    ['EchoReduction outside its enum', { MeetingFeatures: { Audio: { EchoReduction: 'ON' as never } } }, /enum/],
    ['51 Tags', { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, /'Tags'/],
    ['an empty TenantIds list', { TenantIds: [] }, /'TenantIds'.*greater than or equal to 1/],
    [
      'FHD video without Attendee.MaxCount',
      { MeetingFeatures: { Video: { MaxResolution: 'FHD' } } },
      /FHD requires MeetingFeatures\.Attendee\.MaxCount/,
    ],
    [
      'UHD content without Attendee.MaxCount',
      { MeetingFeatures: { Content: { MaxResolution: 'UHD' } } },
      /UHD requires MeetingFeatures\.Attendee\.MaxCount/,
    ],
    [
      'FHD video with 26 attendees',
      { MeetingFeatures: { Video: { MaxResolution: 'FHD' }, Attendee: { MaxCount: 26 } } },
      /at most 25/,
    ],
  ])('rejects %s with BadRequestException', async (_rule, change, message) => {
    const error = await failure(
      client.send(new CreateMeetingCommand({ ...MEETING, ...change } as CreateMeetingCommandInput)),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['BadRequestException', 400]);
    expect(error.message).toMatch(message);
  });

  test('FHD video and UHD content are allowed with up to 25 attendees, and the cap is MaxCount', async () => {
    const MeetingFeatures = {
      Video: { MaxResolution: 'FHD' },
      Content: { MaxResolution: 'UHD' },
      Attendee: { MaxCount: CHIME_LIMITS.attendeesPerHighResolutionMeeting },
    } as const;
    const { Meeting } = await client.send(new CreateMeetingCommand({ ...MEETING, MeetingFeatures }));
    expect(Meeting!.MeetingFeatures).toEqual(MeetingFeatures);
  });

  describe('ClientRequestToken', () => {
    test('the same token and parameters answer the same meeting; other parameters a 409 conflict', async () => {
      const input = { ...MEETING, ClientRequestToken: 'v2-token-1', TenantIds: ['t-1'] };
      const first = await client.send(new CreateMeetingCommand(input));
      // The same members in another order are the same parameters.
      const again = await client.send(
        new CreateMeetingCommand({ TenantIds: ['t-1'], ClientRequestToken: 'v2-token-1', ...MEETING }),
      );
      expect(again.Meeting).toEqual(first.Meeting);
      const conflict = await failure(client.send(new CreateMeetingCommand({ ...input, TenantIds: ['t-2'] })));
      expect([conflict.name, conflict.$metadata.httpStatusCode, conflict.Code]).toEqual([
        'ConflictException',
        409,
        'Conflict',
      ]);
    });

    test('a token of an ended meeting still answers that meeting, which answers NotFound: a new meeting needs a new token', async () => {
      const input = { ...MEETING, ClientRequestToken: 'v2-token-ended' };
      const { Meeting } = await client.send(new CreateMeetingCommand(input));
      await client.send(new DeleteMeetingCommand({ MeetingId: Meeting!.MeetingId }));

      const replay = await client.send(new CreateMeetingCommand(input));
      expect(replay.Meeting).toEqual(Meeting);
      const gone = await failure(client.send(new GetMeetingCommand({ MeetingId: Meeting!.MeetingId })));
      expect(gone.name).toBe('NotFoundException');

      const next = await client.send(new CreateMeetingCommand({ ...input, ClientRequestToken: 'v2-token-ended-2' }));
      expect(next.Meeting!.MeetingId).not.toBe(Meeting!.MeetingId);
    });

    test('a token used by CreateMeeting conflicts when CreateMeetingWithAttendees reuses it', async () => {
      const ClientRequestToken = 'v2-token-shared';
      await client.send(new CreateMeetingCommand({ ...MEETING, ClientRequestToken }));
      const error = await failure(
        client.send(
          new CreateMeetingWithAttendeesCommand({
            ...MEETING,
            ClientRequestToken,
            Attendees: [{ ExternalUserId: 'a1' }],
          }),
        ),
      );
      expect(error.name).toBe('ConflictException');
    });
  });
});

describe('Chime emulator: CreateMeetingWithAttendees', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;

  beforeAll(async () => {
    emulator = await startChimeEmulator();
    client = chimeClient(emulator);
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  test('creates the meeting and its attendees in one call; GetAttendee and ListAttendees then see them', async () => {
    const { Meeting, Attendees, Errors, $metadata } = await client.send(
      new CreateMeetingWithAttendeesCommand({
        ...MEETING,
        Attendees: [
          { ExternalUserId: 'host' },
          { ExternalUserId: 'viewer', Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } },
        ],
      }),
    );
    expect($metadata.httpStatusCode).toBe(200);
    expect(Meeting!.MeetingId).toMatch(GUID);
    expect(Errors).toEqual([]);
    expect(Attendees!.map((a) => [a.ExternalUserId, a.Capabilities])).toEqual([
      ['host', { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' }],
      ['viewer', { Audio: 'Receive', Video: 'Receive', Content: 'Receive' }],
    ]);
    for (const attendee of Attendees!) {
      const got = await client.send(
        new GetAttendeeCommand({ MeetingId: Meeting!.MeetingId, AttendeeId: attendee.AttendeeId }),
      );
      expect(got.Attendee).toEqual(attendee);
      expect(emulator.resolveJoinToken(attendee.JoinToken!)).toEqual({
        meetingId: Meeting!.MeetingId,
        attendeeId: attendee.AttendeeId,
      });
    }
    const listed = await client.send(new ListAttendeesCommand({ MeetingId: Meeting!.MeetingId }));
    expect(listed.Attendees).toEqual(Attendees);
  });

  test("reports attendees the meeting's features refuse, or beyond its cap, per item", async () => {
    const { Attendees, Errors } = await client.send(
      new CreateMeetingWithAttendeesCommand({
        ...MEETING,
        MeetingFeatures: { Video: { MaxResolution: 'None' }, Attendee: { MaxCount: 2 } },
        Attendees: [
          { ExternalUserId: 'u1' },
          { ExternalUserId: 'camera', Capabilities: { Audio: 'SendReceive', Video: 'Send', Content: 'None' } },
          { ExternalUserId: 'u2' },
          { ExternalUserId: 'u3' },
        ],
      }),
    );
    expect(Attendees!.map((a) => [a.ExternalUserId, a.Capabilities])).toEqual([
      ['u1', { Audio: 'SendReceive', Video: 'Receive', Content: 'SendReceive' }],
      ['u2', { Audio: 'SendReceive', Video: 'Receive', Content: 'SendReceive' }],
    ]);
    expect(Errors).toEqual([
      { ExternalUserId: 'camera', ErrorCode: 'BadRequest', ErrorMessage: expect.stringMatching(/Video capability/) },
      { ExternalUserId: 'u3', ErrorCode: 'LimitExceeded', ErrorMessage: expect.stringMatching(/limit of 2/) },
    ]);
  });

  test.each([
    ['no attendees', [], /'Attendees'.*greater than or equal to 1/],
    [
      `${CHIME_LIMITS.createMeetingWithAttendees.max + 1} attendees`,
      Array.from({ length: CHIME_LIMITS.createMeetingWithAttendees.max + 1 }, (_, i) => ({ ExternalUserId: `u${i}` })),
      /'Attendees'.*less than or equal to 20/,
    ],
    ['an attendee with the reserved prefix', [{ ExternalUserId: 'aws:bot' }], /'Attendees\[0\]\.ExternalUserId'/],
  ])('fails the whole request for %s and creates no meeting', async (_rule, Attendees, message) => {
    const before = emulator.stats().meetings;
    const error = await failure(client.send(new CreateMeetingWithAttendeesCommand({ ...MEETING, Attendees })));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['BadRequestException', 400]);
    expect(error.message).toMatch(message);
    expect(emulator.stats().meetings).toBe(before);
  });

  test('a retry with the same ClientRequestToken answers the same meeting and attendees', async () => {
    const input = { ...MEETING, ClientRequestToken: 'with-attendees-1', Attendees: [{ ExternalUserId: 'a1' }] };
    const first = await client.send(new CreateMeetingWithAttendeesCommand(input));
    const retry = await client.send(new CreateMeetingWithAttendeesCommand(input));
    expect([retry.Meeting, retry.Attendees, retry.Errors]).toEqual([first.Meeting, first.Attendees, first.Errors]);
    expect(emulator.attendees(first.Meeting!.MeetingId!)).toHaveLength(1);
    const conflict = await failure(
      client.send(new CreateMeetingWithAttendeesCommand({ ...input, Attendees: [{ ExternalUserId: 'a2' }] })),
    );
    expect(conflict.name).toBe('ConflictException');
  });
});

describe('Chime emulator: maximum meeting duration', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;
  let clock = Date.parse('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    emulator = await startChimeEmulator({ now: () => clock });
    client = chimeClient(emulator);
  });

  beforeEach(() => emulator.reset());

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  test('a meeting ends 24 hours after it was created by default, then answers NotFound to every call', async () => {
    const input = { ...MEETING, ClientRequestToken: 'lifetime-1' };
    const { Meeting } = await client.send(new CreateMeetingCommand(input));
    const MeetingId = Meeting!.MeetingId!;
    const { Attendee } = await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'stayer' }));

    clock += 24 * HOUR - 1;
    await expect(client.send(new GetMeetingCommand({ MeetingId }))).resolves.toHaveProperty('Meeting.MeetingId');

    clock += 1;
    for (const call of [
      () => client.send(new GetMeetingCommand({ MeetingId })),
      () => client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'late' })),
      () => client.send(new ListAttendeesCommand({ MeetingId })),
    ]) {
      await expect(failure(call())).resolves.toHaveProperty('name', 'NotFoundException');
    }
    expect(emulator.getMeeting(MeetingId)).toBeUndefined();
    expect(emulator.resolveJoinToken(Attendee!.JoinToken!)).toBeUndefined();
    expect(emulator.stats().meetings).toBe(0);

    // The token was bound for the meeting's lifetime; after it, the same token makes a new meeting.
    const fresh = await client.send(new CreateMeetingCommand(input));
    expect(fresh.Meeting!.MeetingId).not.toBe(MeetingId);
  });

  test('maxMeetingDurationMs shortens the lifetime; the ended meeting frees its place among maxMeetings', async () => {
    const short = await startChimeEmulator({ now: () => clock, maxMeetingDurationMs: 60_000, maxMeetings: 1 });
    const shortClient = chimeClient(short);
    try {
      const { Meeting } = await shortClient.send(new CreateMeetingCommand(MEETING));
      await expect(failure(shortClient.send(new CreateMeetingCommand(MEETING)))).resolves.toHaveProperty(
        'name',
        'LimitExceededException',
      );
      clock += 60_000;
      const next = await shortClient.send(new CreateMeetingCommand(MEETING));
      expect(next.Meeting!.MeetingId).not.toBe(Meeting!.MeetingId);
      expect(short.events().map((e) => [e.detail.eventType, e.detail.timestamp])).toEqual([
        ['chime:MeetingStarted', clock - 60_000],
        ['chime:MeetingEnded', clock],
        ['chime:MeetingStarted', clock],
      ]);
    } finally {
      shortClient.destroy();
      await short.stop();
    }
  });

  test('refuses a non-positive maxMeetingDurationMs', async () => {
    await expect(startChimeEmulator({ maxMeetingDurationMs: 0 })).rejects.toThrow(/maxMeetingDurationMs/);
  });
});
