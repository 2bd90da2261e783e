import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import {
  CAPABILITY_NAMES,
  EXTERNAL_USER_ID_MAX_LENGTH,
  EXTERNAL_USER_ID_MIN_LENGTH,
  EXTERNAL_USER_ID_PATTERN,
  BATCH_MAX_ITEMS,
  BATCH_MIN_ITEMS,
  MEDIA_CAPABILITIES,
  TAG_KEY_MAX_LENGTH,
  TAG_KEY_MIN_LENGTH,
  TAG_VALUE_MAX_LENGTH,
  TAG_VALUE_MIN_LENGTH,
  TAGS_MAX_ITEMS,
  ATTENDEE_MAX_COUNT_MAX,
  ATTENDEE_MAX_COUNT_MIN,
  CONTENT_RESOLUTIONS,
  ECHO_REDUCTION_VALUES,
  EXTERNAL_MEETING_ID_MAX_LENGTH,
  EXTERNAL_MEETING_ID_MIN_LENGTH,
  MEDIA_PLACEMENT_NETWORK_TYPES,
  MEDIA_REGIONS,
  MEETING_TAG_KEY_PATTERN,
  MEETING_TAG_VALUE_MAX_LENGTH,
  MEETING_TAG_VALUE_PATTERN,
  MEETING_TAGS_MAX_ITEMS,
  PRIMARY_MEETING_ID_MAX_LENGTH,
  PRIMARY_MEETING_ID_MIN_LENGTH,
  TENANT_ID_MAX_LENGTH,
  TENANT_ID_MIN_LENGTH,
  TENANT_ID_PATTERN,
  TENANT_IDS_MAX_ITEMS,
  TENANT_IDS_MIN_ITEMS,
  VIDEO_RESOLUTIONS,
  EXCLUDED_ATTENDEE_IDS_MAX_ITEMS,
  EXCLUDED_ATTENDEE_IDS_MIN_ITEMS,
  GUID_PATTERN,
} from './contract';
import type { RequestBody } from './operations';

/*
 * JSON-schema models of the request bodies, built from the same constants the handlers validate with, so that
 * API Gateway turns malformed bodies away at the edge. The handlers still check every rule (and the rules a schema
 * cannot say, such as duplicate users in a batch); the edge is a first filter, not the authority.
 */

const { STRING, OBJECT, ARRAY } = apigateway.JsonSchemaType;

function externalUserId(): apigateway.JsonSchema {
  return {
    type: STRING,
    minLength: EXTERNAL_USER_ID_MIN_LENGTH,
    maxLength: EXTERNAL_USER_ID_MAX_LENGTH,
    pattern: EXTERNAL_USER_ID_PATTERN,
    // Chime reserves the `aws:` prefix in any letter case.
    not: { pattern: '^[aA][wW][sS]:' },
  };
}

function capabilities(): apigateway.JsonSchema {
  const properties: Record<string, apigateway.JsonSchema> = {};
  for (const name of CAPABILITY_NAMES) properties[name] = { type: STRING, enum: [...MEDIA_CAPABILITIES] };
  return { type: OBJECT, additionalProperties: false, required: [...CAPABILITY_NAMES], properties };
}

function tags(): apigateway.JsonSchema {
  return {
    type: ARRAY,
    maxItems: TAGS_MAX_ITEMS,
    items: {
      type: OBJECT,
      additionalProperties: false,
      required: ['Key', 'Value'],
      properties: {
        Key: { type: STRING, minLength: TAG_KEY_MIN_LENGTH, maxLength: TAG_KEY_MAX_LENGTH },
        Value: { type: STRING, minLength: TAG_VALUE_MIN_LENGTH, maxLength: TAG_VALUE_MAX_LENGTH },
      },
    },
  };
}

/** One attendee to create; `requireExternalUserId` is false when the authorizer supplies the caller's identity. */
function attendee(requireExternalUserId: boolean): apigateway.JsonSchema {
  return {
    type: OBJECT,
    additionalProperties: false,
    required: requireExternalUserId ? ['ExternalUserId'] : undefined,
    properties: { ExternalUserId: externalUserId(), Capabilities: capabilities(), Tags: tags() },
  };
}

function externalMeetingId(): apigateway.JsonSchema {
  return {
    ...externalUserId(),
    minLength: EXTERNAL_MEETING_ID_MIN_LENGTH,
    maxLength: EXTERNAL_MEETING_ID_MAX_LENGTH,
  };
}

/** The create fields of a meeting; `regions` is the media region allow-list (empty: the model's list). */
function createFields(regions: readonly string[]): Record<string, apigateway.JsonSchema> {
  const feature = (key: string, values: readonly string[]): apigateway.JsonSchema => ({
    type: OBJECT,
    additionalProperties: false,
    required: [key],
    properties: { [key]: { type: STRING, enum: [...values] } },
  });
  return {
    MediaRegion: { type: STRING, enum: [...(regions.length > 0 ? regions : MEDIA_REGIONS)] },
    MeetingFeatures: {
      type: OBJECT,
      additionalProperties: false,
      properties: {
        Audio: feature('EchoReduction', ECHO_REDUCTION_VALUES),
        Video: feature('MaxResolution', VIDEO_RESOLUTIONS),
        Content: feature('MaxResolution', CONTENT_RESOLUTIONS),
        Attendee: {
          type: OBJECT,
          additionalProperties: false,
          required: ['MaxCount'],
          properties: {
            MaxCount: {
              type: apigateway.JsonSchemaType.INTEGER,
              minimum: ATTENDEE_MAX_COUNT_MIN,
              maximum: ATTENDEE_MAX_COUNT_MAX,
            },
          },
        },
      },
    },
    TenantIds: {
      type: ARRAY,
      minItems: TENANT_IDS_MIN_ITEMS,
      maxItems: TENANT_IDS_MAX_ITEMS,
      items: {
        type: STRING,
        minLength: TENANT_ID_MIN_LENGTH,
        maxLength: TENANT_ID_MAX_LENGTH,
        pattern: TENANT_ID_PATTERN,
      },
    },
    PrimaryMeetingId: {
      type: STRING,
      minLength: PRIMARY_MEETING_ID_MIN_LENGTH,
      maxLength: PRIMARY_MEETING_ID_MAX_LENGTH,
    },
    MediaPlacementNetworkType: { type: STRING, enum: [...MEDIA_PLACEMENT_NETWORK_TYPES] },
  };
}

/** What a body schema depends on: whether a join must name its ExternalUserId (it need not when a token does). */
export interface RequestSchemaOptions {
  readonly bodyNamesUser: boolean;
  /** The media region allow-list (`mediaRegions`); empty: every region the model lists. */
  readonly mediaRegions: readonly string[];
}

/** One JSON schema per request body of the operation table; a new body name without a schema fails to compile. */
const SCHEMAS: Record<RequestBody, (options: RequestSchemaOptions) => apigateway.JsonSchema> = {
  CreateAttendeeRequest: ({ bodyNamesUser }) => ({
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title: 'CreateAttendeeRequest',
    ...attendee(bodyNamesUser),
  }),
  BatchCreateAttendeeRequest: () => ({
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title: 'BatchCreateAttendeeRequest',
    type: OBJECT,
    additionalProperties: false,
    required: ['Attendees'],
    properties: {
      Attendees: { type: ARRAY, minItems: BATCH_MIN_ITEMS, maxItems: BATCH_MAX_ITEMS, items: attendee(true) },
    },
  }),
  CreateMeetingRequest: ({ mediaRegions }) => ({
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title: 'CreateMeetingRequest',
    type: OBJECT,
    additionalProperties: false,
    required: ['ExternalMeetingId'],
    properties: {
      ExternalMeetingId: externalMeetingId(),
      ...createFields(mediaRegions),
      Tags: {
        type: ARRAY,
        maxItems: MEETING_TAGS_MAX_ITEMS,
        items: {
          type: OBJECT,
          additionalProperties: false,
          required: ['Key', 'Value'],
          properties: {
            Key: {
              type: STRING,
              minLength: TAG_KEY_MIN_LENGTH,
              maxLength: TAG_KEY_MAX_LENGTH,
              pattern: MEETING_TAG_KEY_PATTERN,
            },
            Value: { type: STRING, maxLength: MEETING_TAG_VALUE_MAX_LENGTH, pattern: MEETING_TAG_VALUE_PATTERN },
          },
        },
      },
    },
  }),
  JoinMeetingRequest: ({ bodyNamesUser, mediaRegions }) => {
    const joining = attendee(bodyNamesUser);
    return {
      schema: apigateway.JsonSchemaVersion.DRAFT4,
      title: 'JoinMeetingRequest',
      type: OBJECT,
      additionalProperties: false,
      required: ['ExternalMeetingId', ...(joining.required ?? [])],
      properties: { ExternalMeetingId: externalMeetingId(), ...joining.properties, ...createFields(mediaRegions) },
    };
  },
  UpdateAttendeeCapabilitiesRequest: () => ({
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title: 'UpdateAttendeeCapabilitiesRequest',
    type: OBJECT,
    additionalProperties: false,
    required: ['Capabilities'],
    properties: { Capabilities: capabilities() },
  }),
  UpdateCapabilitiesExceptRequest: () => ({
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title: 'UpdateCapabilitiesExceptRequest',
    type: OBJECT,
    additionalProperties: false,
    required: ['Capabilities', 'ExcludedAttendeeIds'],
    properties: {
      Capabilities: capabilities(),
      ExcludedAttendeeIds: {
        type: ARRAY,
        minItems: EXCLUDED_ATTENDEE_IDS_MIN_ITEMS,
        maxItems: EXCLUDED_ATTENDEE_IDS_MAX_ITEMS,
        items: {
          type: OBJECT,
          additionalProperties: false,
          required: ['AttendeeId'],
          properties: { AttendeeId: { type: STRING, pattern: GUID_PATTERN } },
        },
      },
    },
  }),
};

/** The JSON schema of a request body. */
export function requestBodySchema(body: RequestBody, options: RequestSchemaOptions): apigateway.JsonSchema {
  return SCHEMAS[body](options);
}
