import {
  type AttendeeCapabilities,
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  GetAttendeeCommand,
  type MeetingFeaturesConfiguration,
  UpdateAttendeeCapabilitiesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { startChimeEmulator, type ChimeEmulator } from '../../local/chime-emulator';
import { chimeClient, failure } from './helpers';

const AUDIO_ONLY = { Audio: 'SendReceive', Video: 'None', Content: 'None' } as const;
const VIEWER = { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } as const;
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('Chime emulator: attendee capability updates', () => {
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

  async function meetingWith(users: string[], MeetingFeatures?: MeetingFeaturesConfiguration) {
    const MeetingId = emulator.createMeeting({ MeetingFeatures }).MeetingId!;
    const attendees = [];
    for (const ExternalUserId of users) {
      attendees.push((await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId }))).Attendee!);
    }
    return { MeetingId, attendees };
  }

  describe('UpdateAttendeeCapabilities', () => {
    test('answers the attendee with its new capabilities, which GetAttendee and a re-join then return', async () => {
      const { MeetingId, attendees } = await meetingWith(['speaker']);
      const [speaker] = attendees;
      const { Attendee, $metadata } = await client.send(
        new UpdateAttendeeCapabilitiesCommand({ MeetingId, AttendeeId: speaker.AttendeeId, Capabilities: VIEWER }),
      );
      expect($metadata.httpStatusCode).toBe(200);
      expect(Attendee).toEqual({ ...speaker, Capabilities: VIEWER });
      const got = await client.send(new GetAttendeeCommand({ MeetingId, AttendeeId: speaker.AttendeeId }));
      expect(got.Attendee!.Capabilities).toEqual(VIEWER);
      const rejoin = await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'speaker' }));
      expect(rejoin.Attendee).toEqual(Attendee);
    });

    test.each<[string, MeetingFeaturesConfiguration | undefined, AttendeeCapabilities, RegExp]>([
      [
        'video capability in a meeting without video',
        { Video: { MaxResolution: 'None' } },
        { Audio: 'SendReceive', Video: 'Receive', Content: 'None' },
        /Video capability must be None/,
      ],
      [
        'content capability in a meeting without content',
        { Content: { MaxResolution: 'None' } },
        { Audio: 'SendReceive', Video: 'SendReceive', Content: 'Send' },
        /Content capability must be None/,
      ],
      [
        'content Receive without video Receive',
        undefined,
        { Audio: 'SendReceive', Video: 'Send', Content: 'Receive' },
        /requires Video capability/,
      ],
      ['a value outside the enum', undefined, { ...AUDIO_ONLY, Audio: 'Loud' as never }, /'Capabilities\.Audio'.*enum/],
      ['a missing member', undefined, { Audio: 'None', Video: 'None' } as never, /'Capabilities\.Content'.*null/],
    ])('refuses %s with BadRequestException and changes nothing', async (_rule, features, Capabilities, message) => {
      const { MeetingId, attendees } = await meetingWith(['target'], features);
      const error = await failure(
        client.send(
          new UpdateAttendeeCapabilitiesCommand({ MeetingId, AttendeeId: attendees[0].AttendeeId, Capabilities }),
        ),
      );
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(['BadRequestException', 400]);
      expect(error.message).toMatch(message);
      expect(emulator.attendees(MeetingId)[0].Capabilities).toEqual(attendees[0].Capabilities);
    });

    test('answers NotFound for an attendee or meeting that does not exist', async () => {
      const { MeetingId } = await meetingWith([]);
      for (const [meetingId, attendeeId] of [
        [MeetingId, MISSING],
        [MISSING, MISSING],
      ]) {
        const error = await failure(
          client.send(
            new UpdateAttendeeCapabilitiesCommand({
              MeetingId: meetingId,
              AttendeeId: attendeeId,
              Capabilities: AUDIO_ONLY,
            }),
          ),
        );
        expect([error.name, error.$metadata.httpStatusCode]).toEqual(['NotFoundException', 404]);
      }
    });
  });

  describe('BatchUpdateAttendeeCapabilitiesExcept', () => {
    test('updates every attendee but the excluded ones, and ignores excluded ids that do not exist', async () => {
      const { MeetingId, attendees } = await meetingWith(['host', 'guest-1', 'guest-2']);
      const [host] = attendees;
      const { $metadata } = await client.send(
        new BatchUpdateAttendeeCapabilitiesExceptCommand({
          MeetingId,
          ExcludedAttendeeIds: [{ AttendeeId: host.AttendeeId }, { AttendeeId: MISSING }],
          Capabilities: AUDIO_ONLY,
        }),
      );
      expect($metadata.httpStatusCode).toBe(200);
      expect(emulator.attendees(MeetingId).map((a) => [a.ExternalUserId, a.Capabilities])).toEqual([
        ['host', host.Capabilities],
        ['guest-1', AUDIO_ONLY],
        ['guest-2', AUDIO_ONLY],
      ]);
    });

    test.each<[string, () => object, RegExp]>([
      ['no excluded ids', () => ({ ExcludedAttendeeIds: [], Capabilities: AUDIO_ONLY }), /'ExcludedAttendeeIds'/],
      [
        '251 excluded ids',
        () => ({
          ExcludedAttendeeIds: Array.from({ length: 251 }, () => ({ AttendeeId: MISSING })),
          Capabilities: AUDIO_ONLY,
        }),
        /'ExcludedAttendeeIds'.*less than or equal to 250/,
      ],
      [
        'an excluded id that is not a GUID',
        () => ({ ExcludedAttendeeIds: [{ AttendeeId: 'nope' }], Capabilities: AUDIO_ONLY }),
        /'ExcludedAttendeeIds\[0\]\.AttendeeId'.*pattern/,
      ],
      [
        'capabilities the meeting refuses',
        () => ({ ExcludedAttendeeIds: [{ AttendeeId: MISSING }], Capabilities: VIEWER }),
        /Video capability must be None/,
      ],
    ])('refuses %s with BadRequestException and changes nothing', async (_rule, input, message) => {
      const { MeetingId, attendees } = await meetingWith(['user-a', 'user-b'], { Video: { MaxResolution: 'None' } });
      const error = await failure(
        client.send(new BatchUpdateAttendeeCapabilitiesExceptCommand({ MeetingId, ...input() } as never)),
      );
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(['BadRequestException', 400]);
      expect(error.message).toMatch(message);
      expect(emulator.attendees(MeetingId).map((a) => a.Capabilities)).toEqual(attendees.map((a) => a.Capabilities));
    });

    test('answers NotFound for a meeting that does not exist', async () => {
      const error = await failure(
        client.send(
          new BatchUpdateAttendeeCapabilitiesExceptCommand({
            MeetingId: MISSING,
            ExcludedAttendeeIds: [{ AttendeeId: MISSING }],
            Capabilities: AUDIO_ONLY,
          }),
        ),
      );
      expect(error.name).toBe('NotFoundException');
    });
  });
});
