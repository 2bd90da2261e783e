/**
 * Every input rule of SERVICE.md "Validation", in one module that every handler uses. It runs before any AWS
 * call, so invalid input never reaches Chime or DynamoDB. Messages name the field and the rule, never the
 * value (values may be personal data and are echoed nowhere).
 *
 * Lengths are counted in Unicode code points, which is what "characters" means in the Chime model (Smithy's
 * length trait counts code points, not UTF-16 units). For ExternalUserId the two counts agree, because its
 * pattern admits only BMP characters; for tags and next-token an emoji counts as one character.
 */
import type { AttendeeCapabilities } from '@aws-sdk/client-chime-sdk-meetings';
import {
  BATCH_MAX_ITEMS,
  BATCH_MIN_ITEMS,
  CAPABILITY_NAMES,
  EXCLUDED_ATTENDEE_IDS_MAX_ITEMS,
  EXCLUDED_ATTENDEE_IDS_MIN_ITEMS,
  EXTERNAL_USER_ID_MAX_LENGTH,
  EXTERNAL_USER_ID_MIN_LENGTH,
  EXTERNAL_USER_ID_PATTERN,
  EXTERNAL_USER_ID_RESERVED_PREFIX,
  GUID_PATTERN,
  MAX_BODY_BYTES,
  MAX_RESULTS_MAX,
  MAX_RESULTS_MIN,
  MEDIA_CAPABILITIES,
  NEXT_TOKEN_MAX_LENGTH,
  TAG_KEY_MAX_LENGTH,
  TAG_KEY_MIN_LENGTH,
  TAG_VALUE_MAX_LENGTH,
  TAG_VALUE_MIN_LENGTH,
  TAGS_MAX_ITEMS,
} from '../../lib/contract';
import { badRequest, JoinServiceError } from './errors';
import type { CallerIdentity, JoinRequest } from './http';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** One attendee to create, as the caller asked for it. Tags stay in the table; Chime never sees them. */
export interface AttendeeInput {
  readonly externalUserId: string;
  readonly capabilities?: AttendeeCapabilities;
  readonly tags?: Tag[];
}

export interface CreateAttendeeInput {
  readonly meetingId: string;
  readonly attendee: AttendeeInput;
}
export interface BatchCreateAttendeeInput {
  readonly meetingId: string;
  readonly attendees: AttendeeInput[];
}
export interface ListAttendeesInput {
  readonly meetingId: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}
export interface DeleteAttendeeInput {
  readonly meetingId: string;
  readonly attendeeId: string;
  /** `?ban=true`: the user may not rejoin the meeting until readmitted. */
  readonly ban: boolean;
}
export interface UpdateAttendeeCapabilitiesInput {
  readonly meetingId: string;
  readonly attendeeId: string;
  readonly capabilities: AttendeeCapabilities;
}
export interface UpdateCapabilitiesExceptInput {
  readonly meetingId: string;
  readonly capabilities: AttendeeCapabilities;
  readonly excludedAttendeeIds: string[];
}

const GUID = new RegExp(GUID_PATTERN);
// Stryker disable next-line StringLiteral: the pattern admits only BMP characters, so without 'u' it matches alike
export const EXTERNAL_USER_ID = new RegExp(EXTERNAL_USER_ID_PATTERN, 'u');
const ATTENDEE_FIELDS = ['ExternalUserId', 'Capabilities', 'Tags'] as const;
const TAG_FIELDS = ['Key', 'Value'] as const;
/** Content may send or receive only if video at least receives (seed rule; Chime answers 400 otherwise). */
export const RECEIVING: ReadonlySet<unknown> = new Set(['SendReceive', 'Receive']);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function validateCreateAttendee(request: JoinRequest): CreateAttendeeInput {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  onlyQueryParameters(request, []);
  const body = jsonObjectBody(request);
  return { meetingId, attendee: attendeeInput(body, '', request.identity) };
}

export function validateBatchCreateAttendee(request: JoinRequest): BatchCreateAttendeeInput {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  onlyQueryParameters(request, []);
  const body = jsonObjectBody(request);
  onlyFields(body, ['Attendees'], '');
  const items = required(body.Attendees, 'Attendees');
  if (!Array.isArray(items)) throw badRequest('Attendees must be an array');
  if (items.length < BATCH_MIN_ITEMS || items.length > BATCH_MAX_ITEMS) {
    throw badRequest(`Attendees must have ${BATCH_MIN_ITEMS} to ${BATCH_MAX_ITEMS} items`);
  }
  const firstIndex = new Map<string, number>();
  const attendees = items.map((item, i) => {
    const field = `Attendees[${i}]`;
    // Batch creates attendees for others (an admin route): the caller's own identity never fills the id in.
    const attendee = attendeeInput(jsonObject(item, field), field);
    const first = firstIndex.get(attendee.externalUserId);
    if (first !== undefined) throw badRequest(`${field}.ExternalUserId duplicates Attendees[${first}].ExternalUserId`);
    firstIndex.set(attendee.externalUserId, i);
    return attendee;
  });
  return { meetingId, attendees };
}

export function validateListAttendees(request: JoinRequest): ListAttendeesInput {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  onlyQueryParameters(request, ['max-results', 'next-token']);
  const maxResults = request.queryStringParameters['max-results'];
  const nextToken = request.queryStringParameters['next-token'];
  return {
    meetingId,
    maxResults:
      maxResults === undefined ? undefined : integer(maxResults, 'max-results', MAX_RESULTS_MIN, MAX_RESULTS_MAX),
    // An empty token is never one Chime issued, so it is refused rather than guessed to mean "first page".
    nextToken: nextToken === undefined ? undefined : boundedString(nextToken, 'next-token', 1, NEXT_TOKEN_MAX_LENGTH),
  };
}

export function validateListUserAttendees(request: JoinRequest): { externalUserId: string } {
  const externalUserId = validExternalUserId(request.pathParameters.ExternalUserId, 'ExternalUserId');
  onlyQueryParameters(request, []);
  return { externalUserId };
}

export function validateDeleteAttendee(request: JoinRequest): DeleteAttendeeInput {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  const attendeeId = guid(request.pathParameters.AttendeeId, 'AttendeeId');
  onlyQueryParameters(request, ['ban']);
  const ban = request.queryStringParameters.ban;
  if (ban !== undefined && ban !== 'true' && ban !== 'false') throw badRequest('ban must be true or false');
  return { meetingId, attendeeId, ban: ban === 'true' };
}

/** `PUT /meetings/{MeetingId}/attendees/{AttendeeId}/capabilities`. */
export function validateUpdateAttendeeCapabilities(request: JoinRequest): UpdateAttendeeCapabilitiesInput {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  const attendeeId = guid(request.pathParameters.AttendeeId, 'AttendeeId');
  onlyQueryParameters(request, []);
  const body = jsonObjectBody(request);
  onlyFields(body, ['Capabilities'], '');
  return {
    meetingId,
    attendeeId,
    capabilities: capabilities(required(body.Capabilities, 'Capabilities'), 'Capabilities'),
  };
}

/** `PUT /meetings/{MeetingId}/attendees/capabilities`: every attendee's capabilities but the excluded ones'. */
export function validateUpdateCapabilitiesExcept(request: JoinRequest): UpdateCapabilitiesExceptInput {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  onlyQueryParameters(request, []);
  const body = jsonObjectBody(request);
  onlyFields(body, ['Capabilities', 'ExcludedAttendeeIds'], '');
  const caps = capabilities(required(body.Capabilities, 'Capabilities'), 'Capabilities');
  const items = required(body.ExcludedAttendeeIds, 'ExcludedAttendeeIds');
  if (!Array.isArray(items)) throw badRequest('ExcludedAttendeeIds must be an array');
  if (items.length < EXCLUDED_ATTENDEE_IDS_MIN_ITEMS || items.length > EXCLUDED_ATTENDEE_IDS_MAX_ITEMS) {
    throw badRequest(
      `ExcludedAttendeeIds must have ${EXCLUDED_ATTENDEE_IDS_MIN_ITEMS} to ${EXCLUDED_ATTENDEE_IDS_MAX_ITEMS} items`,
    );
  }
  const excludedAttendeeIds = items.map((item, i) => {
    const field = `ExcludedAttendeeIds[${i}]`;
    const obj = jsonObject(item, field);
    onlyFields(obj, ['AttendeeId'], field);
    return guid(obj.AttendeeId, `${field}.AttendeeId`);
  });
  return { meetingId, capabilities: caps, excludedAttendeeIds };
}

/** `DELETE /meetings/{MeetingId}/bans/{ExternalUserId}`. */
export function validateDeleteBan(request: JoinRequest): { meetingId: string; externalUserId: string } {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  const externalUserId = validExternalUserId(request.pathParameters.ExternalUserId, 'ExternalUserId');
  onlyQueryParameters(request, []);
  return { meetingId, externalUserId };
}

/**
 * The request body as a JSON object. An absent body is `{}`, so the caller learns which field is required.
 * The size is measured in bytes of the body as sent (after base64 decoding), before it is parsed.
 */
export function jsonObjectBody(request: JoinRequest): Record<string, unknown> {
  const { body, isBase64Encoded } = request;
  if (body === null || body === '') return {};
  // API Gateway validates a body against the route's model only for the content types the model is registered
  // for, and a cross-site form can post text/plain without a preflight: a body must say it is JSON.
  if (!isJsonMediaType(request.headers['content-type'])) {
    throw new JoinServiceError(
      415,
      'UnsupportedMediaType',
      'A request body must be JSON, sent with Content-Type: application/json',
    );
  }
  let text = body;
  if (isBase64Encoded) {
    const bytes = Buffer.from(body, 'base64');
    if (bytes.length > MAX_BODY_BYTES) throw payloadTooLarge();
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw badRequest('body must be UTF-8 encoded JSON');
    }
  } else if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw payloadTooLarge();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('body must be valid JSON');
  }
  return jsonObject(parsed, 'body');
}

/** `application/json`, or a JSON-based `application/<name>+json`, with any parameters (`; charset=utf-8`). */
function isJsonMediaType(contentType: string | undefined): boolean {
  // Stryker disable next-line StringLiteral: any stand-in for a missing header that is not a JSON type is refused alike
  const type = (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

const payloadTooLarge = () =>
  new JoinServiceError(413, 'PayloadTooLarge', `body must be at most ${MAX_BODY_BYTES} bytes`);

/**
 * One attendee's fields. With an identity, the id comes from the caller when the body omits it (the seam for
 * the token-based authorization modes) and a differing body value is refused; in IAM mode the identity has no
 * id, so the body must name it.
 */
export function attendeeInput(
  obj: Record<string, unknown>,
  path: string,
  identity?: CallerIdentity,
  otherFields: readonly string[] = [],
): AttendeeInput {
  onlyFields(obj, [...ATTENDEE_FIELDS, ...otherFields], path);
  const idField = fieldName(path, 'ExternalUserId');
  const own = identity?.externalUserId;
  const externalUserId = validExternalUserId(obj.ExternalUserId === undefined ? own : obj.ExternalUserId, idField);
  if (own !== undefined && externalUserId !== own) {
    throw new JoinServiceError(403, 'Forbidden', `${idField} must be the caller's own ExternalUserId`);
  }
  // Tags are data administrators read as trusted (a role, a seat): a user may not set their own.
  if (obj.Tags !== undefined && identity !== undefined && !identity.isAdmin) {
    throw new JoinServiceError(403, 'Forbidden', `${fieldName(path, 'Tags')} may be set by administrators only`);
  }
  return {
    externalUserId,
    capabilities:
      obj.Capabilities === undefined ? undefined : capabilities(obj.Capabilities, fieldName(path, 'Capabilities')),
    tags: obj.Tags === undefined ? undefined : tags(obj.Tags, fieldName(path, 'Tags')),
  };
}

export function validExternalUserId(value: unknown, field: string): string {
  return externalId(value, field, EXTERNAL_USER_ID_MIN_LENGTH, EXTERNAL_USER_ID_MAX_LENGTH);
}

/** An ExternalUserId or ExternalMeetingId: the same characters and reserved prefix, each its own lengths. */
export function externalId(value: unknown, field: string, minLength: number, maxLength: number): string {
  const id = boundedString(value, field, minLength, maxLength);
  if (!EXTERNAL_USER_ID.test(id)) {
    throw badRequest(
      `${field} may contain only letters (a-z, A-Z, À-ÿ), digits, -_&@+=,(){}[]/«».:|'"# and spaces, ` +
        'neither first nor last (no other whitespace)',
    );
  }
  const prefix = EXTERNAL_USER_ID_RESERVED_PREFIX;
  if (id.slice(0, prefix.length).toLowerCase() === prefix) {
    throw badRequest(`${field} must not begin with "${prefix}" in any letter case (reserved by AWS)`);
  }
  return id;
}

export function capabilities(value: unknown, field: string): AttendeeCapabilities {
  const obj = jsonObject(value, field);
  onlyFields(obj, CAPABILITY_NAMES, field);
  for (const name of CAPABILITY_NAMES) {
    const capability = required(obj[name], `${field}.${name}`);
    if (!(MEDIA_CAPABILITIES as readonly unknown[]).includes(capability)) {
      throw badRequest(`${field}.${name} must be one of ${MEDIA_CAPABILITIES.join(', ')}`);
    }
  }
  const result = obj as unknown as AttendeeCapabilities;
  if (RECEIVING.has(result.Content) && !RECEIVING.has(result.Video)) {
    throw badRequest(
      `${field}.Content may be SendReceive or Receive only when ${field}.Video is SendReceive or Receive`,
    );
  }
  return { Audio: result.Audio, Video: result.Video, Content: result.Content };
}

export function tags(value: unknown, field: string): Tag[] {
  if (!Array.isArray(value)) throw badRequest(`${field} must be an array`);
  if (value.length > TAGS_MAX_ITEMS) throw badRequest(`${field} must have at most ${TAGS_MAX_ITEMS} items`);
  const firstIndex = new Map<string, number>();
  return value.map((item, i) => {
    const tagField = `${field}[${i}]`;
    const obj = jsonObject(item, tagField);
    onlyFields(obj, TAG_FIELDS, tagField);
    const Key = boundedString(obj.Key, `${tagField}.Key`, TAG_KEY_MIN_LENGTH, TAG_KEY_MAX_LENGTH);
    const Value = boundedString(obj.Value, `${tagField}.Value`, TAG_VALUE_MIN_LENGTH, TAG_VALUE_MAX_LENGTH);
    const first = firstIndex.get(Key);
    if (first !== undefined) throw badRequest(`${tagField}.Key duplicates ${field}[${first}].Key`);
    firstIndex.set(Key, i);
    return { Key, Value };
  });
}

export function guid(value: unknown, field: string): string {
  if (typeof required(value, field) !== 'string' || !GUID.test(value as string)) {
    throw badRequest(`${field} must be a GUID (8-4-4-4-12 hexadecimal digits)`);
  }
  return value as string;
}

/** Decimal digits only: '5.5', '05x', '1e2', ' 5' and '' are refused rather than coerced. */
export function integer(value: string, field: string, min: number, max: number): number {
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw badRequest(`${field} must be an integer from ${min} to ${max}`);
  return n;
}

export function boundedString(value: unknown, field: string, min: number, max: number): string {
  if (typeof required(value, field) !== 'string') throw badRequest(`${field} must be a string`);
  const length = codePoints(value as string);
  if (length < min || length > max) throw badRequest(`${field} must be ${min} to ${max} characters`);
  return value as string;
}

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw badRequest(`${field} is required`);
  return value;
}

export function jsonObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(`${field} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** Unknown fields are refused, not ignored: a misspelt optional field must not silently change the outcome. */
export function onlyFields(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw badRequest(`${fieldName(path, truncate(key))} is not a known field (expected ${allowed.join(', ')})`);
    }
  }
}

export function onlyQueryParameters(request: JoinRequest, allowed: readonly string[]): void {
  for (const key of Object.keys(request.queryStringParameters)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length ? `expected ${allowed.join(', ')}` : 'this route takes none';
      throw badRequest(`query parameter ${truncate(key)} is not supported (${expected})`);
    }
  }
}

export const fieldName = (path: string, key: string) => (path ? `${path}.${key}` : key);
/**
 * Keeps an error message short when a caller sends a huge unknown name. Cut by code points, never inside a
 * surrogate pair: half a character in the body would make strict JSON decoders refuse the whole error.
 */
const truncate = (name: string) => {
  const chars = [...name];
  return chars.length > 64 ? `${chars.slice(0, 64).join('')}…` : name;
};
const codePoints = (s: string) => [...s].length;
