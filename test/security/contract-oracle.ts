/**
 * An independent reading of SERVICE.md "Validation" for the hostile-input tests, built only from the rules and
 * constants in lib/contract.ts (never from lambda/shared/validation.ts). The generators use it to be sure that a
 * "hostile" request really breaks a rule and that a "valid" one keeps them all, and the tests take the expected
 * status and the fields a message may name from it: the two properties together pin the validator to the contract.
 *
 * Readings where the contract is not explicit (kept out of both the hostile and the valid sets, as "ambiguous"):
 * - "characters" are Unicode code points (Smithy's length trait; a lone surrogate counts as one);
 * - `max-results` with leading zeros ("007"): whether that is "an integer 1 to 100" is not said;
 * - an empty `next-token`: "at most 4096 characters" admits it, but no token Chime issues is empty;
 * - two Tags with the same Key: the contract does not forbid it;
 * - a path parameter that becomes valid only after two or more rounds of percent-decoding: how many layers decode
 *   is the deployment's business. A path parameter counts as valid when its value decoded once is valid (API
 *   Gateway REST APIs hand path parameters over still percent-encoded) and as invalid only when it is invalid
 *   however many times it is decoded.
 * - `ExternalUserId` is required in a body (the default, IAM authorization mode, supplies no caller identity).
 */
import { isUtf8 } from 'node:buffer';
import {
  BATCH_MAX_ITEMS,
  BATCH_MIN_ITEMS,
  CAPABILITY_NAMES,
  EXTERNAL_USER_ID_MAX_LENGTH,
  EXCLUDED_ATTENDEE_IDS_MAX_ITEMS,
  EXCLUDED_ATTENDEE_IDS_MIN_ITEMS,
  EXTERNAL_MEETING_ID_MAX_LENGTH,
  EXTERNAL_MEETING_ID_MIN_LENGTH,
  EXTERNAL_USER_ID_MIN_LENGTH,
  EXTERNAL_USER_ID_PATTERN,
  GUID_PATTERN,
  MAX_BODY_BYTES,
  MAX_RESULTS_MAX,
  MAX_RESULTS_MIN,
  MEDIA_CAPABILITIES,
  MEDIA_PLACEMENT_NETWORK_TYPES,
  MEDIA_REGIONS,
  NEXT_TOKEN_MAX_LENGTH,
  TAG_KEY_MAX_LENGTH,
  TAG_KEY_MIN_LENGTH,
  TAG_VALUE_MAX_LENGTH,
  TAG_VALUE_MIN_LENGTH,
  TAGS_MAX_ITEMS,
} from '../../lib/contract';
import {
  JoinServiceOperation,
  OPERATION_TABLE,
  type OperationDefinition,
  pathParameterNames,
} from '../../lib/operations';

/**
 * One short key per HTTP route of the operation table. The map below must name every row of OPERATION_TABLE:
 * a new route without a key makes this module throw, so both hostile suites fail until the route is covered.
 */
const OPERATION_OF = {
  create: JoinServiceOperation.CREATE_ATTENDEE,
  batch: JoinServiceOperation.BATCH_CREATE_ATTENDEE,
  list: JoinServiceOperation.LIST_ATTENDEES,
  listUser: JoinServiceOperation.LIST_USER_ATTENDEES,
  delete: JoinServiceOperation.DELETE_ATTENDEE,
  createMeeting: JoinServiceOperation.CREATE_MEETING,
  join: JoinServiceOperation.JOIN_MEETING,
  getMeeting: JoinServiceOperation.GET_MEETING,
  deleteMeeting: JoinServiceOperation.DELETE_MEETING,
  presence: JoinServiceOperation.GET_PRESENCE,
  updateCapabilities: JoinServiceOperation.UPDATE_ATTENDEE_CAPABILITIES,
  updateCapabilitiesExcept: JoinServiceOperation.UPDATE_CAPABILITIES_EXCEPT,
  deleteBan: JoinServiceOperation.DELETE_BAN,
} as const satisfies Record<string, JoinServiceOperation>;

export type RouteKey = keyof typeof OPERATION_OF;
export const ROUTE_KEYS = Object.keys(OPERATION_OF) as RouteKey[];

{
  const keyed = new Set<string>(Object.values(OPERATION_OF));
  const missing = OPERATION_TABLE.filter((row) => !keyed.has(row.operation)).map((row) => row.operation);
  if (missing.length > 0) {
    throw new Error(
      `contract-oracle: no RouteKey for ${missing.join(', ')}; add it to OPERATION_OF and teach the oracle and the arbitraries its rules`,
    );
  }
}

export const ROUTE: Record<RouteKey, OperationDefinition & { params: string[] }> = Object.fromEntries(
  ROUTE_KEYS.map((key) => {
    const route = OPERATION_TABLE.find((r) => r.operation === OPERATION_OF[key]);
    if (!route) throw new Error(`no route for ${key}`);
    return [key, { ...route, params: pathParameterNames(route.path) }];
  }),
) as Record<RouteKey, OperationDefinition & { params: string[] }>;

/** The routes that take a JSON body (from the table's `body` column). */
export const BODY_ROUTE_KEYS: readonly RouteKey[] = ROUTE_KEYS.filter((key) => ROUTE[key].body !== undefined);

/** A request as a client puts it on the wire (path parameters may hold percent-escapes). */
export interface WireRequest {
  readonly route: RouteKey;
  /** Path parameters as URL path segments; `null` or a missing name: API Gateway handed none over. */
  readonly path: Readonly<Record<string, string>> | null;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string | null;
  /** The body is base64 of the bytes sent (API Gateway's binary pass-through). */
  readonly base64?: boolean;
  /** The Content-Type header sent with a body; absent: `application/json`. `null`: no Content-Type header. */
  readonly contentType?: string | null;
}

export interface Violation {
  readonly rule: string;
  /** What an error message must name: a field path, a parameter name, or `body`. */
  readonly field: string;
  readonly status: 400 | 413 | 415;
}

export interface Verdict {
  readonly violations: Violation[];
  /** Readings the contract leaves open (see the header); a request with any is in neither set. */
  readonly ambiguous: string[];
}

// ---- Single rules ----

const GUID = new RegExp(GUID_PATTERN);
const EXTERNAL_USER_ID = new RegExp(EXTERNAL_USER_ID_PATTERN, 'u');
/** "it may not begin with `aws:` in any letter case" (ASCII case: the other letters are outside the pattern). */
const RESERVED_PREFIX = /^aws:/i;
/** SERVICE.md: Content may be SendReceive or Receive only when Video is SendReceive or Receive. */
const RECEIVING = ['SendReceive', 'Receive'];

/** "characters": code points, a lone surrogate counting as one. */
export function characters(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export const isGuid = (value: unknown): boolean => typeof value === 'string' && GUID.test(value);

export function externalUserIdProblems(value: unknown): string[] {
  if (typeof value !== 'string') return ['not a string'];
  const problems: string[] = [];
  const n = characters(value);
  if (n < EXTERNAL_USER_ID_MIN_LENGTH || n > EXTERNAL_USER_ID_MAX_LENGTH) problems.push('length');
  if (!EXTERNAL_USER_ID.test(value)) problems.push('pattern');
  if (RESERVED_PREFIX.test(value)) problems.push('aws: prefix');
  return problems;
}
export const isExternalUserId = (value: unknown): boolean => externalUserIdProblems(value).length === 0;

export const isMediaCapability = (value: unknown): boolean =>
  typeof value === 'string' && (MEDIA_CAPABILITIES as readonly string[]).includes(value);

export type Reading = 'valid' | 'invalid' | 'ambiguous';

export function maxResultsReading(value: string): Reading {
  if (!/^[0-9]+$/.test(value)) return 'invalid';
  const n = Number(value);
  const inRange = n >= MAX_RESULTS_MIN && n <= MAX_RESULTS_MAX;
  if (!inRange) return 'invalid';
  return /^0/.test(value) ? 'ambiguous' : 'valid';
}

export function nextTokenReading(value: string): Reading {
  const n = characters(value);
  if (n > NEXT_TOKEN_MAX_LENGTH) return 'invalid';
  return n === 0 ? 'ambiguous' : 'valid';
}

/** The value, then the value percent-decoded once, twice, three times (stopping when nothing changes). */
export function decodings(wire: string): string[] {
  const out = [wire];
  let current = wire;
  for (let i = 0; i < 3 && current.includes('%'); i++) {
    try {
      const next = decodeURIComponent(current);
      if (next === current) break;
      out.push(next);
      current = next;
    } catch {
      break; // a malformed escape stays as it is
    }
  }
  return out;
}

/** One round of percent-decoding, as the receiving side does (a malformed escape stays as it is). */
export function decodeOnce(wire: string): string {
  return decodings(wire)[1] ?? wire;
}

/**
 * Percent-encodes a value for a URL path segment or query component: everything but the unreserved characters
 * of RFC 3986. A lone surrogate is written as its three WTF-8 bytes, which no UTF-8 decoder accepts.
 */
export function wireEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    if (/^[A-Za-z0-9\-._~]$/.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    const bytes =
      cp >= 0xd800 && cp <= 0xdfff
        ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        : [...Buffer.from(ch, 'utf8')];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** A path parameter's reading: valid if valid decoded once; invalid only if invalid at every decoding depth. */
export function pathParameterReading(wire: string | undefined, isValid: (v: string) => boolean): Reading {
  if (wire === undefined) return 'invalid';
  if (isValid(decodeOnce(wire))) return 'valid';
  return decodings(wire).some(isValid) ? 'ambiguous' : 'invalid';
}

// ---- Whole requests ----

const fieldPath = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const own = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The part of an unknown name a message must show (long names may be cut short). */
const shownName = (name: string) => name.slice(0, 32);

export function bodyBytes(request: Pick<WireRequest, 'body' | 'base64'>): Buffer {
  if (request.body === null) return Buffer.alloc(0);
  return request.base64 ? Buffer.from(request.body, 'base64') : Buffer.from(request.body, 'utf8');
}

/** Every rule a request breaks, per SERVICE.md "Validation" and the error table. */
export function judge(request: WireRequest): Verdict {
  const violations: Violation[] = [];
  const ambiguous: string[] = [];
  const bad = (rule: string, field: string, status: 400 | 413 | 415 = 400) => violations.push({ rule, field, status });
  const route = ROUTE[request.route];

  for (const name of route.params) {
    const wire = request.path?.[name];
    const isValid = name === 'ExternalUserId' ? isExternalUserId : isGuid;
    const reading = pathParameterReading(wire, isValid);
    if (reading === 'invalid') bad(`path parameter ${name}`, name);
    if (reading === 'ambiguous') ambiguous.push(`${name} is valid only after more than one decoding`);
  }

  for (const [name, value] of Object.entries(request.query)) {
    if (!route.query.includes(name)) {
      bad('unknown query parameter', shownName(name) || 'query parameter');
      continue;
    }
    const reading =
      name === 'max-results' ? maxResultsReading(value) : name === 'ban' ? banReading(value) : nextTokenReading(value);
    if (reading === 'invalid') bad(name, name);
    if (reading === 'ambiguous') ambiguous.push(`${name}=${JSON.stringify(value.slice(0, 20))}`);
  }

  if (route.body !== undefined) {
    judgeBody(request, bad, ambiguous);
  } else if (request.body !== null && request.body !== '') {
    ambiguous.push('a body on a route that takes none');
  }
  return { violations, ambiguous };
}

type Bad = (rule: string, field: string, status?: 400 | 413 | 415) => void;

/**
 * SERVICE.md (Version 2): a body must be JSON, declared as `application/json` or `application/<name>+json`
 * (parameters allowed). The `+json` types are left ambiguous: the local adapter's browser guard admits only
 * `application/json`.
 */
export function contentTypeReading(contentType: string | null | undefined): Reading {
  if (contentType === undefined) return 'valid';
  const type = (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  if (type === 'application/json') return 'valid';
  if (/^application\/[^/\s]+\+json$/.test(type)) return 'ambiguous';
  return 'invalid';
}

export function banReading(value: string): Reading {
  return value === 'true' || value === 'false' ? 'valid' : 'invalid';
}

function judgeBody(request: WireRequest, bad: Bad, ambiguous: string[]): void {
  const bytes = bodyBytes(request);
  if (bytes.length > 0) {
    const reading = contentTypeReading(request.contentType);
    if (reading === 'invalid') return bad('body not declared as JSON', 'body', 415);
    if (reading === 'ambiguous') ambiguous.push(`Content-Type ${request.contentType}`);
  }
  if (bytes.length > MAX_BODY_BYTES) return bad('body over 64 KiB', 'body', 413);
  let body: unknown = {};
  if (bytes.length > 0) {
    if (request.base64 && !isUtf8(bytes)) return bad('body not UTF-8', 'body');
    try {
      // A body handed over as text is parsed as that text (API Gateway decoded it already).
      body = JSON.parse(request.base64 ? bytes.toString('utf8') : request.body!);
    } catch {
      return bad('body not JSON', 'body');
    }
  }
  if (!isObject(body)) return bad('body not a JSON object', 'body');

  switch (request.route) {
    case 'create':
      return judgeAttendee(body, '', bad, ambiguous);
    case 'batch':
      break;
    case 'createMeeting':
      return judgeMeetingBody(body, false, bad, ambiguous);
    case 'join':
      return judgeMeetingBody(body, true, bad, ambiguous);
    case 'updateCapabilities':
      for (const key of Object.keys(body)) if (key !== 'Capabilities') bad('unknown field', shownName(key));
      if (!own(body, 'Capabilities')) return bad('required', 'Capabilities');
      return judgeCapabilities(body.Capabilities, 'Capabilities', bad);
    case 'updateCapabilitiesExcept':
      return judgeExcept(body, bad);
    default:
      throw new Error(`contract-oracle: no body rules for ${request.route}`);
  }

  for (const key of Object.keys(body)) if (key !== 'Attendees') bad('unknown field', fieldPath('', shownName(key)));
  if (!own(body, 'Attendees')) return bad('required', 'Attendees');
  const items = body.Attendees;
  if (!Array.isArray(items)) return bad('not an array', 'Attendees');
  if (items.length < BATCH_MIN_ITEMS || items.length > BATCH_MAX_ITEMS) bad('item count', 'Attendees');
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const prefix = `Attendees[${i}]`;
    if (!isObject(item)) return bad('not an object', prefix);
    judgeAttendee(item, prefix, bad, ambiguous);
    const id = item.ExternalUserId;
    if (typeof id === 'string') {
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else {
        bad('duplicate ExternalUserId', `${prefix}.ExternalUserId`);
        bad('duplicate ExternalUserId', `Attendees[${first}].ExternalUserId`);
      }
    }
  });
}

const ATTENDEE_FIELDS = ['ExternalUserId', 'Capabilities', 'Tags'];
/** The create fields of POST /meetings and POST /join (SERVICE.md, Version 2). */
const CREATE_FIELDS = ['MediaRegion', 'MeetingFeatures', 'TenantIds', 'PrimaryMeetingId', 'MediaPlacementNetworkType'];
/** Create fields this oracle does not read (their ranges are Chime's model): a request holding one is ambiguous. */
const UNREAD_CREATE_FIELDS = ['MeetingFeatures', 'TenantIds', 'PrimaryMeetingId'];

/** POST /meetings (`join` false) and POST /join (`join` true, IAM mode: the body names the attendee). */
function judgeMeetingBody(body: Record<string, unknown>, join: boolean, bad: Bad, ambiguous: string[]): void {
  const allowed = join
    ? [...ATTENDEE_FIELDS, 'ExternalMeetingId', ...CREATE_FIELDS]
    : ['ExternalMeetingId', ...CREATE_FIELDS, 'Tags'];
  for (const key of Object.keys(body)) if (!allowed.includes(key)) bad('unknown field', shownName(key));
  if (!own(body, 'ExternalMeetingId')) bad('required', 'ExternalMeetingId');
  else for (const problem of externalMeetingIdProblems(body.ExternalMeetingId)) bad(problem, 'ExternalMeetingId');
  if (own(body, 'MediaRegion') && !(MEDIA_REGIONS as readonly unknown[]).includes(body.MediaRegion))
    ambiguous.push('MediaRegion outside the list (a deployment may restrict the regions further)');
  if (
    own(body, 'MediaPlacementNetworkType') &&
    !(MEDIA_PLACEMENT_NETWORK_TYPES as readonly unknown[]).includes(body.MediaPlacementNetworkType)
  )
    bad('not a network type', 'MediaPlacementNetworkType');
  for (const name of UNREAD_CREATE_FIELDS) if (own(body, name)) ambiguous.push(`${name} is not read by this oracle`);
  if (join) {
    const attendee = Object.fromEntries(
      Object.entries(body).filter(([k]) => allowed.includes(k) && ATTENDEE_FIELDS.includes(k)),
    );
    judgeAttendee(attendee, '', bad, ambiguous);
  } else if (own(body, 'Tags')) ambiguous.push("a meeting's Tags are not read by this oracle");
}

export function externalMeetingIdProblems(value: unknown): string[] {
  if (typeof value !== 'string') return ['not a string'];
  const problems: string[] = [];
  const n = characters(value);
  if (n < EXTERNAL_MEETING_ID_MIN_LENGTH || n > EXTERNAL_MEETING_ID_MAX_LENGTH) problems.push('length');
  if (!EXTERNAL_USER_ID.test(value)) problems.push('pattern');
  if (RESERVED_PREFIX.test(value)) problems.push('aws: prefix');
  return problems;
}

function judgeExcept(body: Record<string, unknown>, bad: Bad): void {
  for (const key of Object.keys(body))
    if (key !== 'Capabilities' && key !== 'ExcludedAttendeeIds') bad('unknown field', shownName(key));
  if (!own(body, 'Capabilities')) bad('required', 'Capabilities');
  else judgeCapabilities(body.Capabilities, 'Capabilities', bad);
  if (!own(body, 'ExcludedAttendeeIds')) return bad('required', 'ExcludedAttendeeIds');
  const items = body.ExcludedAttendeeIds;
  if (!Array.isArray(items)) return bad('not an array', 'ExcludedAttendeeIds');
  if (items.length < EXCLUDED_ATTENDEE_IDS_MIN_ITEMS || items.length > EXCLUDED_ATTENDEE_IDS_MAX_ITEMS)
    bad('item count', 'ExcludedAttendeeIds');
  items.forEach((item, i) => {
    const field = `ExcludedAttendeeIds[${i}]`;
    if (!isObject(item)) return bad('not an object', field);
    for (const key of Object.keys(item)) if (key !== 'AttendeeId') bad('unknown field', `${field}.${shownName(key)}`);
    if (!own(item, 'AttendeeId')) bad('required', `${field}.AttendeeId`);
    else if (!isGuid(item.AttendeeId)) bad('not a GUID', `${field}.AttendeeId`);
  });
}

function judgeCapabilities(caps: unknown, field: string, bad: Bad): void {
  if (!isObject(caps)) return bad('not an object', field);
  for (const key of Object.keys(caps)) {
    if (!(CAPABILITY_NAMES as readonly string[]).includes(key)) bad('unknown field', `${field}.${shownName(key)}`);
  }
  for (const name of CAPABILITY_NAMES) {
    if (!own(caps, name)) bad('required', `${field}.${name}`);
    else if (!isMediaCapability(caps[name])) bad('not a media capability', `${field}.${name}`);
  }
  if (RECEIVING.includes(caps.Content as string) && !RECEIVING.includes(caps.Video as string)) {
    bad('Content needs Video', `${field}.Content`);
  }
}

function judgeAttendee(obj: Record<string, unknown>, prefix: string, bad: Bad, ambiguous: string[]): void {
  for (const key of Object.keys(obj))
    if (!ATTENDEE_FIELDS.includes(key)) bad('unknown field', fieldPath(prefix, shownName(key)));

  const idField = fieldPath(prefix, 'ExternalUserId');
  if (!own(obj, 'ExternalUserId')) bad('required', idField);
  else for (const problem of externalUserIdProblems(obj.ExternalUserId)) bad(problem, idField);

  if (own(obj, 'Capabilities')) judgeCapabilities(obj.Capabilities, fieldPath(prefix, 'Capabilities'), bad);

  if (own(obj, 'Tags')) {
    const field = fieldPath(prefix, 'Tags');
    const tags = obj.Tags;
    if (!Array.isArray(tags)) return bad('not an array', field);
    if (tags.length > TAGS_MAX_ITEMS) bad('item count', field);
    const keys = new Set<unknown>();
    tags.forEach((tag, i) => {
      const tagField = `${field}[${i}]`;
      if (!isObject(tag)) return bad('not an object', tagField);
      for (const key of Object.keys(tag))
        if (key !== 'Key' && key !== 'Value') bad('unknown field', `${tagField}.${shownName(key)}`);
      const lengths: [string, number, number][] = [
        ['Key', TAG_KEY_MIN_LENGTH, TAG_KEY_MAX_LENGTH],
        ['Value', TAG_VALUE_MIN_LENGTH, TAG_VALUE_MAX_LENGTH],
      ];
      for (const [name, min, max] of lengths) {
        const value = tag[name];
        if (!own(tag, name)) bad('required', `${tagField}.${name}`);
        else if (typeof value !== 'string') bad('not a string', `${tagField}.${name}`);
        else if (characters(value) < min || characters(value) > max) bad('length', `${tagField}.${name}`);
      }
      if (keys.has(tag.Key)) ambiguous.push('two tags with one Key');
      keys.add(tag.Key);
    });
  }
}

/**
 * The status a hostile request must get. A broken path parameter or query parameter is found first (400); then a
 * body not declared as JSON (415); then a body over 64 KiB (413); else 400.
 */
export function expectedStatus(verdict: Verdict): 400 | 413 | 415 {
  if (
    verdict.violations.some((v) => v.status === 415) &&
    verdict.violations.every((v) => v.status !== 400 || v.field === 'body')
  )
    return 415;
  return verdict.violations.some((v) => v.status === 413) ? 413 : 400;
}

export const isHostile = (request: WireRequest): boolean => {
  const verdict = judge(request);
  return verdict.violations.length > 0 && verdict.ambiguous.length === 0;
};
export const isValidRequest = (request: WireRequest): boolean => {
  const verdict = judge(request);
  return verdict.violations.length === 0 && verdict.ambiguous.length === 0;
};

/** Every BMP character the ExternalUserId pattern admits (the pattern has no astral characters). */
export const EXTERNAL_USER_ID_CHARACTERS: readonly string[] = (() => {
  const chars: string[] = [];
  for (let cp = 0; cp <= 0xffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCharCode(cp);
    // Inside an id: a space is allowed there, never first or last.
    if (EXTERNAL_USER_ID.test(`a${ch}a`)) chars.push(ch);
  }
  return chars;
})();
