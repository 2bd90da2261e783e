import {
  BatchCreateAttendeeCommand,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  type CreateMeetingCommandInput,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
  StartMeetingTranscriptionCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { startChimeEmulator, type ChimeEmulator } from '../../local/chime-emulator';
import { chimeClient, failure, GUID } from './helpers';

const MEETING = { MediaRegion: 'us-east-1', ExternalMeetingId: 'weekly-sync' } as const;

/** One call per operation that touches a meeting, for "every call" assertions. */
function everyMeetingCall(client: ChimeSDKMeetingsClient, MeetingId: string, AttendeeId: string) {
  return {
    GetMeeting: () => client.send(new GetMeetingCommand({ MeetingId })),
    DeleteMeeting: () => client.send(new DeleteMeetingCommand({ MeetingId })),
    CreateAttendee: () => client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'late-joiner' })),
    BatchCreateAttendee: () =>
      client.send(new BatchCreateAttendeeCommand({ MeetingId, Attendees: [{ ExternalUserId: 'late-joiner' }] })),
    GetAttendee: () => client.send(new GetAttendeeCommand({ MeetingId, AttendeeId })),
    ListAttendees: () => client.send(new ListAttendeesCommand({ MeetingId })),
    DeleteAttendee: () => client.send(new DeleteAttendeeCommand({ MeetingId, AttendeeId })),
  };
}

describe('Chime emulator: meetings', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;

  beforeAll(async () => {
    emulator = await startChimeEmulator();
    // A control region other than the media region shows where MeetingArn takes its region from.
    client = chimeClient(emulator, { region: 'eu-central-1' });
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  test("CreateMeeting returns a meeting shaped like Chime's, with media URLs of the media region", async () => {
    const { Meeting, $metadata } = await client.send(
      new CreateMeetingCommand({ ...MEETING, MediaRegion: 'us-west-2' }),
    );
    expect($metadata.httpStatusCode).toBe(200);
    const id = Meeting!.MeetingId!;
    expect(id).toMatch(GUID);
    expect(Meeting).toMatchObject({ ExternalMeetingId: 'weekly-sync', MediaRegion: 'us-west-2' });
    expect(Meeting!.MeetingArn).toBe(`arn:aws:chime:eu-central-1:123456789012:meeting/${id}`);
    const placement = Meeting!.MediaPlacement!;
    expect(placement.AudioHostUrl).toMatch(/^[0-9a-f]{32}\.k\.m\d\.uw2\.app\.chime\.aws:3478$/);
    expect(placement.AudioFallbackUrl).toMatch(
      new RegExp(`^wss://haxrp\\.m\\d\\.uw2\\.app\\.chime\\.aws:443/calls/${id}$`),
    );
    expect(placement.SignalingUrl).toMatch(new RegExp(`^wss://signal\\.m\\d\\.uw2\\.app\\.chime\\.aws/control/${id}$`));
    expect(placement.TurnControlUrl).toBe('https://ccp.cp.uw2.app.chime.aws/v2/turn_sessions');
    expect(placement.ScreenDataUrl).toMatch(
      new RegExp(`^wss://bitpw\\.m\\d\\.uw2\\.app\\.chime\\.aws:443/v2/screen/${id}$`),
    );
    expect(placement.ScreenSharingUrl).toBe(placement.ScreenDataUrl);
    expect(placement.ScreenViewingUrl).toContain(`X-BitHub-Call-Id=${id}`);
    expect(placement.EventIngestionUrl).toBe('https://data.svc.uw2.ingest.chime.aws/v1/client-events');
    expect(Meeting!.MeetingFeatures).toBeUndefined();
  });

  test('CreateMeeting echoes MeetingFeatures, MeetingHostId and TenantIds', async () => {
    const MeetingFeatures = {
      Video: { MaxResolution: 'FHD' },
      Content: { MaxResolution: 'UHD' },
      // FHD video and UHD content allow at most 25 attendees (the model's AttendeeFeatures documentation).
      Attendee: { MaxCount: 25 },
    } as const;
    const { Meeting } = await client.send(
      new CreateMeetingCommand({
        ...MEETING,
        MeetingHostId: 'host-1',
        TenantIds: ['tenant-a'],
        MeetingFeatures,
      }),
    );
    expect(Meeting).toMatchObject({ MeetingHostId: 'host-1', TenantIds: ['tenant-a'], MeetingFeatures });
  });

  test('GetMeeting returns what CreateMeeting returned', async () => {
    const { Meeting } = await client.send(new CreateMeetingCommand(MEETING));
    const got = await client.send(new GetMeetingCommand({ MeetingId: Meeting!.MeetingId }));
    expect(got.Meeting).toEqual(Meeting);
    expect(emulator.getMeeting(Meeting!.MeetingId!)).toEqual(Meeting);
  });

  test('the same ClientRequestToken returns the same meeting; reused with other parameters it is a conflict', async () => {
    const ClientRequestToken = 'retry-token-1';
    const first = await client.send(new CreateMeetingCommand({ ...MEETING, ClientRequestToken }));
    const retry = await client.send(new CreateMeetingCommand({ ...MEETING, ClientRequestToken }));
    expect(retry.Meeting).toEqual(first.Meeting);

    const error = await failure(
      client.send(new CreateMeetingCommand({ ...MEETING, ExternalMeetingId: 'other', ClientRequestToken })),
    );
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.Code).toBe('Conflict');
  });

  // Each row breaks one rule of the model (or of the service, for the region list) and names the member.
  test.each<[string, Partial<CreateMeetingCommandInput>, string]>([
    ['missing MediaRegion', { MediaRegion: undefined }, 'MediaRegion'],
    ['unsupported MediaRegion', { MediaRegion: 'mars-north-1' }, 'MediaRegion'],
    ['ExternalMeetingId too short', { ExternalMeetingId: 'x' }, 'ExternalMeetingId'],
    ['ExternalMeetingId too long', { ExternalMeetingId: 'x'.repeat(65) }, 'ExternalMeetingId'],
    ['ClientRequestToken outside its pattern', { ClientRequestToken: 'has spaces!' }, 'ClientRequestToken'],
    ['MeetingHostId with the reserved prefix', { MeetingHostId: 'AWS:host' }, 'MeetingHostId'],
    [
      'Video MaxResolution outside the enum',
      { MeetingFeatures: { Video: { MaxResolution: 'UHD' as never } } },
      'MeetingFeatures.Video.MaxResolution',
    ],
    [
      'Attendee MaxCount above 250',
      { MeetingFeatures: { Attendee: { MaxCount: 251 } } },
      'MeetingFeatures.Attendee.MaxCount',
    ],
    [
      'Attendee MaxCount below 1',
      { MeetingFeatures: { Attendee: { MaxCount: 0 } } },
      'MeetingFeatures.Attendee.MaxCount',
    ],
    ['six TenantIds', { TenantIds: ['t1', 't2', 't3', 't4', 't5', 't6'] }, 'TenantIds'],
    ['TenantId with a character four times in a row', { TenantIds: ['aaaa'] }, 'TenantIds[0]'],
    ['Tag key outside its pattern', { Tags: [{ Key: 'bad key!', Value: 'v' }] }, 'Tags[0].Key'],
    [
      'SNS topic that is not an ARN',
      { NotificationsConfiguration: { SnsTopicArn: 'topic' } },
      'NotificationsConfiguration.SnsTopicArn',
    ],
  ])('CreateMeeting rejects %s with BadRequestException', async (_rule, change, member) => {
    const error = await failure(
      client.send(new CreateMeetingCommand({ ...MEETING, ...change } as CreateMeetingCommandInput)),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.Code).toBe('BadRequest');
    expect(error.message).toContain(`'${member}'`);
    expect(error.RequestId).toBe(error.$metadata.requestId);
  });

  test('CreateMeeting rejects a PrimaryMeetingId that names no active meeting', async () => {
    const error = await failure(
      client.send(new CreateMeetingCommand({ ...MEETING, PrimaryMeetingId: '00000000-0000-4000-8000-000000000000' })),
    );
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain('PrimaryMeetingId');
  });

  test('every call rejects a MeetingId that is not a GUID before looking it up', async () => {
    const calls = everyMeetingCall(client, 'not-a-guid', '00000000-0000-4000-8000-000000000000');
    for (const [operation, call] of Object.entries(calls)) {
      const error = await failure(call());
      expect([operation, error.name, error.$metadata.httpStatusCode]).toEqual([operation, 'BadRequestException', 400]);
      expect(error.message).toContain("'MeetingId'");
    }
  });

  test('a deleted meeting answers NotFoundException to every call and voids its join tokens', async () => {
    const { Meeting } = await client.send(new CreateMeetingCommand(MEETING));
    const MeetingId = Meeting!.MeetingId!;
    const { Attendee } = await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'early-bird' }));
    expect(emulator.resolveJoinToken(Attendee!.JoinToken!)).toEqual({
      meetingId: MeetingId,
      attendeeId: Attendee!.AttendeeId,
    });

    const deleted = await client.send(new DeleteMeetingCommand({ MeetingId }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);

    for (const [operation, call] of Object.entries(everyMeetingCall(client, MeetingId, Attendee!.AttendeeId!))) {
      const error = await failure(call());
      expect([operation, error.name, error.$metadata.httpStatusCode, error.Code]).toEqual([
        operation,
        'NotFoundException',
        404,
        'NotFound',
      ]);
    }
    expect(emulator.resolveJoinToken(Attendee!.JoinToken!)).toBeUndefined();
    expect(emulator.getMeeting(MeetingId)).toBeUndefined();
  });

  test('endMeeting (the control method) ends a meeting as DeleteMeeting does', async () => {
    const meeting = emulator.createMeeting({ ExternalMeetingId: 'ended-by-control' });
    expect(meeting.MeetingArn).toBe(`arn:aws:chime:us-east-1:123456789012:meeting/${meeting.MeetingId}`);
    await expect(client.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId }))).resolves.toMatchObject({
      Meeting: meeting,
    });

    expect(emulator.endMeeting(meeting.MeetingId!)).toBe(true);
    expect(emulator.endMeeting(meeting.MeetingId!)).toBe(false);
    const error = await failure(client.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId })));
    expect(error.name).toBe('NotFoundException');
  });

  test('createMeeting (the control method) validates like CreateMeeting', () => {
    expect(() => emulator.createMeeting({ MediaRegion: 'nowhere-1' })).toThrow(/BadRequestException.*MediaRegion/);
  });

  test('an operation the emulator does not implement answers 404 UnknownOperationException', async () => {
    const meeting = emulator.createMeeting();
    const before = emulator.stats().unknownRoutes;
    const error = await failure(
      client.send(
        new StartMeetingTranscriptionCommand({
          MeetingId: meeting.MeetingId,
          TranscriptionConfiguration: { EngineTranscribeSettings: { LanguageCode: 'en-US' } },
        }),
      ),
    );
    expect(error.name).toBe('UnknownOperationException');
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(emulator.stats().unknownRoutes).toBe(before + 1);
  });
});

describe('Chime emulator: bounded memory', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;

  beforeAll(async () => {
    emulator = await startChimeEmulator({ maxMeetings: 2 });
    client = chimeClient(emulator);
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  test('beyond maxMeetings CreateMeeting answers LimitExceededException; deleting a meeting frees a place', async () => {
    const first = await client.send(new CreateMeetingCommand(MEETING));
    await client.send(new CreateMeetingCommand(MEETING));
    const error = await failure(client.send(new CreateMeetingCommand(MEETING)));
    expect([error.name, error.$metadata.httpStatusCode, error.Code]).toEqual([
      'LimitExceededException',
      400,
      'LimitExceeded',
    ]);

    await client.send(new DeleteMeetingCommand({ MeetingId: first.Meeting!.MeetingId }));
    await expect(client.send(new CreateMeetingCommand(MEETING))).resolves.toHaveProperty('Meeting.MeetingId');
    expect(emulator.stats().meetings).toBe(2);
  });
});

describe('Chime emulator: seeded runs', () => {
  const emulators: ChimeEmulator[] = [];
  const clients: ChimeSDKMeetingsClient[] = [];

  beforeAll(async () => {
    for (const seed of ['alpha', 'alpha', 'beta']) {
      const emulator = await startChimeEmulator({ seed });
      emulators.push(emulator);
      clients.push(chimeClient(emulator));
    }
  });

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await Promise.all(emulators.map((emulator) => emulator.stop()));
  });

  test('the same seed yields the same meeting ids, attendee ids and join tokens; another seed does not', async () => {
    const runs = await Promise.all(
      clients.map(async (client) => {
        const { Meeting } = await client.send(
          new CreateMeetingCommand({ ...MEETING, ClientRequestToken: 'fixed-token' }),
        );
        const { Attendee } = await client.send(
          new CreateAttendeeCommand({ MeetingId: Meeting!.MeetingId, ExternalUserId: 'seeded-user' }),
        );
        return [Meeting!.MeetingId, Attendee!.AttendeeId, Attendee!.JoinToken];
      }),
    );
    expect(runs[0]).toEqual(runs[1]);
    runs[2].forEach((value, index) => expect(value).not.toBe(runs[0][index]));
  });
});
