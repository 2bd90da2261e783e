import {
  type Attendee,
  type AttendeeCapabilities,
  BatchCreateAttendeeCommand,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  DeleteAttendeeCommand,
  GetAttendeeCommand,
  ListAttendeesCommand,
  type MeetingFeaturesConfiguration,
} from '@aws-sdk/client-chime-sdk-meetings';
import { CHIME_LIMITS, startChimeEmulator, type ChimeEmulator } from '../../local/chime-emulator';

// Chime's limits as the model states them (the emulator's, never our contract's).
const CHIME_BATCH_CHUNK_SIZE = CHIME_LIMITS.batchCreateAttendee.max;
const MAX_ATTENDEES_PER_MEETING = CHIME_LIMITS.attendeesPerMeeting;
const NEXT_TOKEN_MAX_LENGTH = CHIME_LIMITS.nextTokenMaxLength;
import { chimeClient, failure, GUID } from './helpers';

const ALL_SEND_RECEIVE = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' } as const;

function users(count: number, prefix = 'user'): { ExternalUserId: string }[] {
  return Array.from({ length: count }, (_, i) => ({ ExternalUserId: `${prefix}-${String(i).padStart(3, '0')}` }));
}

describe('Chime emulator: attendees', () => {
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

  /** Fills a meeting to `count` attendees with BatchCreateAttendee, in chunks Chime accepts. */
  async function fill(MeetingId: string, count: number): Promise<Attendee[]> {
    const created: Attendee[] = [];
    const all = users(count);
    for (let i = 0; i < all.length; i += CHIME_BATCH_CHUNK_SIZE) {
      const { Attendees, Errors } = await client.send(
        new BatchCreateAttendeeCommand({ MeetingId, Attendees: all.slice(i, i + CHIME_BATCH_CHUNK_SIZE) }),
      );
      expect(Errors).toEqual([]);
      created.push(...Attendees!);
    }
    return created;
  }

  test('CreateAttendee returns an attendee with a GUID, a live join token and default capabilities', async () => {
    const meeting = emulator.createMeeting();
    const { Attendee, $metadata } = await client.send(
      new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId: 'Zoë (guest)' }),
    );
    expect($metadata.httpStatusCode).toBe(200);
    expect(Attendee!.AttendeeId).toMatch(GUID);
    expect(Attendee!.ExternalUserId).toBe('Zoë (guest)');
    expect(Attendee!.JoinToken!.length).toBeGreaterThanOrEqual(2);
    expect(Attendee!.JoinToken!.length).toBeLessThanOrEqual(2048);
    expect(Attendee!.JoinToken).toMatch(/^[A-Za-z0-9+/]+$/);
    expect(Attendee!.Capabilities).toEqual(ALL_SEND_RECEIVE);
    expect(emulator.resolveJoinToken(Attendee!.JoinToken!)).toEqual({
      meetingId: meeting.MeetingId,
      attendeeId: Attendee!.AttendeeId,
    });
    const got = await client.send(
      new GetAttendeeCommand({ MeetingId: meeting.MeetingId, AttendeeId: Attendee!.AttendeeId }),
    );
    expect(got.Attendee).toEqual(Attendee);
  });

  test('a re-join with the same ExternalUserId returns the same attendee and token, whatever capabilities it asks for', async () => {
    const meeting = emulator.createMeeting();
    const first = await client.send(
      new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId: 'alice' }),
    );
    const again = await client.send(
      new CreateAttendeeCommand({
        MeetingId: meeting.MeetingId,
        ExternalUserId: 'alice',
        Capabilities: { Audio: 'Receive', Video: 'None', Content: 'None' },
      }),
    );
    expect(again.Attendee).toEqual(first.Attendee);
    expect(emulator.attendees(meeting.MeetingId!)).toHaveLength(1);

    const elsewhere = await client.send(
      new CreateAttendeeCommand({ MeetingId: emulator.createMeeting().MeetingId, ExternalUserId: 'alice' }),
    );
    expect(elsewhere.Attendee!.AttendeeId).not.toBe(first.Attendee!.AttendeeId);
  });

  test('after DeleteAttendee the token is void and a new join yields a new attendee', async () => {
    const meeting = emulator.createMeeting();
    const MeetingId = meeting.MeetingId;
    const { Attendee: old } = await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'bob' }));
    const deleted = await client.send(new DeleteAttendeeCommand({ MeetingId, AttendeeId: old!.AttendeeId }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(emulator.resolveJoinToken(old!.JoinToken!)).toBeUndefined();

    for (const call of [
      () => client.send(new GetAttendeeCommand({ MeetingId, AttendeeId: old!.AttendeeId })),
      () => client.send(new DeleteAttendeeCommand({ MeetingId, AttendeeId: old!.AttendeeId })),
    ]) {
      const error = await failure(call());
      expect([error.name, error.$metadata.httpStatusCode, error.Code]).toEqual(['NotFoundException', 404, 'NotFound']);
    }

    const { Attendee: fresh } = await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'bob' }));
    expect(fresh!.AttendeeId).not.toBe(old!.AttendeeId);
    expect(fresh!.JoinToken).not.toBe(old!.JoinToken);
    expect(emulator.resolveJoinToken(fresh!.JoinToken!)).toEqual({
      meetingId: MeetingId,
      attendeeId: fresh!.AttendeeId,
    });
  });

  // Seed rules: SERVICE.md "Chime behaviours to rely on" and the CreateAttendee reference page.
  test.each<
    [string, MeetingFeaturesConfiguration | undefined, AttendeeCapabilities | undefined, AttendeeCapabilities | RegExp]
  >([
    ['defaults on a meeting without features', undefined, undefined, ALL_SEND_RECEIVE],
    [
      'video off: video Receive, content SendReceive by default',
      { Video: { MaxResolution: 'None' } },
      undefined,
      { Audio: 'SendReceive', Video: 'Receive', Content: 'SendReceive' },
    ],
    [
      'video and content off: both None by default',
      { Video: { MaxResolution: 'None' }, Content: { MaxResolution: 'None' } },
      undefined,
      { Audio: 'SendReceive', Video: 'None', Content: 'None' },
    ],
    [
      'content off: content None by default',
      { Content: { MaxResolution: 'None' } },
      undefined,
      { Audio: 'SendReceive', Video: 'SendReceive', Content: 'None' },
    ],
    [
      'video off rejects any video capability but None',
      { Video: { MaxResolution: 'None' } },
      { Audio: 'SendReceive', Video: 'Receive', Content: 'None' },
      /Video capability must be None/,
    ],
    [
      'content off rejects any content capability but None',
      { Content: { MaxResolution: 'None' } },
      { Audio: 'SendReceive', Video: 'SendReceive', Content: 'Send' },
      /Content capability must be None/,
    ],
    [
      'content Receive needs video Receive or SendReceive',
      undefined,
      { Audio: 'SendReceive', Video: 'Send', Content: 'Receive' },
      /requires Video capability/,
    ],
    [
      'content SendReceive needs video Receive or SendReceive',
      undefined,
      { Audio: 'None', Video: 'None', Content: 'SendReceive' },
      /requires Video capability/,
    ],
    [
      'content Send is allowed without video',
      undefined,
      { Audio: 'Send', Video: 'None', Content: 'Send' },
      { Audio: 'Send', Video: 'None', Content: 'Send' },
    ],
    [
      'video Receive with content None is allowed',
      undefined,
      { Audio: 'Receive', Video: 'Receive', Content: 'None' },
      { Audio: 'Receive', Video: 'Receive', Content: 'None' },
    ],
    [
      'an unknown capability value',
      undefined,
      { Audio: 'Loud' as never, Video: 'None', Content: 'None' },
      /'Capabilities\.Audio'.*enum/,
    ],
    [
      'capabilities without Content',
      undefined,
      { Audio: 'SendReceive', Video: 'None' } as AttendeeCapabilities,
      /'Capabilities\.Content'.*must not be null/,
    ],
  ])('capabilities: %s', async (_rule, MeetingFeatures, Capabilities, expected) => {
    const meeting = emulator.createMeeting({ MeetingFeatures });
    const call = client.send(
      new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId: 'cap-tester', Capabilities }),
    );
    if (expected instanceof RegExp) {
      const error = await failure(call);
      expect([error.name, error.$metadata.httpStatusCode, error.Code]).toEqual([
        'BadRequestException',
        400,
        'BadRequest',
      ]);
      expect(error.message).toMatch(expected);
    } else {
      expect((await call).Attendee!.Capabilities).toEqual(expected);
    }
  });

  test.each([
    ['one character', 'Q', /length greater than or equal to 2/],
    ['65 characters', 'a'.repeat(65), /length less than or equal to 64/],
    ['the reserved prefix aws:', 'aws:robot', /reserved prefix/],
    ['the reserved prefix in another case', 'AwS:robot', /reserved prefix/],
    ['a character outside the pattern', 'semi;colon', /regular expression pattern/],
  ])('CreateAttendee rejects an ExternalUserId of %s', async (_rule, ExternalUserId, message) => {
    const meeting = emulator.createMeeting();
    const error = await failure(
      client.send(new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId })),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['BadRequestException', 400]);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(ExternalUserId);
    expect(emulator.attendees(meeting.MeetingId!)).toEqual([]);
  });

  test('CreateAttendee without ExternalUserId is a BadRequestException naming the member', async () => {
    const meeting = emulator.createMeeting();
    const error = await failure(client.send(new CreateAttendeeCommand({ MeetingId: meeting.MeetingId } as never)));
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain("'ExternalUserId' failed to satisfy constraint: Member must not be null");
  });

  test('a meeting holds at most 250 attendees; re-joins still work at the cap; DeleteAttendee frees a place', async () => {
    const meeting = emulator.createMeeting();
    const MeetingId = meeting.MeetingId;
    const created = await fill(MeetingId!, MAX_ATTENDEES_PER_MEETING);
    expect(created).toHaveLength(MAX_ATTENDEES_PER_MEETING);

    const error = await failure(client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'one-too-many' })));
    expect([error.name, error.$metadata.httpStatusCode, error.Code]).toEqual([
      'LimitExceededException',
      400,
      'LimitExceeded',
    ]);
    expect(error.message).toContain(String(MAX_ATTENDEES_PER_MEETING));

    const rejoin = await client.send(
      new CreateAttendeeCommand({ MeetingId, ExternalUserId: created[7].ExternalUserId }),
    );
    expect(rejoin.Attendee).toEqual(created[7]);

    await client.send(new DeleteAttendeeCommand({ MeetingId, AttendeeId: created[0].AttendeeId }));
    const admitted = await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'one-too-many' }));
    expect(admitted.Attendee!.AttendeeId).toMatch(GUID);
    await expect(
      failure(client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'and-another' }))),
    ).resolves.toHaveProperty('name', 'LimitExceededException');
  });

  test('MeetingFeatures.Attendee.MaxCount lowers the cap', async () => {
    const meeting = emulator.createMeeting({ MeetingFeatures: { Attendee: { MaxCount: 2 } } });
    await fill(meeting.MeetingId!, 2);
    const error = await failure(
      client.send(new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId: 'third' })),
    );
    expect(error.name).toBe('LimitExceededException');
    expect(error.message).toContain('2 attendees');
  });

  test("the SDK's default retry strategy retries LimitExceededException (it counts it as throttling)", async () => {
    const meeting = emulator.createMeeting({ MeetingFeatures: { Attendee: { MaxCount: 1 } } });
    await fill(meeting.MeetingId!, 1);
    const retrying = chimeClient(emulator, { maxAttempts: 3 });
    const before = emulator.stats().operations.CreateAttendee.byStatus['400'] ?? 0;
    try {
      const error = await failure(
        retrying.send(new CreateAttendeeCommand({ MeetingId: meeting.MeetingId, ExternalUserId: 'over-cap' })),
      );
      expect(error.name).toBe('LimitExceededException');
      expect(error.$metadata.attempts).toBe(3);
      expect(emulator.stats().operations.CreateAttendee.byStatus['400']).toBe(before + 3);
    } finally {
      retrying.destroy();
    }
  });

  describe('BatchCreateAttendee', () => {
    test('creates up to 100 attendees and reports no errors', async () => {
      const meeting = emulator.createMeeting();
      const { Attendees, Errors, $metadata } = await client.send(
        new BatchCreateAttendeeCommand({ MeetingId: meeting.MeetingId, Attendees: users(100) }),
      );
      expect($metadata.httpStatusCode).toBe(200);
      expect(Errors).toEqual([]);
      expect(Attendees!.map((a) => a.ExternalUserId)).toEqual(users(100).map((u) => u.ExternalUserId));
      expect(new Set(Attendees!.map((a) => a.AttendeeId)).size).toBe(100);
      expect(Attendees!.every((a) => a.JoinToken && emulator.resolveJoinToken(a.JoinToken))).toBe(true);
    });

    test('answers 200 with per-item Errors for items over the cap or with invalid capabilities', async () => {
      const meeting = emulator.createMeeting({
        MeetingFeatures: { Attendee: { MaxCount: 3 }, Video: { MaxResolution: 'None' } },
      });
      const { Attendees, Errors, $metadata } = await client.send(
        new BatchCreateAttendeeCommand({
          MeetingId: meeting.MeetingId,
          Attendees: [
            { ExternalUserId: 'u1' },
            { ExternalUserId: 'camera-on', Capabilities: ALL_SEND_RECEIVE },
            { ExternalUserId: 'u2' },
            { ExternalUserId: 'u1' },
            { ExternalUserId: 'u3' },
            { ExternalUserId: 'u4' },
          ],
        }),
      );
      expect($metadata.httpStatusCode).toBe(200);
      expect(Attendees!.map((a) => a.ExternalUserId)).toEqual(['u1', 'u2', 'u1', 'u3']);
      expect(Attendees![2]).toEqual(Attendees![0]);
      expect(Errors).toEqual([
        {
          ExternalUserId: 'camera-on',
          ErrorCode: 'BadRequest',
          ErrorMessage: expect.stringMatching(/Video capability must be None/),
        },
        {
          ExternalUserId: 'u4',
          ErrorCode: 'LimitExceeded',
          ErrorMessage: expect.stringMatching(/limit of 3 attendees/),
        },
      ]);
      expect(emulator.attendees(meeting.MeetingId!).map((a) => a.ExternalUserId)).toEqual(['u1', 'u2', 'u3']);
    });

    test.each([
      ['no items', [], /'Attendees'.*length greater than or equal to 1/],
      ['101 items', users(101), /'Attendees'.*length less than or equal to 100/],
      [
        'one invalid ExternalUserId',
        [...users(3), { ExternalUserId: 'aws:bot' }],
        /'Attendees\[3\]\.ExternalUserId'.*reserved prefix/,
      ],
    ])('fails the whole request for %s and creates nothing', async (_fault, Attendees, message) => {
      const meeting = emulator.createMeeting();
      const error = await failure(
        client.send(new BatchCreateAttendeeCommand({ MeetingId: meeting.MeetingId, Attendees })),
      );
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(['BadRequestException', 400]);
      expect(error.message).toMatch(message);
      expect(emulator.attendees(meeting.MeetingId!)).toEqual([]);
    });
  });

  describe('ListAttendees', () => {
    let meetingId: string;
    let created: Attendee[];

    beforeAll(async () => {
      meetingId = emulator.createMeeting().MeetingId!;
      created = await fill(meetingId, MAX_ATTENDEES_PER_MEETING);
    });

    async function listAll(
      MeetingId: string,
      MaxResults?: number,
    ): Promise<{ pages: number[]; attendees: Attendee[] }> {
      const pages: number[] = [];
      const attendees: Attendee[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(new ListAttendeesCommand({ MeetingId, MaxResults, NextToken }));
        pages.push(page.Attendees!.length);
        attendees.push(...page.Attendees!);
        NextToken = page.NextToken;
      } while (NextToken);
      return { pages, attendees };
    }

    test('pages over 250 attendees in creation order, without duplicates or omissions', async () => {
      const { pages, attendees } = await listAll(meetingId, 100);
      expect(pages).toEqual([100, 100, 50]);
      expect(attendees).toEqual(created);
    });

    test('answers 10 attendees a page when MaxResults is absent', async () => {
      const first = await client.send(new ListAttendeesCommand({ MeetingId: meetingId }));
      expect(first.Attendees).toEqual(created.slice(0, 10));
      const { pages } = await listAll(meetingId);
      expect(pages).toHaveLength(25);
    });

    test('NextToken is opaque: neither a number nor readable, and different on every call', async () => {
      const a = await client.send(new ListAttendeesCommand({ MeetingId: meetingId, MaxResults: 5 }));
      const b = await client.send(new ListAttendeesCommand({ MeetingId: meetingId, MaxResults: 5 }));
      expect(a.NextToken).not.toMatch(/^\d+$/);
      expect(Buffer.from(a.NextToken!, 'base64url').toString('latin1')).not.toContain(meetingId);
      expect(a.NextToken).not.toBe(b.NextToken);
      expect(a.NextToken!.length).toBeLessThanOrEqual(NEXT_TOKEN_MAX_LENGTH);
    });

    test('a deletion between pages neither repeats nor skips the others', async () => {
      const meeting = emulator.createMeeting();
      const attendees = await fill(meeting.MeetingId!, 30);
      const first = await client.send(new ListAttendeesCommand({ MeetingId: meeting.MeetingId, MaxResults: 10 }));
      await client.send(
        new DeleteAttendeeCommand({ MeetingId: meeting.MeetingId, AttendeeId: attendees[9].AttendeeId }),
      );
      await client.send(
        new DeleteAttendeeCommand({ MeetingId: meeting.MeetingId, AttendeeId: attendees[15].AttendeeId }),
      );
      const rest = await client.send(
        new ListAttendeesCommand({ MeetingId: meeting.MeetingId, MaxResults: 100, NextToken: first.NextToken }),
      );
      expect(rest.Attendees).toEqual(attendees.slice(10).filter((_, i) => i !== 5));
      expect(rest.NextToken).toBeUndefined();
    });

    test("items carry JoinToken, as the model's Attendee does", async () => {
      const page = await client.send(new ListAttendeesCommand({ MeetingId: meetingId, MaxResults: 3 }));
      expect(page.Attendees!.map((a) => a.JoinToken)).toEqual(created.slice(0, 3).map((a) => a.JoinToken));
    });

    test.each<[string, () => { MaxResults?: number; NextToken?: string; MeetingId?: string }, RegExp]>([
      ['MaxResults 0', () => ({ MaxResults: 0 }), /'MaxResults'.*greater than or equal to 1/],
      ['MaxResults 101', () => ({ MaxResults: 101 }), /'MaxResults'.*less than or equal to 100/],
      [
        'a NextToken over 4096 characters',
        () => ({ NextToken: 'A'.repeat(NEXT_TOKEN_MAX_LENGTH + 1) }),
        /'NextToken'.*less than or equal to 4096/,
      ],
      [
        'a forged NextToken',
        () => ({ NextToken: Buffer.from('{"m":"x","s":100}').toString('base64url') }),
        /NextToken is invalid/,
      ],
    ])('rejects %s with BadRequestException', async (_rule, input, message) => {
      const error = await failure(client.send(new ListAttendeesCommand({ MeetingId: meetingId, ...input() })));
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(['BadRequestException', 400]);
      expect(error.message).toMatch(message);
    });

    test('rejects a NextToken of another meeting and a tampered one', async () => {
      const other = emulator.createMeeting();
      await fill(other.MeetingId!, 3);
      const { NextToken } = await client.send(new ListAttendeesCommand({ MeetingId: other.MeetingId, MaxResults: 1 }));
      const foreign = await failure(client.send(new ListAttendeesCommand({ MeetingId: meetingId, NextToken })));
      expect(foreign.name).toBe('BadRequestException');

      const bytes = Buffer.from(NextToken!, 'base64url');
      bytes[bytes.length - 1] ^= 1;
      const tampered = await failure(
        client.send(new ListAttendeesCommand({ MeetingId: other.MeetingId, NextToken: bytes.toString('base64url') })),
      );
      expect(tampered.message).toMatch(/NextToken is invalid/);
    });
  });
});
