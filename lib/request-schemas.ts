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

/** What a body schema depends on: whether a join must name its ExternalUserId (it need not when a token does). */
export interface RequestSchemaOptions {
  readonly bodyNamesUser: boolean;
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
};

/** The JSON schema of a request body. */
export function requestBodySchema(body: RequestBody, options: RequestSchemaOptions): apigateway.JsonSchema {
  return SCHEMAS[body](options);
}
