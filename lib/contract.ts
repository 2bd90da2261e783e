/**
 * The join service's data contract: the rules every handler validates with, the DynamoDB table's shape, and
 * the environment the construct hands its functions. It has no imports so that the Lambda bundles, the local
 * stand-ins and the construct can all read the same definition.
 *
 * This module is internal: it is not re-exported from the package's index.
 */

/** GUIDs (MeetingId, AttendeeId), as the Chime SDK Meetings model describes them, anchored. */
export const GUID_PATTERN = '^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$';

/** ExternalUserId character set (a seed rule the service model does not carry). */
export const EXTERNAL_USER_ID_PATTERN = '^[-_&@+=,(){}\\[\\]\\/«».:|\'"#a-zA-Z0-9À-ÿ\\s]*$';
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
} as const;

/** CloudWatch namespace of the metrics the handlers emit (Embedded Metric Format). */
export const METRICS_NAMESPACE = 'ChimeJoinService';

export const AUTH_MODES = ['iam', 'cognito', 'custom', 'none'] as const;
export const DEFAULT_IDENTITY_CLAIM = 'sub';
export const DEFAULT_ADMIN_GROUP = 'admins';
