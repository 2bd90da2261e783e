/**
 * The rules of version 2's meeting routes (README, "Meetings"), before any AWS call: ExternalMeetingId, the create
 * fields (MediaRegion, MeetingFeatures, TenantIds, Tags, PrimaryMeetingId, MediaPlacementNetworkType) with the
 * model's ranges and the documented feature rules, and a join's capabilities against the meeting's features.
 */
import type { AttendeeCapabilities, MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import {
  ATTENDEE_MAX_COUNT_MAX,
  ATTENDEE_MAX_COUNT_MIN,
  CONTENT_RESOLUTIONS,
  ECHO_REDUCTION_VALUES,
  EXTERNAL_MEETING_ID_MAX_LENGTH,
  EXTERNAL_MEETING_ID_MIN_LENGTH,
  HIGH_RESOLUTION_MAX_ATTENDEES,
  MEDIA_PLACEMENT_NETWORK_TYPES,
  MEDIA_REGIONS,
  MEETING_TAG_KEY_PATTERN,
  MEETING_TAG_VALUE_MAX_LENGTH,
  MEETING_TAG_VALUE_PATTERN,
  MEETING_TAGS_MAX_ITEMS,
  PRIMARY_MEETING_ID_MAX_LENGTH,
  PRIMARY_MEETING_ID_MIN_LENGTH,
  TAG_KEY_MAX_LENGTH,
  TAG_KEY_MIN_LENGTH,
  TENANT_ID_MAX_LENGTH,
  TENANT_ID_MIN_LENGTH,
  TENANT_ID_PATTERN,
  TENANT_IDS_MAX_ITEMS,
  TENANT_IDS_MIN_ITEMS,
  VIDEO_RESOLUTIONS,
} from '../../lib/contract';
import { badRequest } from './errors';
import type { MeetingRequest } from './meeting-store';
import type { JoinRequest } from './types';
import {
  type AttendeeInput,
  attendeeInput,
  boundedString,
  externalId,
  guid,
  jsonObject,
  jsonObjectBody,
  onlyFields,
  onlyQueryParameters,
  required,
} from './validation';

/** The create fields, as a request gave them: MediaRegion may be absent (the service then picks one). */
export type MeetingCreateFields = Omit<MeetingRequest, 'MediaRegion'> & { readonly MediaRegion?: string };

export interface CreateMeetingInput {
  readonly externalMeetingId: string;
  readonly create: MeetingCreateFields;
}

export interface JoinMeetingInput extends CreateMeetingInput {
  readonly attendee: AttendeeInput;
}

const CREATE_FIELDS = [
  'MediaRegion',
  'MeetingFeatures',
  'TenantIds',
  'PrimaryMeetingId',
  'MediaPlacementNetworkType',
] as const;
const TENANT_ID = new RegExp(TENANT_ID_PATTERN);
const TAG_KEY = new RegExp(MEETING_TAG_KEY_PATTERN);
const TAG_VALUE = new RegExp(MEETING_TAG_VALUE_PATTERN);

/** `POST /meetings`: the name and the create fields, the meeting's Tags among them. */
export function validateCreateMeeting(request: JoinRequest, allowedRegions: readonly string[]): CreateMeetingInput {
  onlyQueryParameters(request, []);
  const body = jsonObjectBody(request);
  onlyFields(body, ['ExternalMeetingId', ...CREATE_FIELDS, 'Tags'], '');
  return {
    externalMeetingId: externalMeetingId(body.ExternalMeetingId, 'ExternalMeetingId'),
    create: {
      ...createFields(body, allowedRegions),
      ...(body.Tags !== undefined && { Tags: meetingTags(body.Tags, 'Tags') }),
    },
  };
}

/**
 * `POST /join`: the name, the attendee's fields (as the single join: `Tags` are the attendee's), and the create
 * fields used when the join creates the meeting (a meeting's Tags are set with `POST /meetings`).
 */
export function validateJoinMeeting(request: JoinRequest, allowedRegions: readonly string[]): JoinMeetingInput {
  onlyQueryParameters(request, []);
  const body = jsonObjectBody(request);
  const name = externalMeetingId(body.ExternalMeetingId, 'ExternalMeetingId');
  const attendee = attendeeInput(body, '', request.identity, ['ExternalMeetingId', ...CREATE_FIELDS]);
  const create = createFields(body, allowedRegions);
  if (attendee.capabilities && create.MeetingFeatures) {
    capabilitiesWithin(attendee.capabilities, create.MeetingFeatures, 'Capabilities');
  }
  return { externalMeetingId: name, attendee, create };
}

/** `GET` and `DELETE /meetings/{MeetingId}`. */
export function validateMeetingRoute(request: JoinRequest): { meetingId: string } {
  const meetingId = guid(request.pathParameters.MeetingId, 'MeetingId');
  onlyQueryParameters(request, []);
  return { meetingId };
}

/**
 * A join's capabilities within the meeting's features (the model's documentation): a resolution of `None` admits
 * only `None` for that capability.
 */
export function capabilitiesWithin(
  capabilities: AttendeeCapabilities,
  features: MeetingFeaturesConfiguration | undefined,
  field: string,
): void {
  for (const [name, resolution] of [
    ['Video', features?.Video?.MaxResolution],
    ['Content', features?.Content?.MaxResolution],
  ] as const) {
    if (resolution === 'None' && capabilities[name] !== 'None') {
      throw badRequest(`${field}.${name} must be None: the meeting's ${name} MaxResolution is None`);
    }
  }
}

function externalMeetingId(value: unknown, field: string): string {
  // The model documents the same character set and reserved prefix as for ExternalUserId.
  return externalId(value, field, EXTERNAL_MEETING_ID_MIN_LENGTH, EXTERNAL_MEETING_ID_MAX_LENGTH);
}

function createFields(body: Record<string, unknown>, allowedRegions: readonly string[]): MeetingCreateFields {
  const regions: readonly string[] = allowedRegions.length > 0 ? allowedRegions : MEDIA_REGIONS;
  return {
    ...(body.MediaRegion !== undefined && { MediaRegion: oneOf(body.MediaRegion, 'MediaRegion', regions) }),
    ...(body.MeetingFeatures !== undefined && { MeetingFeatures: meetingFeatures(body.MeetingFeatures) }),
    ...(body.TenantIds !== undefined && { TenantIds: tenantIds(body.TenantIds) }),
    ...(body.PrimaryMeetingId !== undefined && {
      PrimaryMeetingId: boundedString(
        body.PrimaryMeetingId,
        'PrimaryMeetingId',
        PRIMARY_MEETING_ID_MIN_LENGTH,
        PRIMARY_MEETING_ID_MAX_LENGTH,
      ),
    }),
    ...(body.MediaPlacementNetworkType !== undefined && {
      MediaPlacementNetworkType: oneOf(
        body.MediaPlacementNetworkType,
        'MediaPlacementNetworkType',
        MEDIA_PLACEMENT_NETWORK_TYPES,
      ),
    }),
  };
}

function meetingFeatures(value: unknown): MeetingFeaturesConfiguration {
  const field = 'MeetingFeatures';
  const obj = jsonObject(value, field);
  onlyFields(obj, ['Audio', 'Video', 'Content', 'Attendee'], field);
  const member = (name: string, key: string, allowed: readonly string[]) => {
    const inner = jsonObject(obj[name], `${field}.${name}`);
    onlyFields(inner, [key], `${field}.${name}`);
    return { [key]: oneOf(required(inner[key], `${field}.${name}.${key}`), `${field}.${name}.${key}`, allowed) };
  };
  const features: MeetingFeaturesConfiguration = {
    ...(obj.Audio !== undefined && { Audio: member('Audio', 'EchoReduction', ECHO_REDUCTION_VALUES) }),
    ...(obj.Video !== undefined && { Video: member('Video', 'MaxResolution', VIDEO_RESOLUTIONS) }),
    ...(obj.Content !== undefined && { Content: member('Content', 'MaxResolution', CONTENT_RESOLUTIONS) }),
  } as MeetingFeaturesConfiguration;
  if (obj.Attendee !== undefined) {
    const attendee = jsonObject(obj.Attendee, `${field}.Attendee`);
    onlyFields(attendee, ['MaxCount'], `${field}.Attendee`);
    const maxCount = required(attendee.MaxCount, `${field}.Attendee.MaxCount`);
    if (!Number.isInteger(maxCount) || (maxCount as number) < ATTENDEE_MAX_COUNT_MIN) {
      throw badRequest(
        `${field}.Attendee.MaxCount must be an integer from ${ATTENDEE_MAX_COUNT_MIN} to ${ATTENDEE_MAX_COUNT_MAX}`,
      );
    }
    if ((maxCount as number) > ATTENDEE_MAX_COUNT_MAX) {
      throw badRequest(
        `${field}.Attendee.MaxCount must be an integer from ${ATTENDEE_MAX_COUNT_MIN} to ${ATTENDEE_MAX_COUNT_MAX}`,
      );
    }
    features.Attendee = { MaxCount: maxCount as number };
  }
  // FHD video or UHD content needs an explicit MaxCount of at most 25 (AttendeeFeatures' documentation).
  const high = features.Video?.MaxResolution === 'FHD' || features.Content?.MaxResolution === 'UHD';
  const maxCount = features.Attendee?.MaxCount;
  if (high && (maxCount === undefined || maxCount > HIGH_RESOLUTION_MAX_ATTENDEES)) {
    throw badRequest(
      `${field}.Attendee.MaxCount must be set, to at most ${HIGH_RESOLUTION_MAX_ATTENDEES}, for FHD video or UHD content`,
    );
  }
  return features;
}

function tenantIds(value: unknown): string[] {
  const field = 'TenantIds';
  if (!Array.isArray(value)) throw badRequest(`${field} must be an array`);
  if (value.length < TENANT_IDS_MIN_ITEMS || value.length > TENANT_IDS_MAX_ITEMS) {
    throw badRequest(`${field} must have ${TENANT_IDS_MIN_ITEMS} to ${TENANT_IDS_MAX_ITEMS} items`);
  }
  return value.map((item, i) => {
    const id = boundedString(item, `${field}[${i}]`, TENANT_ID_MIN_LENGTH, TENANT_ID_MAX_LENGTH);
    if (!TENANT_ID.test(id)) {
      throw badRequest(
        `${field}[${i}] may contain only letters, digits and -_!@#$, and no character four times in a row`,
      );
    }
    return id;
  });
}

function meetingTags(value: unknown, field: string): { Key: string; Value: string }[] {
  if (!Array.isArray(value)) throw badRequest(`${field} must be an array`);
  if (value.length > MEETING_TAGS_MAX_ITEMS)
    throw badRequest(`${field} must have at most ${MEETING_TAGS_MAX_ITEMS} items`);
  const seen = new Map<string, number>();
  return value.map((item, i) => {
    const tagField = `${field}[${i}]`;
    const obj = jsonObject(item, tagField);
    onlyFields(obj, ['Key', 'Value'], tagField);
    const Key = boundedString(obj.Key, `${tagField}.Key`, TAG_KEY_MIN_LENGTH, TAG_KEY_MAX_LENGTH);
    if (!TAG_KEY.test(Key)) throw badRequest(`${tagField}.Key may contain only letters and +-=._:/`);
    const Value = boundedString(obj.Value, `${tagField}.Value`, 0, MEETING_TAG_VALUE_MAX_LENGTH);
    if (!TAG_VALUE.test(Value))
      throw badRequest(`${tagField}.Value may contain only letters, digits, whitespace and _+-=.:/@`);
    const first = seen.get(Key);
    if (first !== undefined) throw badRequest(`${tagField}.Key duplicates ${field}[${first}].Key`);
    seen.set(Key, i);
    return { Key, Value };
  });
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  // Every allowed value is a string, so a value of any other type is not among them.
  if (!allowed.includes(value as T)) {
    throw badRequest(`${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
