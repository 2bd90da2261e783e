/**
 * Every limit the emulator enforces, each read from the Chime model (its shapes, or what its documentation
 * states) or, where the model carries nothing, stated here with the seed rule it comes from (SERVICE.md, "Chime
 * behaviours to rely on" and "Validation"). Nothing here comes from the join service's contract: the drift test
 * (test/emulator/validation-drift.test.ts) compares the two.
 */
import { bounds, documentedCodes, documentedPattern, modelMember, modelShape } from './model';

/**
 * Values of ExternalUserId and ExternalMeetingId may not begin with this prefix. The model's documentation says so
 * for both members ("Values that begin with aws: are reserved"), case-insensitively for ExternalMeetingId; the
 * seed rule (SERVICE.md "Validation") says in any letter case for ExternalUserId too.
 */
export const RESERVED_PREFIX = 'aws:';

/**
 * The attendee cap of a meeting with FHD video or UHD content: the model's AttendeeFeatures documentation says the
 * maximum "changes from the default of 250 to 25", and VideoFeatures/ContentFeatures say such a meeting must
 * provide MeetingFeatures.Attendee.MaxCount.
 */
export const HIGH_RESOLUTION_ATTENDEE_MAX = 25;

/** Meetings end on their own this long after they were created (chime-meeting-events.md: 24 hours). */
export const DEFAULT_MAX_MEETING_DURATION_MS = 24 * 60 * 60 * 1000;

function enumOf(shapeName: string): readonly string[] {
  const values = modelShape(shapeName).enum;
  if (!values) throw new Error(`the Chime model's ${shapeName} is not an enum`);
  return values;
}

function patternOf(shapeName: string): string {
  const pattern = modelShape(shapeName).pattern;
  if (pattern === undefined) throw new Error(`the Chime model's ${shapeName} has no pattern`);
  return pattern;
}

/** The media regions CreateMeeting's documentation lists (the shape bounds only the length). */
function documentedRegions(): readonly string[] {
  const regions = documentedCodes(modelMember('CreateMeetingRequest', 'MediaRegion').documentation).filter((code) =>
    /^[a-z]{2}(?:-[a-z]+)+-\d$/.test(code),
  );
  if (regions.length === 0) throw new Error('the Chime model documents no media regions');
  return regions;
}

/** Chime's limits, as the emulator applies them. Patterns are the model's text, unanchored. */
export const CHIME_LIMITS = {
  /** GuidString: MeetingId, AttendeeId. */
  guidPattern: patternOf('GuidString'),
  externalUserId: {
    ...bounds('ExternalUserId'),
    /** Documented on CreateAttendeeRequest.ExternalUserId (the shape carries no pattern trait). */
    pattern: documentedPattern('CreateAttendeeRequest', 'ExternalUserId'),
    reservedPrefix: RESERVED_PREFIX,
  },
  externalMeetingId: {
    ...bounds('ExternalMeetingId'),
    /** Documented on CreateMeetingRequest.ExternalMeetingId. */
    pattern: documentedPattern('CreateMeetingRequest', 'ExternalMeetingId'),
    reservedPrefix: RESERVED_PREFIX,
  },
  clientRequestToken: { ...bounds('ClientRequestToken'), pattern: patternOf('ClientRequestToken') },
  /** MediaCapabilities: the values of Audio, Video and Content. */
  mediaCapabilities: enumOf('MediaCapabilities'),
  /** AttendeeCapabilities members, all required. */
  capabilityNames: Object.keys(modelShape('AttendeeCapabilities').members ?? {}),
  /** BatchCreateAttendee's Attendees (CreateAttendeeRequestItemList). */
  batchCreateAttendee: bounds('CreateAttendeeRequestItemList'),
  /** CreateMeetingWithAttendees' Attendees. */
  createMeetingWithAttendees: bounds('CreateMeetingWithAttendeesRequestItemList'),
  /** BatchUpdateAttendeeCapabilitiesExcept's ExcludedAttendeeIds (AttendeeIdsList). */
  excludedAttendeeIds: bounds('AttendeeIdsList'),
  /** ListAttendees max-results (ResultMax). */
  maxResults: bounds('ResultMax'),
  /** ListAttendees next-token (the model's String shape). */
  nextTokenMaxLength: bounds(modelMember('ListAttendeesRequest', 'NextToken').shape, { min: 0 }).max,
  /** MeetingFeatures.Attendee.MaxCount (AttendeeMax): its maximum is also the default cap (SERVICE.md: 250). */
  attendeeMaxCount: bounds('AttendeeMax'),
  attendeesPerMeeting: bounds('AttendeeMax').max,
  attendeesPerHighResolutionMeeting: HIGH_RESOLUTION_ATTENDEE_MAX,
  videoResolutions: enumOf('VideoResolution'),
  contentResolutions: enumOf('ContentResolution'),
  mediaPlacementNetworkTypes: enumOf('MediaPlacementNetworkType'),
  mediaRegions: documentedRegions(),
  tenantIds: { ...bounds('TenantIdList'), item: bounds('TenantId') },
  tags: { ...bounds('TagList'), key: bounds('TagKey'), value: bounds('TagValue') },
} as const;
