/**
 * The join service's data contract: the rules every handler validates with, the DynamoDB table's shape, and
 * the environment the construct hands its functions. It has no imports so that the Lambda bundles, the local
 * stand-ins and the construct can all read the same definition.
 *
 * This module is internal: it is not re-exported from the package's index.
 */

/** GUIDs (MeetingId, AttendeeId), as the Chime SDK Meetings model describes them, anchored. */
export const GUID_PATTERN = '^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$';

/** ExternalUserId's characters other than whitespace (the seed rule; the service model does not carry it). */
const EXTERNAL_USER_ID_CHARACTER = '[-_&@+=,(){}\\[\\]\\/«».:|\'"#a-zA-Z0-9À-ÿ]';
/**
 * ExternalUserId (and ExternalMeetingId): the seed rule's characters with one deliberate change. Chime admits any
 * whitespace (`\s`); we admit only the plain space, and never first or last, so no two ids differ by an invisible
 * or look-alike character (NBSP, U+2000–U+200A, U+2028, U+3000, U+FEFF) or by a space at either end.
 */
export const EXTERNAL_USER_ID_PATTERN = `^${EXTERNAL_USER_ID_CHARACTER}(?:(?:${EXTERNAL_USER_ID_CHARACTER}| )*${EXTERNAL_USER_ID_CHARACTER})?$`;
export const EXTERNAL_USER_ID_MIN_LENGTH = 2;
export const EXTERNAL_USER_ID_MAX_LENGTH = 64;
/** Chime reserves this prefix, in any letter case. */
export const EXTERNAL_USER_ID_RESERVED_PREFIX = 'aws:';

export const MEDIA_CAPABILITIES = ['SendReceive', 'Send', 'Receive', 'None'] as const;
export const CAPABILITY_NAMES = ['Audio', 'Video', 'Content'] as const;

export const BATCH_MIN_ITEMS = 1;
export const BATCH_MAX_ITEMS = 250;
/** Chime's own limit on one BatchCreateAttendee call. */
export const CHIME_BATCH_CHUNK_SIZE = 100;
/** Chime's cap on attendees in one meeting. */
export const MAX_ATTENDEES_PER_MEETING = 250;

export const MAX_RESULTS_MIN = 1;
export const MAX_RESULTS_MAX = 100;
export const NEXT_TOKEN_MAX_LENGTH = 4096;

export const TAGS_MAX_ITEMS = 10;
export const TAG_KEY_MIN_LENGTH = 1;
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MIN_LENGTH = 1;
export const TAG_VALUE_MAX_LENGTH = 256;

/** Largest request body the handlers accept, in bytes (64 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The attendee table's key schema and attribute names: the construct's public data contract. */
export const ATTENDEE_TABLE = {
  partitionKey: 'ExternalUserId',
  sortKey: 'MeetingId',
  meetingIndexName: 'byMeeting',
  meetingIndexPartitionKey: 'MeetingId',
  meetingIndexSortKey: 'ExternalUserId',
  timeToLiveAttribute: 'ExpiresAt',
} as const;

/** Default lifetime of a mapping after the join, in seconds (24 hours). */
export const DEFAULT_ATTENDEE_TTL_SECONDS = 24 * 60 * 60;

/** Every function's memory. Lambda sizes the V8 heap from it (bench/run.ts starts its warm runs the same way). */
export const FUNCTION_MEMORY_MB = 512;

/** Environment variables the construct sets on the functions and the handlers read. */
export const ENV = {
  tableName: 'ATTENDEE_TABLE_NAME',
  meetingIndexName: 'ATTENDEE_TABLE_MEETING_INDEX',
  includeMeeting: 'INCLUDE_MEETING',
  attendeeTtlSeconds: 'ATTENDEE_TTL_SECONDS',
  chimeRegion: 'CHIME_REGION',
  corsAllowOrigins: 'CORS_ALLOW_ORIGINS',
  /** `iam`, `cognito`, `custom` or `none`: how the handlers learn who the caller is (required). */
  authMode: 'AUTH_MODE',
  /** Cognito mode: the ID-token claim that is the caller's ExternalUserId. */
  authIdentityClaim: 'AUTH_IDENTITY_CLAIM',
  /** Cognito mode: the user pool group whose members are administrators. */
  authAdminGroup: 'AUTH_ADMIN_GROUP',
  /** The `Service` dimension of the metrics: which join service (construct) a record comes from. */
  metricsService: 'METRICS_SERVICE',
  /** The meeting table (version 2) and its byMeetingId index. */
  meetingTableName: 'MEETING_TABLE_NAME',
  meetingTableIndex: 'MEETING_TABLE_INDEX',
  /** `admins` or `users`: who may create a meeting (MEETING_CREATION_MODES). */
  meetingCreation: 'MEETING_CREATION',
  /** Comma-separated media regions meetings may be created in; empty: every region the model lists. */
  mediaRegions: 'MEDIA_REGIONS',
  /** The event bus the service republishes its own events on (unset: none). */
  eventBusName: 'EVENT_BUS_NAME',
  /** The sweep's bound: GetMeeting calls per run. */
  sweepMaxChecks: 'SWEEP_MAX_CHECKS',
} as const;

/** The `source` of the events the service republishes on the `eventBus`. */
export const SERVICE_EVENT_SOURCE = 'cdk-chime-join-service';

/** GetMeeting calls per sweep run, unless the construct says otherwise. */
export const DEFAULT_SWEEP_MAX_CHECKS = 100;

/** CloudWatch namespace of the metrics the handlers emit (Embedded Metric Format). */
export const METRICS_NAMESPACE = 'ChimeJoinService';

export const AUTH_MODES = ['iam', 'cognito', 'custom', 'none'] as const;
export const DEFAULT_IDENTITY_CLAIM = 'sub';
export const DEFAULT_ADMIN_GROUP = 'admins';

/* ----- Version 2: meetings ----- */

/** ExternalMeetingId: the model's length (ExternalMeetingId shape) and its documented character set and prefix. */
export const EXTERNAL_MEETING_ID_MIN_LENGTH = 2;
export const EXTERNAL_MEETING_ID_MAX_LENGTH = 64;

/** The media regions the model documents for CreateMeeting's MediaRegion, GovCloud included. */
export const MEDIA_REGIONS = [
  'af-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'us-gov-east-1',
  'us-gov-west-1',
] as const;

/** MeetingFeaturesConfiguration's enums and ranges (the model). */
export const ECHO_REDUCTION_VALUES = ['AVAILABLE', 'UNAVAILABLE'] as const;
export const VIDEO_RESOLUTIONS = ['None', 'HD', 'FHD'] as const;
export const CONTENT_RESOLUTIONS = ['None', 'FHD', 'UHD'] as const;
export const ATTENDEE_MAX_COUNT_MIN = 1;
export const ATTENDEE_MAX_COUNT_MAX = 250;
/** FHD video or UHD content needs Attendee.MaxCount, and at most this many (AttendeeFeatures' documentation). */
export const HIGH_RESOLUTION_MAX_ATTENDEES = 25;

/** TenantIds (TenantIdList, TenantId). */
export const TENANT_IDS_MIN_ITEMS = 1;
export const TENANT_IDS_MAX_ITEMS = 5;
export const TENANT_ID_MIN_LENGTH = 2;
export const TENANT_ID_MAX_LENGTH = 256;
export const TENANT_ID_PATTERN = '^(?!.*?(.)\\1{3})[-_!@#$a-zA-Z0-9]*$';

/** A meeting's Tags (TagList, TagKey, TagValue): sent to Chime with CreateMeeting. */
export const MEETING_TAGS_MAX_ITEMS = 50;
export const MEETING_TAG_KEY_PATTERN = '^[a-zA-Z+-=._:/]+$';
export const MEETING_TAG_VALUE_MAX_LENGTH = 256;
export const MEETING_TAG_VALUE_PATTERN = '^[\\s\\w+-=\\.:/@]*$';

/** PrimaryMeetingId (its own shape: 2 to 64 characters). */
export const PRIMARY_MEETING_ID_MIN_LENGTH = 2;
export const PRIMARY_MEETING_ID_MAX_LENGTH = 64;
export const MEDIA_PLACEMENT_NETWORK_TYPES = ['Ipv4Only', 'DualStack'] as const;

/** The meeting table's key schema and attribute names: the construct's public data contract. */
export const MEETING_TABLE = {
  partitionKey: 'ExternalMeetingId',
  meetingIndexName: 'byMeetingId',
  meetingIndexPartitionKey: 'MeetingId',
  timeToLiveAttribute: 'ExpiresAt',
} as const;

/** How long an ended meeting's record is kept, in seconds (its TTL): after that, its name starts again at generation 1. */
export const MEETING_RECORD_TTL_SECONDS = 48 * 60 * 60;

/** Who may create meetings (`meetingCreation`): administrators only, or any authenticated user. */
export const MEETING_CREATION_MODES = ['admins', 'users'] as const;
