/**
 * The parts of the Chime SDK Meetings service model (2021-07-15, ../shared/chime-sdk-meetings/service-2.json)
 * that the local emulator enforces: input shapes with their lengths, patterns, enums and list sizes, the
 * operations' routes and modeled errors, and the error shapes' HTTP status codes.
 *
 * Values the join service shares with the model come from lib/contract.ts; the model's own patterns are
 * unanchored, so they are anchored here as the service would apply them.
 */
import {
  CAPABILITY_NAMES,
  CHIME_BATCH_CHUNK_SIZE,
  BATCH_MIN_ITEMS,
  EXTERNAL_USER_ID_MAX_LENGTH,
  EXTERNAL_USER_ID_MIN_LENGTH,
  EXTERNAL_USER_ID_PATTERN,
  EXTERNAL_USER_ID_RESERVED_PREFIX,
  GUID_PATTERN,
  MAX_ATTENDEES_PER_MEETING,
  MAX_RESULTS_MAX,
  MAX_RESULTS_MIN,
  MEDIA_CAPABILITIES,
  NEXT_TOKEN_MAX_LENGTH,
} from '../lib/contract';

/** The operations the emulator implements, named as in the model. */
export const CHIME_OPERATIONS = [
  'CreateMeeting',
  'GetMeeting',
  'DeleteMeeting',
  'CreateAttendee',
  'BatchCreateAttendee',
  'GetAttendee',
  'ListAttendees',
  'DeleteAttendee',
] as const;
export type ChimeOperation = (typeof CHIME_OPERATIONS)[number];

/** Error shapes of the model and their HTTP status codes. */
export const CHIME_ERROR_STATUS = {
  BadRequestException: 400,
  ConflictException: 409,
  ForbiddenException: 403,
  LimitExceededException: 400,
  NotFoundException: 404,
  ServiceFailureException: 500,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  UnauthorizedException: 401,
  UnprocessableEntityException: 422,
} as const;
export type ChimeErrorName = keyof typeof CHIME_ERROR_STATUS;

/** The errors each operation declares in the model; fault injection is limited to these. */
export const OPERATION_ERRORS: Record<ChimeOperation, readonly ChimeErrorName[]> = {
  CreateMeeting: [
    'BadRequestException',
    'ConflictException',
    'ForbiddenException',
    'UnauthorizedException',
    'ThrottlingException',
    'ServiceFailureException',
    'ServiceUnavailableException',
    'LimitExceededException',
  ],
  GetMeeting: [
    'NotFoundException',
    'BadRequestException',
    'ForbiddenException',
    'UnauthorizedException',
    'ServiceUnavailableException',
    'ServiceFailureException',
    'ThrottlingException',
  ],
  DeleteMeeting: [
    'BadRequestException',
    'ForbiddenException',
    'UnauthorizedException',
    'NotFoundException',
    'ServiceUnavailableException',
    'ServiceFailureException',
    'ThrottlingException',
  ],
  CreateAttendee: [
    'BadRequestException',
    'ForbiddenException',
    'NotFoundException',
    'UnauthorizedException',
    'UnprocessableEntityException',
    'LimitExceededException',
    'ServiceUnavailableException',
    'ServiceFailureException',
    'ThrottlingException',
  ],
  BatchCreateAttendee: [
    'BadRequestException',
    'ForbiddenException',
    'NotFoundException',
    'UnauthorizedException',
    'UnprocessableEntityException',
    'LimitExceededException',
    'ServiceUnavailableException',
    'ServiceFailureException',
    'ThrottlingException',
  ],
  GetAttendee: [
    'BadRequestException',
    'ForbiddenException',
    'NotFoundException',
    'UnauthorizedException',
    'ServiceUnavailableException',
    'ServiceFailureException',
    'ThrottlingException',
  ],
  ListAttendees: [
    'BadRequestException',
    'ForbiddenException',
    'NotFoundException',
    'UnauthorizedException',
    'ServiceUnavailableException',
    'ServiceFailureException',
    'ThrottlingException',
  ],
  DeleteAttendee: [
    'BadRequestException',
    'ForbiddenException',
    'NotFoundException',
    'UnauthorizedException',
    'ServiceUnavailableException',
    'ServiceFailureException',
    'ThrottlingException',
  ],
};

/**
 * The `Code` member the emulator puts in error bodies: the error name without "Exception", the form the join
 * service's own error table uses (`NotFound`, `Throttling`, ...).
 */
export function errorCode(name: ChimeErrorName): string {
  return name.replace(/Exception$/, '');
}

/** Regions where Chime SDK meetings can host media (the model only bounds the length; the service checks the list). */
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
  'il-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'us-gov-east-1',
  'us-gov-west-1',
] as const;

export type Shape =
  | {
      readonly type: 'string';
      readonly min?: number;
      readonly max?: number;
      readonly pattern?: RegExp;
      readonly enum?: readonly string[];
      readonly check?: (value: string) => string | undefined;
    }
  | { readonly type: 'integer'; readonly min?: number; readonly max?: number }
  | {
      readonly type: 'structure';
      readonly members: Readonly<Record<string, Shape>>;
      readonly required?: readonly string[];
    }
  | { readonly type: 'list'; readonly member: Shape; readonly min?: number; readonly max?: number };

/** Model patterns are unanchored; the emulator matches the whole value. */
function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

export const GUID: Shape = { type: 'string', pattern: new RegExp(GUID_PATTERN) };

export const EXTERNAL_USER_ID: Shape = {
  type: 'string',
  min: EXTERNAL_USER_ID_MIN_LENGTH,
  max: EXTERNAL_USER_ID_MAX_LENGTH,
  pattern: new RegExp(EXTERNAL_USER_ID_PATTERN, 'u'),
  check: (value) =>
    value.toLowerCase().startsWith(EXTERNAL_USER_ID_RESERVED_PREFIX)
      ? `Member must not begin with the reserved prefix '${EXTERNAL_USER_ID_RESERVED_PREFIX}'`
      : undefined,
};

const MEDIA_CAPABILITY: Shape = { type: 'string', enum: MEDIA_CAPABILITIES };

export const ATTENDEE_CAPABILITIES: Shape = {
  type: 'structure',
  members: Object.fromEntries(CAPABILITY_NAMES.map((name) => [name, MEDIA_CAPABILITY])),
  required: CAPABILITY_NAMES,
};

const CREATE_ATTENDEE_REQUEST_ITEM: Shape = {
  type: 'structure',
  members: { ExternalUserId: EXTERNAL_USER_ID, Capabilities: ATTENDEE_CAPABILITIES },
  required: ['ExternalUserId'],
};

/** Body of CreateAttendee (MeetingId travels in the path). */
export const CREATE_ATTENDEE_BODY: Shape = CREATE_ATTENDEE_REQUEST_ITEM;

/** Body of BatchCreateAttendee. */
export const BATCH_CREATE_ATTENDEE_BODY: Shape = {
  type: 'structure',
  members: {
    Attendees: {
      type: 'list',
      member: CREATE_ATTENDEE_REQUEST_ITEM,
      min: BATCH_MIN_ITEMS,
      max: CHIME_BATCH_CHUNK_SIZE,
    },
  },
  required: ['Attendees'],
};

const ARN: Shape = { type: 'string', min: 1, max: 1024, pattern: /^arn[/:\-_.a-zA-Z0-9]+$/ };

export const MEETING_FEATURES: Shape = {
  type: 'structure',
  members: {
    Audio: { type: 'structure', members: { EchoReduction: { type: 'string', enum: ['AVAILABLE', 'UNAVAILABLE'] } } },
    Video: { type: 'structure', members: { MaxResolution: { type: 'string', enum: ['None', 'HD', 'FHD'] } } },
    Content: { type: 'structure', members: { MaxResolution: { type: 'string', enum: ['None', 'FHD', 'UHD'] } } },
    Attendee: { type: 'structure', members: { MaxCount: { type: 'integer', min: 1, max: MAX_ATTENDEES_PER_MEETING } } },
  },
};

/** Body of CreateMeeting. */
export const CREATE_MEETING_BODY: Shape = {
  type: 'structure',
  members: {
    ClientRequestToken: { type: 'string', min: 2, max: 64, pattern: anchored('[-_a-zA-Z0-9]*') },
    MediaRegion: {
      type: 'string',
      min: 2,
      max: 64,
      check: (value) =>
        (MEDIA_REGIONS as readonly string[]).includes(value) ? undefined : 'Member must be a supported media region',
    },
    MeetingHostId: EXTERNAL_USER_ID,
    ExternalMeetingId: { type: 'string', min: 2, max: 64 },
    NotificationsConfiguration: {
      type: 'structure',
      members: { LambdaFunctionArn: ARN, SnsTopicArn: ARN, SqsQueueArn: ARN },
    },
    MeetingFeatures: MEETING_FEATURES,
    PrimaryMeetingId: { type: 'string', min: 2, max: 64 },
    TenantIds: {
      type: 'list',
      min: 1,
      max: 5,
      member: { type: 'string', min: 2, max: 256, pattern: /^(?!.*?(.)\1{3})[-_!@#$a-zA-Z0-9]*$/ },
    },
    Tags: {
      type: 'list',
      min: 0,
      max: 50,
      member: {
        type: 'structure',
        members: {
          Key: { type: 'string', min: 1, max: 128, pattern: /^[a-zA-Z+-=._:/]+$/ },
          Value: { type: 'string', min: 0, max: 256, pattern: anchored('[\\s\\w+-=\\.:/@]*') },
        },
        required: ['Key', 'Value'],
      },
    },
    MediaPlacementNetworkType: { type: 'string', enum: ['Ipv4Only', 'DualStack'] },
  },
  required: ['ClientRequestToken', 'MediaRegion', 'ExternalMeetingId'],
};

export const RESULT_MAX: Shape = { type: 'integer', min: MAX_RESULTS_MIN, max: MAX_RESULTS_MAX };
export const NEXT_TOKEN: Shape = { type: 'string', max: NEXT_TOKEN_MAX_LENGTH };

/**
 * Checks a value against a shape and returns one line per violation, in the style of AWS validation
 * messages. Values are never echoed, because several members (ExternalUserId, tokens) are sensitive.
 * Unknown structure members are ignored, as AWS services ignore them.
 */
export function validate(value: unknown, shape: Shape, path: string): string[] {
  const problems: string[] = [];
  visit(value, shape, path, problems);
  return problems;
}

function visit(value: unknown, shape: Shape, path: string, problems: string[]): void {
  const fail = (constraint: string) => problems.push(`Value at '${path}' failed to satisfy constraint: ${constraint}`);
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return void fail('Member must be a string');
      const length = [...value].length;
      if (shape.min !== undefined && length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && !shape.pattern.test(value))
        fail(`Member must satisfy regular expression pattern: ${shape.pattern.source}`);
      if (shape.enum && !shape.enum.includes(value))
        fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      const extra = shape.check?.(value);
      if (extra) fail(extra);
      return;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return void fail('Member must be an integer');
      if (shape.min !== undefined && value < shape.min)
        fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max)
        fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return void fail('Member must be a list');
      if (shape.min !== undefined && value.length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      value.forEach((item, index) => visit(item, shape.member, `${path}[${index}]`, problems));
      return;
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return void fail('Member must be a structure');
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) {
          problems.push(`Value at '${join(path, name)}' failed to satisfy constraint: Member must not be null`);
        }
      }
      for (const [name, member] of Object.entries(shape.members)) {
        if (record[name] !== undefined && record[name] !== null)
          visit(record[name], member, join(path, name), problems);
      }
      return;
    }
  }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Formats violations as one message, as AWS does ("2 validation errors detected: ...; ..."), listing at most 10. */
export function validationMessage(problems: readonly string[]): string {
  const count = problems.length;
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${problems.slice(0, 10).join('; ')}`;
}
