import {
  BatchCreateAttendeeCommand,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  CreateMeetingCommand,
  CreateMeetingWithAttendeesCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
  type Meeting,
  UpdateAttendeeCapabilitiesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { CHIME_ERROR_STATUS, errorCode } from '../../local/chime-emulator';
import {
  OPERATION_ERRORS,
  startChimeEmulator,
  type ChimeEmulator,
  type ChimeErrorName,
  type ChimeOperation,
  type EmulatorStats,
} from '../../local/chime-emulator';
import { chimeClient, failure, sigV4Header } from './helpers';

/** A valid call for each operation, on a meeting and attendee that exist. */
function validCalls(
  client: ChimeSDKMeetingsClient,
  MeetingId: string,
  AttendeeId: string,
): Record<ChimeOperation, () => Promise<unknown>> {
  return {
    CreateMeeting: () =>
      client.send(new CreateMeetingCommand({ MediaRegion: 'us-east-1', ExternalMeetingId: 'fault-drill' })),
    CreateMeetingWithAttendees: () =>
      client.send(
        new CreateMeetingWithAttendeesCommand({
          MediaRegion: 'us-east-1',
          ExternalMeetingId: 'fault-drill',
          Attendees: [{ ExternalUserId: 'fault-user' }],
        }),
      ),
    GetMeeting: () => client.send(new GetMeetingCommand({ MeetingId })),
    DeleteMeeting: () => client.send(new DeleteMeetingCommand({ MeetingId })),
    CreateAttendee: () => client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'fault-user' })),
    BatchCreateAttendee: () =>
      client.send(new BatchCreateAttendeeCommand({ MeetingId, Attendees: [{ ExternalUserId: 'fault-user' }] })),
    GetAttendee: () => client.send(new GetAttendeeCommand({ MeetingId, AttendeeId })),
    ListAttendees: () => client.send(new ListAttendeesCommand({ MeetingId })),
    DeleteAttendee: () => client.send(new DeleteAttendeeCommand({ MeetingId, AttendeeId })),
    UpdateAttendeeCapabilities: () =>
      client.send(new UpdateAttendeeCapabilitiesCommand({ MeetingId, AttendeeId, Capabilities: AUDIO_ONLY })),
    BatchUpdateAttendeeCapabilitiesExcept: () =>
      client.send(
        new BatchUpdateAttendeeCapabilitiesExceptCommand({
          MeetingId,
          ExcludedAttendeeIds: [{ AttendeeId }],
          Capabilities: AUDIO_ONLY,
        }),
      ),
  };
}

const AUDIO_ONLY = { Audio: 'SendReceive', Video: 'None', Content: 'None' } as const;

const EVERY_MODELED_ERROR = (Object.entries(OPERATION_ERRORS) as [ChimeOperation, readonly ChimeErrorName[]][]).flatMap(
  ([operation, errors]) => errors.map((error) => [operation, error] as const),
);

async function elapsed(call: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await call();
  return Date.now() - started;
}

describe('Chime emulator: signatures', () => {
  let emulator: ChimeEmulator;
  let meetingUrl: string;

  beforeAll(async () => {
    emulator = await startChimeEmulator({ accessKeyId: 'AKIAEXPECTED' });
    meetingUrl = `${emulator.endpoint}/meetings/${emulator.createMeeting().MeetingId}`;
  });

  afterAll(async () => {
    await emulator.stop();
  });

  test("an unsigned request is refused with UnauthorizedException 401 in the service's error format", async () => {
    const response = await fetch(meetingUrl);
    expect(response.status).toBe(401);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^UnauthorizedException:/);
    const requestId = response.headers.get('x-amzn-requestid');
    expect(await response.json()).toEqual({
      Code: 'Unauthorized',
      Message: 'Missing Authentication Token',
      RequestId: requestId,
    });
    expect(emulator.stats().operations.GetMeeting.unauthenticated).toBeGreaterThanOrEqual(1);
  });

  test.each([
    ['a non-SigV4 Authorization header', { authorization: 'Bearer abc' }, 401, 'Unauthorized'],
    [
      'SigV4 without X-Amz-Date',
      { authorization: sigV4Header('chime', 'AKIAEXPECTED').authorization },
      401,
      'Unauthorized',
    ],
    ['a credential scoped to another service', sigV4Header('s3', 'AKIAEXPECTED'), 403, 'Forbidden'],
    ['another access key', sigV4Header('chime', 'AKIAINTRUDER'), 403, 'Forbidden'],
  ])('a request with %s is refused', async (_case, headers, status, code) => {
    const response = await fetch(meetingUrl, { headers });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { Code: string }).Code).toBe(code);
  });

  test('the SDK sees ForbiddenException for a foreign access key and succeeds with the expected one', async () => {
    const intruder = chimeClient(emulator, { credentials: { accessKeyId: 'AKIAINTRUDER', secretAccessKey: 'x' } });
    const owner = chimeClient(emulator);
    try {
      const error = await failure(
        intruder.send(new CreateMeetingCommand({ MediaRegion: 'us-east-1', ExternalMeetingId: 'nope' })),
      );
      expect([error.name, error.$metadata.httpStatusCode, error.Code]).toEqual([
        'ForbiddenException',
        403,
        'Forbidden',
      ]);
      await expect(
        owner.send(new CreateMeetingCommand({ MediaRegion: 'us-east-1', ExternalMeetingId: 'yes' })),
      ).resolves.toHaveProperty('Meeting.ExternalMeetingId', 'yes');
    } finally {
      intruder.destroy();
      owner.destroy();
    }
  });
});

describe('Chime emulator: fault injection', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;
  let retrying: ChimeSDKMeetingsClient;
  let meetingId: string;
  let attendeeId: string;

  beforeAll(async () => {
    emulator = await startChimeEmulator();
    client = chimeClient(emulator);
    retrying = chimeClient(emulator, { maxAttempts: 3 });
    meetingId = emulator.createMeeting().MeetingId!;
    const { Attendee } = await client.send(
      new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: 'resident' }),
    );
    attendeeId = Attendee!.AttendeeId!;
  });

  afterEach(() => emulator.resetFaults());

  afterAll(async () => {
    client.destroy();
    retrying.destroy();
    await emulator.stop();
  });

  test.each(EVERY_MODELED_ERROR)('%s can answer %s, and the SDK raises that class', async (operation, errorName) => {
    emulator.injectFault(operation, { error: errorName, message: `scripted ${errorName}` });
    const error = await failure(validCalls(client, meetingId, attendeeId)[operation]());
    expect(error.name).toBe(errorName);
    expect(error.$metadata.httpStatusCode).toBe(CHIME_ERROR_STATUS[errorName]);
    expect(error.$fault).toBe(CHIME_ERROR_STATUS[errorName] >= 500 ? 'server' : 'client');
    expect(error.Code).toBe(errorCode(errorName));
    expect(error.message).toBe(`scripted ${errorName}`);
    expect(error.RequestId).toBe(error.$metadata.requestId);
  });

  test('a fault the model does not declare for the operation is refused', () => {
    expect(() => emulator.injectFault('GetMeeting', { error: 'ConflictException' })).toThrow(
      /does not declare ConflictException/,
    );
  });

  test('the next N calls answer ServiceUnavailable with Retry-After, then the service recovers', async () => {
    const before = emulator.stats().operations.CreateAttendee;
    emulator.injectFault('CreateAttendee', { error: 'ServiceUnavailableException', count: 2, retryAfterSeconds: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await failure(validCalls(client, meetingId, attendeeId).CreateAttendee());
      expect([error.name, error.$metadata.httpStatusCode, error.RetryAfterSeconds]).toEqual([
        'ServiceUnavailableException',
        503,
        '2',
      ]);
    }
    await expect(validCalls(client, meetingId, attendeeId).CreateAttendee()).resolves.toHaveProperty(
      'Attendee.ExternalUserId',
      'fault-user',
    );
    const after = emulator.stats().operations.CreateAttendee;
    expect(after.faulted - before.faulted).toBe(2);
    expect(after.byStatus['503'] - (before.byStatus['503'] ?? 0)).toBe(2);
  });

  test('faults queued for one operation are served in order', async () => {
    emulator.injectFault('GetMeeting', { error: 'ServiceFailureException' });
    emulator.injectFault('GetMeeting', { error: 'ThrottlingException' });
    const call = validCalls(client, meetingId, attendeeId).GetMeeting;
    expect((await failure(call())).name).toBe('ServiceFailureException');
    expect((await failure(call())).name).toBe('ThrottlingException');
    await expect(call()).resolves.toHaveProperty('Meeting.MeetingId', meetingId);
  });

  test("the SDK's own retry honours Retry-After on ServiceUnavailable and then succeeds", async () => {
    emulator.injectFault('GetMeeting', { error: 'ServiceUnavailableException', retryAfterSeconds: 1 });
    const { $metadata } = await retrying.send(new GetMeetingCommand({ MeetingId: meetingId }));
    expect($metadata.attempts).toBe(2);
    expect($metadata.totalRetryDelay).toBeGreaterThanOrEqual(900);
  });

  test('a token bucket answers 429 ThrottlingException once its burst is spent', async () => {
    emulator.setRateLimit('ListAttendees', { ratePerSecond: 0.001, burst: 2 });
    const call = validCalls(client, meetingId, attendeeId).ListAttendees;
    await call();
    await call();
    const error = await failure(call());
    expect([error.name, error.$metadata.httpStatusCode, error.Code, error.$fault]).toEqual([
      'ThrottlingException',
      429,
      'Throttling',
      'client',
    ]);
    // The model gives ThrottlingException no retryable trait: the SDK retries it for its status and name instead.
    expect(error.$retryable).toBeUndefined();
    expect(emulator.stats().operations.ListAttendees.throttled).toBe(1);

    const raw = await fetch(`${emulator.endpoint}/meetings/${meetingId}/attendees`, { headers: sigV4Header() });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1000');
  });

  test('a bucket can throttle without Retry-After', async () => {
    emulator.setRateLimit('GetMeeting', { ratePerSecond: 0.001, burst: 1, retryAfter: false });
    const url = `${emulator.endpoint}/meetings/${meetingId}`;
    expect((await fetch(url, { headers: sigV4Header() })).status).toBe(200);
    const throttled = await fetch(url, { headers: sigV4Header() });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.has('retry-after')).toBe(false);
  });

  test("the SDK's own retry succeeds once the bucket refills", async () => {
    emulator.setRateLimit('GetAttendee', { ratePerSecond: 2, burst: 1 });
    const first = await retrying.send(new GetAttendeeCommand({ MeetingId: meetingId, AttendeeId: attendeeId }));
    expect(first.$metadata.attempts).toBe(1);
    const second = await retrying.send(new GetAttendeeCommand({ MeetingId: meetingId, AttendeeId: attendeeId }));
    expect(second.$metadata.attempts).toBe(2);
    expect(second.Attendee!.AttendeeId).toBe(attendeeId);
    expect(emulator.stats().operations.GetAttendee.throttled).toBe(1);
  });

  test('added latency delays one operation until it is reset', async () => {
    emulator.setLatency('GetMeeting', 250);
    const call = validCalls(client, meetingId, attendeeId).GetMeeting;
    expect(await elapsed(call)).toBeGreaterThanOrEqual(240);
    emulator.resetFaults();
    expect(await elapsed(call)).toBeLessThan(240);
  });

  test('control methods refuse unknown operations and nonsense limits', () => {
    expect(() => emulator.setLatency('Nope' as ChimeOperation, 1)).toThrow(/unknown operation Nope/);
    expect(() => emulator.setRateLimit('GetMeeting', { ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
    expect(() => emulator.injectFault('GetMeeting', { error: 'NotFoundException', count: 0 })).toThrow(
      /positive integer/,
    );
  });
});

describe('Chime emulator: stats and control routes', () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;

  beforeAll(async () => {
    emulator = await startChimeEmulator();
    client = chimeClient(emulator);
  });

  beforeEach(() => emulator.reset());

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  // Control routes need the X-Emulator-Control header (test/local/browser-guard.test.ts checks its refusals).
  const control = (path: string, init?: RequestInit) =>
    fetch(`${emulator.endpoint}/_emulator${path}`, {
      ...init,
      headers: { ...init?.headers, 'x-emulator-control': '1' },
    });
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

  test('GET /_emulator/stats and stats() count requests per operation, with throttled and faulted ones', async () => {
    const { Meeting } = await client.send(
      new CreateMeetingCommand({ MediaRegion: 'us-east-1', ExternalMeetingId: 'counted' }),
    );
    const MeetingId = Meeting!.MeetingId;
    await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'one' }));
    await client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'two' }));
    emulator.injectFault('CreateAttendee', { error: 'ServiceFailureException' });
    await failure(client.send(new CreateAttendeeCommand({ MeetingId, ExternalUserId: 'three' })));
    emulator.setRateLimit('GetMeeting', { ratePerSecond: 0.001, burst: 1 });
    await client.send(new GetMeetingCommand({ MeetingId }));
    await failure(client.send(new GetMeetingCommand({ MeetingId })));
    await fetch(`${emulator.endpoint}/meetings/${MeetingId}`);

    const response = await control('/stats');
    expect(response.status).toBe(200);
    const stats = (await response.json()) as EmulatorStats;
    expect(stats).toEqual(emulator.stats());
    expect(stats.operations.CreateMeeting).toEqual({
      requests: 1,
      succeeded: 1,
      failed: 0,
      throttled: 0,
      faulted: 0,
      unauthenticated: 0,
      byStatus: { 200: 1 },
    });
    expect(stats.operations.CreateAttendee).toEqual({
      requests: 3,
      succeeded: 2,
      failed: 1,
      throttled: 0,
      faulted: 1,
      unauthenticated: 0,
      byStatus: { 200: 2, 500: 1 },
    });
    expect(stats.operations.GetMeeting).toEqual({
      requests: 3,
      succeeded: 1,
      failed: 2,
      throttled: 1,
      faulted: 0,
      unauthenticated: 1,
      byStatus: { 200: 1, 401: 1, 429: 1 },
    });
    expect(stats.operations.ListAttendees.requests).toBe(0);
    expect([stats.meetings, stats.attendees]).toEqual([1, 2]);
  });

  test('POST /_emulator/reset forgets meetings and counts', async () => {
    const meeting = emulator.createMeeting();
    await client.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId }));
    expect((await control('/reset', { method: 'POST' })).status).toBe(204);
    const stats = emulator.stats();
    expect([stats.meetings, stats.operations.GetMeeting.requests]).toEqual([0, 0]);
    expect((await failure(client.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId })))).name).toBe(
      'NotFoundException',
    );
  });

  test('POST and DELETE /_emulator/meetings create and end meetings the SDK then sees', async () => {
    const created = await control(
      '/meetings',
      json('POST', { ExternalMeetingId: 'from-curl', MediaRegion: 'eu-west-1' }),
    );
    expect(created.status).toBe(201);
    const { Meeting } = (await created.json()) as { Meeting: Meeting };
    const got = await client.send(new GetMeetingCommand({ MeetingId: Meeting.MeetingId }));
    expect(got.Meeting).toEqual(Meeting);
    expect(Meeting.MediaPlacement?.SignalingUrl).toContain('.ew1.app.chime.aws/');

    expect((await control(`/meetings/${Meeting.MeetingId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await control(`/meetings/${Meeting.MeetingId}`, { method: 'DELETE' })).status).toBe(404);
    expect((await failure(client.send(new GetMeetingCommand({ MeetingId: Meeting.MeetingId })))).name).toBe(
      'NotFoundException',
    );
  });

  test('POST /_emulator/faults, PUT /_emulator/rate-limits and PUT /_emulator/latency configure injection', async () => {
    const meeting = emulator.createMeeting();
    const call = () => client.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId }));

    const fault = await control(
      '/faults',
      json('POST', { operation: 'GetMeeting', error: 'ServiceUnavailableException', retryAfterSeconds: 3 }),
    );
    expect(fault.status).toBe(204);
    expect((await failure(call())).RetryAfterSeconds).toBe('3');

    expect((await control('/rate-limits/GetMeeting', json('PUT', { ratePerSecond: 0.001, burst: 1 }))).status).toBe(
      204,
    );
    await call();
    expect((await failure(call())).name).toBe('ThrottlingException');
    expect((await control('/rate-limits/GetMeeting', { method: 'DELETE' })).status).toBe(204);

    expect((await control('/latency/GetMeeting', json('PUT', { milliseconds: 200 }))).status).toBe(204);
    expect(await elapsed(call)).toBeGreaterThanOrEqual(190);
  });

  test('control routes answer 400 for bad input and 404 for unknown routes', async () => {
    const badFault = await control('/faults', json('POST', { operation: 'GetMeeting', error: 'TeapotException' }));
    expect(badFault.status).toBe(400);
    expect(((await badFault.json()) as { message: string }).message).toMatch(/does not declare TeapotException/);
    expect((await control('/latency/GetMeeting', { method: 'PUT', body: 'not json' })).status).toBe(400);
    expect((await control('/nothing-here')).status).toBe(404);
  });
});

describe('Chime emulator: stopping', () => {
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

  test('stop() does not wait for a request held by added latency', async () => {
    const meeting = emulator.createMeeting();
    emulator.setLatency('GetMeeting', 30_000);
    const pending = client.send(new GetMeetingCommand({ MeetingId: meeting.MeetingId })).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await elapsed(() => emulator.stop())).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
