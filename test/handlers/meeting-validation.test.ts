// The rules of the meeting routes (lambda/shared/meeting-validation.ts) as a unit: each refusal's exact 400
// message, each bound on both sides, and the exact input a valid request becomes. The bounds are Chime's, read
// from the vendored model (local/chime-emulator/limits.ts), never from lib/contract.ts, so a drift between our
// rules and the service's fails here; test/e2e/meetings.test.ts drives the same routes over HTTP.
import { JoinServiceError } from '../../lambda/shared/errors';
import {
  capabilitiesWithin,
  validateCreateMeeting,
  validateJoinMeeting,
  validateMeetingRoute,
} from '../../lambda/shared/meeting-validation';
import type { JoinRequest } from '../../lambda/shared/types';
import { CHIME_LIMITS, HIGH_RESOLUTION_ATTENDEE_MAX } from '../../local/chime-emulator/limits';
import { MEETING_ID, request } from './fixtures';

const { attendeeMaxCount, tags: tagLimits, tenantIds: tenantLimits } = CHIME_LIMITS;
const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;
const MAX_COUNT_RANGE = `must be an integer from ${attendeeMaxCount.min} to ${attendeeMaxCount.max}`;
const HIGH_RESOLUTION_RULE =
  `MeetingFeatures.Attendee.MaxCount must be set, to at most ${HIGH_RESOLUTION_ATTENDEE_MAX}, ` +
  'for FHD video or UHD content';
const CREATE_FIELDS = 'MediaRegion, MeetingFeatures, TenantIds, PrimaryMeetingId, MediaPlacementNetworkType';
const full = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' } as const;

const withBody = (body: unknown, overrides: Partial<JoinRequest> = {}) =>
  request({ body: JSON.stringify(body), ...overrides });
const create = (fields: Record<string, unknown>, regions: readonly string[] = []) =>
  validateCreateMeeting(withBody({ ExternalMeetingId: 'standup', ...fields }), regions);
const tagList = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `key${'x'.repeat(i)}`, Value: `v${i}` }));
const tenants = (n: number) => Array.from({ length: n }, (_, i) => `tenant-${i}`);

function refusal(run: () => unknown): [number, string, string] {
  try {
    run();
  } catch (err) {
    if (!(err instanceof JoinServiceError)) throw err;
    return [err.statusCode, err.code, err.message];
  }
  throw new Error('expected a refusal, the request was accepted');
}
const badRequest = (message: string): [number, string, string] => [400, 'BadRequest', message];

describe('POST /meetings refuses, with 400 BadRequest and a message naming the field and the rule', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown top-level field',
      { Foo: 1 },
      `Foo is not a known field (expected ExternalMeetingId, ${CREATE_FIELDS}, Tags)`,
    ],
    [
      'a MediaRegion Chime does not document',
      { MediaRegion: 'mars-east-1' },
      `MediaRegion ${oneOf(CHIME_LIMITS.mediaRegions)}`,
    ],
    ['a MediaRegion that is not a string', { MediaRegion: 7 }, `MediaRegion ${oneOf(CHIME_LIMITS.mediaRegions)}`],
    ['MeetingFeatures that are not an object', { MeetingFeatures: [] }, 'MeetingFeatures must be a JSON object'],
    [
      'an unknown MeetingFeatures member',
      { MeetingFeatures: { Screen: {} } },
      'MeetingFeatures.Screen is not a known field (expected Audio, Video, Content, Attendee)',
    ],
    [
      'a Video feature that is not an object',
      { MeetingFeatures: { Video: 'HD' } },
      'MeetingFeatures.Video must be a JSON object',
    ],
    [
      'an unknown Video feature field',
      { MeetingFeatures: { Video: { Resolution: 'HD' } } },
      'MeetingFeatures.Video.Resolution is not a known field (expected MaxResolution)',
    ],
    [
      'a Video feature without MaxResolution',
      { MeetingFeatures: { Video: {} } },
      'MeetingFeatures.Video.MaxResolution is required',
    ],
    [
      'a Video MaxResolution outside VideoResolution',
      { MeetingFeatures: { Video: { MaxResolution: 'UHD' } } },
      `MeetingFeatures.Video.MaxResolution ${oneOf(CHIME_LIMITS.videoResolutions)}`,
    ],
    [
      'a Content MaxResolution outside ContentResolution',
      { MeetingFeatures: { Content: { MaxResolution: 'HD' } } },
      `MeetingFeatures.Content.MaxResolution ${oneOf(CHIME_LIMITS.contentResolutions)}`,
    ],
    [
      'an Audio EchoReduction outside MeetingFeatureStatus',
      { MeetingFeatures: { Audio: { EchoReduction: 'ON' } } },
      'MeetingFeatures.Audio.EchoReduction must be one of AVAILABLE, UNAVAILABLE',
    ],
    [
      'an Attendee feature that is not an object',
      { MeetingFeatures: { Attendee: 5 } },
      'MeetingFeatures.Attendee must be a JSON object',
    ],
    [
      'an unknown Attendee feature field',
      { MeetingFeatures: { Attendee: { Max: 5 } } },
      'MeetingFeatures.Attendee.Max is not a known field (expected MaxCount)',
    ],
    [
      'an Attendee feature without MaxCount',
      { MeetingFeatures: { Attendee: {} } },
      'MeetingFeatures.Attendee.MaxCount is required',
    ],
    [
      'a MaxCount below AttendeeMax',
      { MeetingFeatures: { Attendee: { MaxCount: attendeeMaxCount.min - 1 } } },
      `MeetingFeatures.Attendee.MaxCount ${MAX_COUNT_RANGE}`,
    ],
    [
      'a MaxCount above AttendeeMax',
      { MeetingFeatures: { Attendee: { MaxCount: attendeeMaxCount.max + 1 } } },
      `MeetingFeatures.Attendee.MaxCount ${MAX_COUNT_RANGE}`,
    ],
    [
      'a MaxCount that is not an integer',
      { MeetingFeatures: { Attendee: { MaxCount: 10.5 } } },
      `MeetingFeatures.Attendee.MaxCount ${MAX_COUNT_RANGE}`,
    ],
    [
      'a MaxCount given as a string',
      { MeetingFeatures: { Attendee: { MaxCount: '10' } } },
      `MeetingFeatures.Attendee.MaxCount ${MAX_COUNT_RANGE}`,
    ],
    ['FHD video without a MaxCount', { MeetingFeatures: { Video: { MaxResolution: 'FHD' } } }, HIGH_RESOLUTION_RULE],
    [
      'UHD content without a MaxCount',
      { MeetingFeatures: { Content: { MaxResolution: 'UHD' } } },
      HIGH_RESOLUTION_RULE,
    ],
    [
      'FHD video with a MaxCount above the high-resolution cap',
      {
        MeetingFeatures: { Video: { MaxResolution: 'FHD' }, Attendee: { MaxCount: HIGH_RESOLUTION_ATTENDEE_MAX + 1 } },
      },
      HIGH_RESOLUTION_RULE,
    ],
    [
      'UHD content with a MaxCount above the high-resolution cap',
      {
        MeetingFeatures: {
          Content: { MaxResolution: 'UHD' },
          Attendee: { MaxCount: HIGH_RESOLUTION_ATTENDEE_MAX + 1 },
        },
      },
      HIGH_RESOLUTION_RULE,
    ],
    ['TenantIds that are not an array', { TenantIds: 'tenant-a' }, 'TenantIds must be an array'],
    [
      'fewer TenantIds than TenantIdList allows',
      { TenantIds: tenants(tenantLimits.min - 1) },
      `TenantIds must have ${tenantLimits.min} to ${tenantLimits.max} items`,
    ],
    [
      'more TenantIds than TenantIdList allows',
      { TenantIds: tenants(tenantLimits.max + 1) },
      `TenantIds must have ${tenantLimits.min} to ${tenantLimits.max} items`,
    ],
    [
      'a TenantId shorter than TenantId allows',
      { TenantIds: ['tenant-a', 'x'] },
      `TenantIds[1] must be ${tenantLimits.item.min} to ${tenantLimits.item.max} characters`,
    ],
    [
      'a TenantId longer than TenantId allows',
      { TenantIds: ['ab'.repeat(tenantLimits.item.max / 2) + 'a'] },
      `TenantIds[0] must be ${tenantLimits.item.min} to ${tenantLimits.item.max} characters`,
    ],
    [
      'a TenantId with a character outside the pattern',
      { TenantIds: ['tenant-a', 'tenant b'] },
      'TenantIds[1] may contain only letters, digits and -_!@#$, and no character four times in a row',
    ],
    [
      'a TenantId with a character four times in a row',
      { TenantIds: ['taaaa'] },
      'TenantIds[0] may contain only letters, digits and -_!@#$, and no character four times in a row',
    ],
    ['a one-character PrimaryMeetingId', { PrimaryMeetingId: 'x' }, 'PrimaryMeetingId must be 2 to 64 characters'],
    [
      'a MediaPlacementNetworkType outside the enum',
      { MediaPlacementNetworkType: 'Ipv6Only' },
      `MediaPlacementNetworkType ${oneOf(CHIME_LIMITS.mediaPlacementNetworkTypes)}`,
    ],
    ['Tags that are not an array', { Tags: { Key: 'team', Value: 'red' } }, 'Tags must be an array'],
    [
      'more Tags than TagList allows',
      { Tags: tagList(tagLimits.max + 1) },
      `Tags must have at most ${tagLimits.max} items`,
    ],
    [
      'a Tag that is not an object',
      { Tags: [{ Key: 'team', Value: 'red' }, 'room=red'] },
      'Tags[1] must be a JSON object',
    ],
    [
      'an unknown Tag field',
      { Tags: [{ Key: 'team', Value: 'red', Note: 'x' }] },
      'Tags[0].Note is not a known field (expected Key, Value)',
    ],
    [
      'an empty Tag Key',
      { Tags: [{ Key: '', Value: 'red' }] },
      `Tags[0].Key must be ${tagLimits.key.min} to ${tagLimits.key.max} characters`,
    ],
    [
      'a Tag Key with a space',
      { Tags: [{ Key: 'my team', Value: 'red' }] },
      'Tags[0].Key may contain only letters and +-=._:/',
    ],
    [
      'a Tag Value longer than TagValue allows',
      { Tags: [{ Key: 'team', Value: 'r'.repeat(tagLimits.value.max + 1) }] },
      `Tags[0].Value must be ${tagLimits.value.min} to ${tagLimits.value.max} characters`,
    ],
    [
      'a Tag Value with a character outside the pattern',
      { Tags: [{ Key: 'team', Value: 'red<script>' }] },
      'Tags[0].Value may contain only letters, digits, whitespace and _+-=.:/@',
    ],
    [
      'a Tag Key given twice',
      {
        Tags: [
          { Key: 'team', Value: 'red' },
          { Key: 'room', Value: '1' },
          { Key: 'team', Value: 'blue' },
        ],
      },
      'Tags[2].Key duplicates Tags[0].Key',
    ],
  ])('%s', (_name, fields, message) => {
    expect(refusal(() => create(fields))).toEqual(badRequest(message));
  });

  it('a body without ExternalMeetingId', () => {
    expect(refusal(() => validateCreateMeeting(withBody({}), []))).toEqual(badRequest('ExternalMeetingId is required'));
  });

  it('any query parameter: the route takes none', () => {
    const req = withBody({ ExternalMeetingId: 'standup' }, { queryStringParameters: { region: 'us-east-1' } });
    expect(refusal(() => validateCreateMeeting(req, []))).toEqual(
      badRequest('query parameter region is not supported (this route takes none)'),
    );
  });

  it('a MediaRegion outside the configured regions, naming only those', () => {
    expect(refusal(() => create({ MediaRegion: 'us-west-2' }, ['us-east-1', 'eu-west-1']))).toEqual(
      badRequest('MediaRegion must be one of us-east-1, eu-west-1'),
    );
  });
});

describe('POST /meetings accepts', () => {
  it('a name alone: no create field is set (Chime picks the region)', () => {
    expect(create({})).toStrictEqual({ externalMeetingId: 'standup', create: {} });
  });

  it('every create field at its bound, and passes each on as given', () => {
    const fields = {
      MediaRegion: 'us-gov-west-1',
      MeetingFeatures: {
        Audio: { EchoReduction: 'AVAILABLE' },
        Video: { MaxResolution: 'FHD' },
        Content: { MaxResolution: 'UHD' },
        Attendee: { MaxCount: HIGH_RESOLUTION_ATTENDEE_MAX },
      },
      TenantIds: tenants(tenantLimits.max),
      PrimaryMeetingId: 'p'.repeat(64),
      MediaPlacementNetworkType: 'DualStack',
      Tags: [...tagList(tagLimits.max - 1), { Key: 'empty', Value: '' }],
    };
    expect(create(fields)).toStrictEqual({ externalMeetingId: 'standup', create: fields });
  });

  it.each([attendeeMaxCount.min, attendeeMaxCount.max])('a MaxCount of %i without high resolution', (maxCount) => {
    expect(
      create({ MeetingFeatures: { Video: { MaxResolution: 'HD' }, Attendee: { MaxCount: maxCount } } }),
    ).toStrictEqual({
      externalMeetingId: 'standup',
      create: { MeetingFeatures: { Video: { MaxResolution: 'HD' }, Attendee: { MaxCount: maxCount } } },
    });
  });

  it('the fewest TenantIds and no Tags', () => {
    expect(create({ TenantIds: tenants(tenantLimits.min), Tags: [] })).toStrictEqual({
      externalMeetingId: 'standup',
      create: { TenantIds: tenants(tenantLimits.min), Tags: [] },
    });
  });

  it('a MediaRegion among the configured regions', () => {
    expect(create({ MediaRegion: 'eu-west-1' }, ['us-east-1', 'eu-west-1'])).toStrictEqual({
      externalMeetingId: 'standup',
      create: { MediaRegion: 'eu-west-1' },
    });
  });
});

describe('POST /join', () => {
  const join = (body: Record<string, unknown>, overrides: Partial<JoinRequest> = {}) =>
    validateJoinMeeting(withBody(body, overrides), []);

  it('refuses a body without ExternalMeetingId', () => {
    expect(refusal(() => join({ ExternalUserId: 'alice' }))).toEqual(badRequest('ExternalMeetingId is required'));
  });

  it('refuses any query parameter', () => {
    const body = { ExternalMeetingId: 'standup', ExternalUserId: 'alice' };
    expect(refusal(() => join(body, { queryStringParameters: { x: '1' } }))).toEqual(
      badRequest('query parameter x is not supported (this route takes none)'),
    );
  });

  it("refuses an unknown field, naming the attendee's, the name and the create fields", () => {
    expect(refusal(() => join({ ExternalMeetingId: 'standup', ExternalUserId: 'alice', Foo: 1 }))).toEqual(
      badRequest(
        `Foo is not a known field (expected ExternalUserId, Capabilities, Tags, ExternalMeetingId, ${CREATE_FIELDS})`,
      ),
    );
  });

  it.each(['Video', 'Content'] as const)(
    "refuses Capabilities above a %s MaxResolution of None in the meeting's features",
    (name) => {
      const body = {
        ExternalMeetingId: 'standup',
        ExternalUserId: 'alice',
        Capabilities: { ...full, [name]: 'Receive' },
        MeetingFeatures: { [name]: { MaxResolution: 'None' } },
      };
      expect(refusal(() => join(body))).toEqual(
        badRequest(`Capabilities.${name} must be None: the meeting's ${name} MaxResolution is None`),
      );
    },
  );

  it('accepts Capabilities of None for what the meeting turns off, and returns name, attendee and create fields', () => {
    const capabilities = { Audio: 'SendReceive', Video: 'None', Content: 'None' };
    const features = { Video: { MaxResolution: 'None' }, Content: { MaxResolution: 'None' } };
    expect(
      join({
        ExternalMeetingId: 'standup',
        ExternalUserId: 'alice',
        Capabilities: capabilities,
        Tags: [{ Key: 'seat', Value: '4' }],
        MeetingFeatures: features,
        MediaRegion: 'eu-west-1',
      }),
    ).toStrictEqual({
      externalMeetingId: 'standup',
      attendee: { externalUserId: 'alice', capabilities, tags: [{ Key: 'seat', Value: '4' }] },
      create: { MediaRegion: 'eu-west-1', MeetingFeatures: features },
    });
  });

  it('accepts a join without Capabilities into a meeting that turns Video and Content off', () => {
    const features = { Video: { MaxResolution: 'None' }, Content: { MaxResolution: 'None' } };
    expect(join({ ExternalMeetingId: 'standup', ExternalUserId: 'alice', MeetingFeatures: features })).toStrictEqual({
      externalMeetingId: 'standup',
      attendee: { externalUserId: 'alice', capabilities: undefined, tags: undefined },
      create: { MeetingFeatures: features },
    });
  });
});

describe('GET and DELETE /meetings/{MeetingId}', () => {
  it('accepts a GUID and returns it', () => {
    expect(validateMeetingRoute(request())).toStrictEqual({ meetingId: MEETING_ID });
  });

  it.each<[string, string | undefined, string]>([
    ['a MeetingId that is not a GUID', 'standup', 'MeetingId must be a GUID (8-4-4-4-12 hexadecimal digits)'],
    ['a missing MeetingId', undefined, 'MeetingId is required'],
  ])('refuses %s', (_name, meetingId, message) => {
    expect(refusal(() => validateMeetingRoute(request({ pathParameters: { MeetingId: meetingId } })))).toEqual(
      badRequest(message),
    );
  });

  it('refuses any query parameter', () => {
    expect(refusal(() => validateMeetingRoute(request({ queryStringParameters: { force: 'true' } })))).toEqual(
      badRequest('query parameter force is not supported (this route takes none)'),
    );
  });
});

describe('capabilitiesWithin', () => {
  it('admits any capabilities when the meeting states no features, or resolutions other than None', () => {
    expect(() => capabilitiesWithin(full, undefined, 'Capabilities')).not.toThrow();
    const features = { Video: { MaxResolution: 'HD' }, Content: { MaxResolution: 'FHD' } } as const;
    expect(() => capabilitiesWithin(full, features, 'Capabilities')).not.toThrow();
  });

  it('names the field it was given', () => {
    expect(
      refusal(() => capabilitiesWithin(full, { Content: { MaxResolution: 'None' } }, 'Attendees[2].Capabilities')),
    ).toEqual(
      badRequest("Attendees[2].Capabilities.Content must be None: the meeting's Content MaxResolution is None"),
    );
  });
});
