/**
 * fast-check generators of join-service requests: valid ones for every route, and hostile ones by category, each
 * hostile one made invalid by construction and then confirmed invalid by the contract oracle (contract-oracle.ts),
 * never by the handlers' own validation code.
 */
import fc from 'fast-check';
import {
  BATCH_MAX_ITEMS,
  EXCLUDED_ATTENDEE_IDS_MAX_ITEMS,
  EXTERNAL_MEETING_ID_MAX_LENGTH,
  EXTERNAL_USER_ID_MAX_LENGTH,
  MAX_BODY_BYTES,
  MEDIA_CAPABILITIES,
  NEXT_TOKEN_MAX_LENGTH,
  TAG_KEY_MAX_LENGTH,
  TAG_VALUE_MAX_LENGTH,
  TAGS_MAX_ITEMS,
  GUID_PATTERN,
} from '../../lib/contract';
import {
  EXTERNAL_USER_ID_CHARACTERS,
  isExternalUserId,
  isHostile,
  isValidRequest,
  BODY_ROUTE_KEYS,
  ROUTE,
  ROUTE_KEYS,
  type RouteKey,
  type WireRequest,
  wireEncode,
} from './contract-oracle';

export type Category =
  | 'malformed-json'
  | 'non-object-json'
  | 'wrong-type'
  | 'oversize-body'
  | 'oversize-value'
  | 'unicode'
  | 'path-traversal'
  | 'guid-near-miss'
  | 'batch-duplicates'
  | 'aws-prefix'
  | 'capabilities'
  | 'unknown-fields'
  | 'max-results'
  | 'next-token'
  | 'missing-required'
  | 'tags'
  | 'content-type'
  | 'ban'
  | 'excluded-ids'
  | 'meeting-name';

export interface HostileCase extends WireRequest {
  readonly category: Category;
  /** What was done to a valid request, for failure reports. */
  readonly what: string;
}

/** Values a test can pin the valid parts of a request to (e.g. a live meeting, so a slip would change it). */
export interface Context {
  readonly meetingIds: readonly string[];
  readonly attendeeIds: readonly string[];
  readonly externalUserIds: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A valid request before serialization: logical path values, query, and the body as an object. */
interface Base {
  readonly route: RouteKey;
  readonly path: Record<string, string>;
  readonly query: Record<string, string>;
  readonly body?: JsonObject;
}

// ---- Characters ----

const ALNUM = EXTERNAL_USER_ID_CHARACTERS.filter((c) => /^[A-Za-z0-9]$/.test(c));
const SPACES = EXTERNAL_USER_ID_CHARACTERS.filter((c) => /^\s$/u.test(c));
const LATIN1 = EXTERNAL_USER_ID_CHARACTERS.filter((c) => c >= '\u00c0' && c <= '\u00ff');
const PUNCT = EXTERNAL_USER_ID_CHARACTERS.filter(
  (c) => !ALNUM.includes(c) && !SPACES.includes(c) && !LATIN1.includes(c),
);
/** Latin-1 letters that Unicode normalization (NFD) splits into a base letter and a combining mark. */
const DECOMPOSABLE = LATIN1.filter((c) => c.normalize('NFD') !== c);

const idUnit = fc.oneof(
  { arbitrary: fc.constantFrom(...ALNUM), weight: 8 },
  { arbitrary: fc.constantFrom(...PUNCT), weight: 2 },
  { arbitrary: fc.constantFrom(...LATIN1), weight: 2 },
  { arbitrary: fc.constantFrom(...SPACES), weight: 1 },
  // Whitespace JavaScript's \s admits and ExternalUserId does not: look-alike and invisible ids.
  { arbitrary: fc.constantFrom('\u00a0', '\u2000', '\u200a', '\u2028', '\u3000', '\ufeff', '\t'), weight: 1 },
);
const idString = (minLength: number, maxLength: number) => fc.string({ unit: idUnit, minLength, maxLength });

/** Text of the given length range in code points: ASCII, any code point (astral included), or emoji. */
const text = (minLength: number, maxLength: number) =>
  fc.oneof(
    { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength }), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', minLength, maxLength }), weight: 2 },
    {
      arbitrary: fc.string({
        unit: fc.constantFrom('😀', '🇺', '👍', '\u{10FFFD}', 'é', 'e\u0301'),
        minLength,
        maxLength,
      }),
      weight: 1,
    },
  );
/** Text of exactly `n` code points. */
const textOf = (n: number) => fc.constantFrom('x', '😀', 'é', '\u0000').map((unit) => unit.repeat(n));

const BAD_CODE_POINTS: Record<string, fc.Arbitrary<string>> = {
  loneSurrogate: fc.integer({ min: 0xd800, max: 0xdfff }).map((cp) => String.fromCharCode(cp)),
  combiningMark: fc
    .oneof(fc.integer({ min: 0x0300, max: 0x036f }), fc.integer({ min: 0x20d0, max: 0x20ff }), fc.constant(0x034f))
    .map((cp) => String.fromCodePoint(cp)),
  bidi: fc.constantFrom(
    '\u200e',
    '\u200f',
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u202e',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\u061c',
    'א',
    'ש',
    'ا',
    'ي',
  ),
  zeroWidth: fc.constantFrom('\u200b', '\u200c', '\u200d', '\u2060', '\u180e', '\u00ad'),
  control: fc
    .oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0x0e, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
    .map((cp) => String.fromCharCode(cp)),
  emoji: fc.oneof(
    fc.constantFrom('😀', '👩‍💻', '🇺🇳', '👍🏽', '❤️', '🏳️‍🌈', '\u{E0041}'),
    fc.integer({ min: 0x1f300, max: 0x1faff }).map((cp) => String.fromCodePoint(cp)),
  ),
  outsideSet: fc.constantFrom(
    '%',
    '\\',
    '<',
    '>',
    '*',
    '!',
    '$',
    '^',
    '`',
    '~',
    '?',
    ';',
    '¿',
    'Ā',
    '€',
    '™',
    '…',
    '‘',
    '’',
    '“',
    '”',
    '–',
    '—',
    '¡',
    '§',
  ),
  fullwidth: fc.integer({ min: 0xff01, max: 0xff5e }).map((cp) => String.fromCharCode(cp)),
  homoglyph: fc.constantFrom('а', 'е', 'о', 'р', 'с', 'ο', 'Α', 'ı', 'ſ', 'K'),
  nonCharacter: fc.constantFrom('\ufffe', '\uffff', '\ufffd', '\ue000', '\u{10FFFF}'),
};
const badCodePoint = fc.oneof(...Object.values(BAD_CODE_POINTS));

/** Inserts characters at positions (taken modulo the length, so any nat works). */
function insertAll(s: string, inserts: [number, string][]): string {
  let out = s;
  for (const [at, ch] of inserts) {
    const i = at % (out.length + 1);
    out = out.slice(0, i) + ch + out.slice(i);
  }
  return out;
}

// ---- Valid building blocks ----

export const guidArb = fc.stringMatching(new RegExp(GUID_PATTERN));
export const externalUserIdArb = fc
  .oneof(
    { arbitrary: idString(2, 12), weight: 6 },
    { arbitrary: idString(2, EXTERNAL_USER_ID_MAX_LENGTH), weight: 3 },
    { arbitrary: idString(EXTERNAL_USER_ID_MAX_LENGTH, EXTERNAL_USER_ID_MAX_LENGTH), weight: 1 },
  )
  .filter(isExternalUserId);
/** Ids that look like path traversal but are valid by the contract: `.` and `/` are in the pattern. */
/** ExternalMeetingId: the same characters and prefix rule as ExternalUserId, 2 to 64 characters. */
const meetingNameArb = externalUserIdArb;
const traversalLookingIdArb = fc.constantFrom(
  '../..',
  './.',
  '../../etc/passwd',
  '..',
  '/..',
  '.../...',
  'a/../b',
  '//',
  '..//..',
);

const media = fc.constantFrom(...MEDIA_CAPABILITIES);
const receives = (v: string) => v === 'SendReceive' || v === 'Receive';
export const capabilitiesArb = fc
  .record({ Audio: media, Video: media })
  .chain(({ Audio, Video }) =>
    fc
      .constantFrom(...(receives(Video) ? MEDIA_CAPABILITIES : (['Send', 'None'] as const)))
      .map((Content) => ({ Audio, Video, Content })),
  );
const tagArb = fc.record({ Key: text(1, TAG_KEY_MAX_LENGTH), Value: text(1, TAG_VALUE_MAX_LENGTH) });
const tagsArb = fc.uniqueArray(tagArb, { selector: (t) => t.Key, maxLength: TAGS_MAX_ITEMS });
const attendeeArb = fc.record(
  { ExternalUserId: externalUserIdArb, Capabilities: capabilitiesArb, Tags: tagsArb },
  { requiredKeys: ['ExternalUserId'] },
) as fc.Arbitrary<JsonObject>;
/** `n` attendees with short distinct ids (for item counts near and over the limits). */
const plainAttendees = (n: number, tag = 'u'): JsonObject[] =>
  Array.from({ length: n }, (_, i) => ({ ExternalUserId: `${tag}-${i}` }));
const attendeesArb = fc.oneof(
  {
    arbitrary: fc.uniqueArray(attendeeArb, { selector: (a) => a.ExternalUserId, minLength: 1, maxLength: 12 }),
    weight: 6,
  },
  { arbitrary: fc.integer({ min: 1, max: BATCH_MAX_ITEMS }).map((n) => plainAttendees(n)), weight: 2 },
  {
    arbitrary: fc
      .uniqueArray(externalUserIdArb, { minLength: 90, maxLength: 130 })
      .map((ids) => ids.map((ExternalUserId) => ({ ExternalUserId }))),
    weight: 1,
  },
);
const base64url = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
const nextTokenArb = fc.oneof(
  { arbitrary: fc.string({ unit: fc.constantFrom(...base64url), minLength: 1, maxLength: 200 }), weight: 4 },
  { arbitrary: text(1, 64), weight: 2 },
  { arbitrary: textOf(NEXT_TOKEN_MAX_LENGTH), weight: 1 },
);

const pick = <T>(ctxValues: readonly T[] | undefined, arb: fc.Arbitrary<T>) =>
  ctxValues && ctxValues.length > 0
    ? fc.oneof({ arbitrary: fc.constantFrom(...ctxValues), weight: 3 }, { arbitrary: arb, weight: 1 })
    : arb;

/** A valid request of the route (before serialization). */
function baseArb(route: RouteKey, ctx?: Context): fc.Arbitrary<Base> {
  const meetingId = pick(ctx?.meetingIds, guidArb);
  switch (route) {
    case 'create':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId }),
        query: fc.constant({}),
        body: attendeeArb,
      });
    case 'batch':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId }),
        query: fc.constant({}),
        body: attendeesArb.map((Attendees) => ({ Attendees })),
      });
    case 'list':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId }),
        query: fc.record(
          { 'max-results': fc.integer({ min: 1, max: 100 }).map(String), 'next-token': nextTokenArb },
          { requiredKeys: [] },
        ) as fc.Arbitrary<Record<string, string>>,
      });
    case 'listUser':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({
          ExternalUserId: pick(
            ctx?.externalUserIds,
            fc.oneof({ arbitrary: externalUserIdArb, weight: 5 }, { arbitrary: traversalLookingIdArb, weight: 1 }),
          ),
        }),
        query: fc.constant({}),
      });
    case 'delete':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId, AttendeeId: pick(ctx?.attendeeIds, guidArb) }),
        query: fc.record({ ban: fc.constantFrom('true', 'false') }, { requiredKeys: [] }) as fc.Arbitrary<
          Record<string, string>
        >,
      });
    case 'createMeeting':
      return fc.record({
        route: fc.constant(route),
        path: fc.constant({}),
        query: fc.constant({}),
        body: fc.record(
          { ExternalMeetingId: meetingNameArb, MediaPlacementNetworkType: fc.constantFrom('Ipv4Only', 'DualStack') },
          { requiredKeys: ['ExternalMeetingId'] },
        ),
      });
    case 'join':
      return fc.record({
        route: fc.constant(route),
        path: fc.constant({}),
        query: fc.constant({}),
        body: fc
          .tuple(meetingNameArb, attendeeArb)
          .map(([ExternalMeetingId, attendee]) => ({ ExternalMeetingId, ...attendee })),
      });
    case 'getMeeting':
    case 'deleteMeeting':
    case 'presence':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId }),
        query: fc.constant({}),
      });
    case 'updateCapabilities':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId, AttendeeId: pick(ctx?.attendeeIds, guidArb) }),
        query: fc.constant({}),
        body: capabilitiesArb.map((Capabilities) => ({ Capabilities })),
      });
    case 'updateCapabilitiesExcept':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId }),
        query: fc.constant({}),
        body: fc.record({
          Capabilities: capabilitiesArb,
          ExcludedAttendeeIds: fc
            .uniqueArray(pick(ctx?.attendeeIds, guidArb), { minLength: 1, maxLength: 5 })
            .map((ids) => ids.map((AttendeeId) => ({ AttendeeId }))),
        }),
      });
    case 'deleteBan':
      return fc.record({
        route: fc.constant(route),
        path: fc.record({ MeetingId: meetingId, ExternalUserId: pick(ctx?.externalUserIds, externalUserIdArb) }),
        query: fc.constant({}),
      });
  }
}

/** The routes (from the oracle's table-derived list) whose path has at least one parameter. */
const routesWithParams = ROUTE_KEYS.filter((key) => ROUTE[key].params.length > 0);
const routesWithGuidParams = ROUTE_KEYS.filter((key) => ROUTE[key].params.some((p) => p !== 'ExternalUserId'));
const routesWithUserParam = ROUTE_KEYS.filter((key) => ROUTE[key].params.includes('ExternalUserId'));
const guidParams = (route: RouteKey) => ROUTE[route].params.filter((p) => p !== 'ExternalUserId');

const encodePath = (path: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(path).map(([k, v]) => [k, wireEncode(v)]));

function toWire(base: Base, overrides: Partial<WireRequest> = {}): WireRequest {
  return {
    route: base.route,
    path: encodePath(base.path),
    query: base.query,
    body: base.body === undefined ? null : JSON.stringify(base.body),
    ...overrides,
  };
}

/**
 * Valid requests of a route: the other half of pinning the validator. Some are padded with whitespace to exactly
 * the 64 KiB limit, which must still be accepted.
 */
export function validRequestArb(route: RouteKey, ctx?: Context): fc.Arbitrary<WireRequest> {
  return fc
    .tuple(baseArb(route, ctx), fc.nat(20))
    .map(([base, roll]) => {
      const request = toWire(base);
      if (request.body !== null && roll === 0) {
        const pad = MAX_BODY_BYTES - Buffer.byteLength(request.body);
        if (pad > 0) return { ...request, body: request.body + ' '.repeat(pad) };
      }
      if (request.body !== null && roll === 1)
        return { ...request, body: Buffer.from(request.body).toString('base64'), base64: true };
      return request;
    })
    .filter(isValidRequest);
}

// ---- Body mutation helpers ----

type Path = (string | number)[];
const clone = <T>(value: T): T => structuredClone(value);

/** Sets a value at a path of a cloned body; `key` may be any string (defined as an own property). */
function setAt(body: JsonObject, path: Path, value: unknown): JsonObject {
  const copy = clone(body);
  let node: any = copy;
  for (const step of path.slice(0, -1)) node = node[step];
  Object.defineProperty(node, path[path.length - 1], { value, enumerable: true, configurable: true, writable: true });
  return copy;
}
function deleteAt(body: JsonObject, path: Path): JsonObject {
  const copy = clone(body);
  let node: any = copy;
  for (const step of path.slice(0, -1)) node = node[step];
  delete node[path[path.length - 1]];
  return copy;
}
const getAt = (body: JsonObject, path: Path): any => path.reduce((node: any, step) => node?.[step], body);

/** Where an attendee object sits in a body: the body itself (single join) or one batch item. */
interface Site {
  readonly path: Path;
  readonly prefix: string;
}
const siteArb = (base: Base): fc.Arbitrary<Site> => {
  if (base.route !== 'batch') return fc.constant({ path: [], prefix: '' });
  const n = (base.body!.Attendees as Json[]).length;
  return fc.nat(n - 1).map((i) => ({ path: ['Attendees', i], prefix: `Attendees[${i}]` }));
};
const join = (prefix: string, name: string | number) =>
  typeof name === 'number' ? `${prefix}[${name}]` : prefix ? `${prefix}.${name}` : name;

const VALID_CAPS = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' };
/** The body with Capabilities / a few Tags present at the site, so a mutation has something to break. */
function withCapabilities(body: JsonObject, site: Site): JsonObject {
  return getAt(body, [...site.path, 'Capabilities']) === undefined
    ? setAt(body, [...site.path, 'Capabilities'], VALID_CAPS)
    : body;
}
function withTags(body: JsonObject, site: Site): JsonObject {
  const tags = getAt(body, [...site.path, 'Tags']) as Json[] | undefined;
  return tags && tags.length > 1
    ? body
    : setAt(
        body,
        [...site.path, 'Tags'],
        [
          { Key: 'team', Value: 'blue' },
          { Key: 'role', Value: 'host' },
        ],
      );
}

const NON_STRING = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.integer({ min: 1, max: 800 }).map((depth) => nested(depth)),
);
const NON_OBJECT = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
);
const NON_ARRAY = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);
/** `[[[...]]]` nested `depth` deep. */
function nested(depth: number): Json {
  let value: Json = [];
  for (let i = 1; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

const bodyRoutes = BODY_ROUTE_KEYS;
type BodyRoute = RouteKey;
/** Routes whose body is (or holds) one attendee's fields, or a batch of them. */
const attendeeRoutes = ['create', 'batch', 'join'] as const;
/** Routes whose body holds Capabilities at the top level or per attendee. */
const capabilityRoutes = ['create', 'batch', 'join', 'updateCapabilities', 'updateCapabilitiesExcept'] as const;

// ---- Hostile generators, by category ----

const hostile = (
  category: Category,
  arb: fc.Arbitrary<{ request: WireRequest; what: string }>,
): fc.Arbitrary<HostileCase> => arb.map(({ request, what }) => ({ ...request, category, what })).filter(isHostile);

function malformedJson(route: BodyRoute, ctx?: Context): fc.Arbitrary<HostileCase> {
  const textMutation = fc.oneof(
    fc.nat().map((k) => ({ what: 'truncated', f: (t: string) => t.slice(0, 1 + (k % Math.max(1, t.length - 1))) })),
    fc.constant({ what: 'single quotes', f: (t: string) => t.replace(/"/g, "'") }),
    fc.constant({ what: 'trailing comma', f: (t: string) => t.replace(/}$/, ',}') }),
    fc.constant({ what: 'unquoted keys', f: (t: string) => t.replace(/"([A-Za-z]+)":/g, '$1:') }),
    fc
      .tuple(fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'x', '\u0000', '\u0007', "'", '\ud800'))
      .map(([k, ch]) => ({ what: `inserted ${JSON.stringify(ch)}`, f: (t: string) => insertAll(t, [[k, ch]]) })),
    fc.constantFrom('/* c */', '// c\n', '#c\n').map((c) => ({ what: 'comment', f: (t: string) => c + t })),
    fc
      .constantFrom(
        'NaN',
        'undefined',
        'Infinity',
        '-Infinity',
        '0x1F',
        "'x'",
        '01',
        '.5',
        '+1',
        '1.',
        'True',
        'None',
        'nil',
      )
      .map((v) => ({ what: `literal ${v}`, f: (t: string) => t.replace(/^\{/, `{"X":${v},`) })),
    fc.constant({ what: 'two documents', f: (t: string) => t + t }),
    fc.constantFrom('\u0001', '\u0000', '\n', '\t', '\u001f').map((c) => ({
      what: 'raw control character in a string',
      f: (t: string) => t.replace(/"([^"\\]*)"/, (_m, s) => `"${c}${s}"`),
    })),
    fc
      .constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\ufeff', '')
      .map((ws) => ({ what: 'whitespace only', f: () => ws + ' ' })),
    fc.constant({ what: 'unterminated string', f: (t: string) => t.replace(/"$/, '').replace(/}$/, '') + '"' }),
    fc.constant({ what: 'byte order mark', f: (t: string) => `\ufeff${t}` }),
  );
  const nonUtf8 = fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        [0xff],
        [0xfe],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xe2, 0x82],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0x80],
        [0xf4, 0x90, 0x80, 0x80],
      ),
    )
    .map(([k, bytes]) => ({
      what: `invalid UTF-8 ${bytes.map((b) => b.toString(16)).join(' ')}`,
      f: (t: string) => {
        const raw = Buffer.from(t, 'utf8');
        const at = k % (raw.length + 1);
        return Buffer.concat([raw.subarray(0, at), Buffer.from(bytes), raw.subarray(at)]).toString('base64');
      },
      base64: true,
    }));
  return hostile(
    'malformed-json',
    fc
      .tuple(baseArb(route, ctx), fc.oneof({ arbitrary: textMutation, weight: 6 }, { arbitrary: nonUtf8, weight: 1 }))
      .map(([base, m]) => ({
        request: toWire(base, { body: m.f(JSON.stringify(base.body)), base64: 'base64' in m }),
        what: m.what,
      })),
  );
}

function nonObjectJson(route: BodyRoute, ctx?: Context): fc.Arbitrary<HostileCase> {
  const values = fc.oneof(
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => JSON.stringify(v)),
    fc.constantFrom<Json>(null, true, false, 0, -1, '', 'null', '{}', [], [{}]).map((v) => JSON.stringify(v)),
    // Deeply nested arrays, written as text (JSON.stringify would overflow the stack).
    fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  );
  return hostile(
    'non-object-json',
    fc
      .tuple(
        baseArb(route, ctx),
        fc.oneof(
          values.map((text) => ({ text, wrap: false })),
          fc.constant({ text: '', wrap: true }),
        ),
      )
      .map(([base, { text, wrap }]) => ({
        request: toWire(base, { body: wrap ? JSON.stringify([base.body]) : text }),
        what: wrap ? 'the body inside an array' : `the JSON ${text.slice(0, 30)}`,
      })),
  );
}

function wrongType(route: BodyRoute, ctx?: Context): fc.Arbitrary<HostileCase> {
  return hostile(
    'wrong-type',
    baseArb(route, ctx).chain((base) =>
      fc
        .tuple(
          siteArb(base),
          fc.nat(10),
          NON_STRING,
          NON_OBJECT,
          NON_ARRAY,
          fc.constantFrom('Audio', 'Video', 'Content'),
          fc.constantFrom('Key', 'Value'),
        )
        .map(([site, target, nonString, nonObject, nonArray, capability, tagField]) => {
          let body = base.body!;
          let path: Path;
          let value: unknown;
          switch (route === 'batch' ? target : target % 7) {
            case 0:
              path = [...site.path, 'ExternalUserId'];
              value = nonString;
              break;
            case 1:
              path = [...site.path, 'Capabilities'];
              value = nonObject;
              break;
            case 2:
              body = withCapabilities(body, site);
              path = [...site.path, 'Capabilities', capability];
              value = nonString;
              break;
            case 3:
              path = [...site.path, 'Tags'];
              value = nonArray;
              break;
            case 4:
              body = withTags(body, site);
              path = [...site.path, 'Tags', 1];
              value = nonObject;
              break;
            case 5:
            case 6:
              body = withTags(body, site);
              path = [...site.path, 'Tags', 0, tagField];
              value = nonString;
              break;
            case 7:
            case 8:
              path = [...site.path];
              value = nonObject;
              break; // a batch item that is not an object
            default:
              path = ['Attendees'];
              value = nonArray;
              break;
          }
          return {
            request: toWire(base, { body: JSON.stringify(setAt(body, path, value)) }),
            what: `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}`,
          };
        }),
    ),
  );
}

function oversizeBody(route: BodyRoute, ctx?: Context): fc.Arbitrary<HostileCase> {
  const over = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 100_000 }));
  const mode = fc.constantFrom(
    'trailing whitespace',
    'leading whitespace',
    'multi-byte ExternalUserId',
    'emoji tag value',
    'many attendees',
    'unknown field',
  );
  return hostile(
    'oversize-body',
    fc.tuple(baseArb(route, ctx), over, mode, fc.boolean()).map(([base, extra, how, base64]) => {
      const target = MAX_BODY_BYTES + extra;
      const json = JSON.stringify(base.body);
      let body: string;
      switch (how) {
        case 'trailing whitespace':
          body = json + ' '.repeat(Math.max(0, target - Buffer.byteLength(json)));
          break;
        case 'leading whitespace':
          body = '\n'.repeat(Math.max(0, target - Buffer.byteLength(json))) + json;
          break;
        case 'multi-byte ExternalUserId': // about half as many characters as bytes
          body = JSON.stringify(
            setAt(
              base.body!,
              route === 'batch' ? ['Attendees', 0, 'ExternalUserId'] : ['ExternalUserId'],
              'é'.repeat(Math.ceil(target / 2)),
            ),
          );
          break;
        case 'emoji tag value':
          body = JSON.stringify(
            setAt(base.body!, route === 'batch' ? ['Attendees', 0, 'Tags'] : ['Tags'], [
              { Key: 'k', Value: '😀'.repeat(Math.ceil(target / 4)) },
            ]),
          );
          break;
        case 'many attendees':
          body = JSON.stringify({ Attendees: plainAttendees(Math.ceil(target / 20), 'padding-user') });
          break;
        default:
          body = JSON.stringify(setAt(base.body!, ['Padding'], 'p'.repeat(target)));
      }
      return {
        request: toWire(base, base64 ? { body: Buffer.from(body).toString('base64'), base64 } : { body }),
        what: `${how}, ${Buffer.byteLength(body)} bytes${base64 ? ', base64' : ''}`,
      };
    }),
  );
}

function oversizeValue(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const longId = fc.oneof(
    idString(EXTERNAL_USER_ID_MAX_LENGTH + 1, EXTERNAL_USER_ID_MAX_LENGTH + 1),
    idString(EXTERNAL_USER_ID_MAX_LENGTH + 1, 300),
  );
  if (ROUTE[route].params.includes('ExternalUserId')) {
    return hostile(
      'oversize-value',
      fc.tuple(baseArb(route, ctx), longId).map(([base, id]) => ({
        request: toWire({ ...base, path: { ...base.path, ExternalUserId: id } }),
        what: `ExternalUserId of ${id.length} characters`,
      })),
    );
  }
  return hostile(
    'oversize-value',
    baseArb(route, ctx).chain((base) =>
      fc
        .tuple(
          siteArb(base),
          fc.nat(route === 'batch' ? 5 : 4),
          longId,
          text(TAG_KEY_MAX_LENGTH + 1, 400),
          text(TAG_VALUE_MAX_LENGTH + 1, 700),
          fc.integer({ min: TAGS_MAX_ITEMS + 1, max: 40 }),
          fc.integer({ min: BATCH_MAX_ITEMS + 1, max: 600 }),
          fc.constantFrom(...DECOMPOSABLE),
        )
        .map(([site, target, id, key, value, tagCount, itemCount, letter]) => {
          let body = base.body!;
          let what: string;
          switch (target) {
            case 0:
              body = setAt(body, [...site.path, 'ExternalUserId'], id);
              what = `ExternalUserId of ${id.length}`;
              break;
            case 1:
              body = setAt(withTags(body, site), [...site.path, 'Tags', 0, 'Key'], key);
              what = `Tag Key of ${key.length} units`;
              break;
            case 2:
              body = setAt(withTags(body, site), [...site.path, 'Tags', 1, 'Value'], value);
              what = `Tag Value of ${value.length} units`;
              break;
            case 3:
              body = setAt(
                body,
                [...site.path, 'Tags'],
                Array.from({ length: tagCount }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
              );
              what = `${tagCount} tags`;
              break;
            case 4: // 128 precomposed letters: valid in NFC, 256 code points in NFD
              body = setAt(
                withTags(body, site),
                [...site.path, 'Tags', 0, 'Key'],
                letter.repeat(TAG_KEY_MAX_LENGTH).normalize('NFD'),
              );
              what = `Tag Key of ${TAG_KEY_MAX_LENGTH} "${letter}" in NFD`;
              break;
            default:
              body = { Attendees: plainAttendees(itemCount) };
              what = `${itemCount} attendees`;
          }
          return { request: toWire(base, { body: JSON.stringify(body) }), what };
        }),
    ),
  );
}

/** A valid ExternalUserId made invalid with characters outside the pattern, or by normalization. */
const unicodeBadIdArb = fc
  .oneof(
    {
      arbitrary: fc
        .tuple(externalUserIdArb, fc.array(fc.tuple(fc.nat(), badCodePoint), { minLength: 1, maxLength: 3 }))
        .map(([id, ins]) => insertAll(id, ins)),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(idString(0, 20), fc.constantFrom(...DECOMPOSABLE), idString(0, 20))
        .map(([a, l, b]) => `${a}${l}${b}`.normalize('NFD')),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(externalUserIdArb, fc.nat()).map(([id, k]) => {
        const look: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', A: 'Α', O: 'Ο', i: 'і', s: 'ѕ' };
        const chars = [...id];
        const i = chars.findIndex((c, j) => j >= k % chars.length && look[c]);
        if (i < 0) return `${id}а`;
        chars[i] = look[chars[i]];
        return chars.join('');
      }),
      weight: 1,
    },
    { arbitrary: fc.string({ unit: 'binary', minLength: 2, maxLength: 40 }), weight: 2 },
  )
  .filter((id) => !isExternalUserId(id));

/** A GUID with look-alike characters (fullwidth or Arabic-Indic digits, Cyrillic letters). */
const unicodeBadGuidArb = fc
  .tuple(guidArb, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }))
  .map(([guid, positions]) => {
    const swap: Record<string, string[]> = {
      '0': ['０', '٠', '𝟎', 'O'],
      '1': ['１', '١', '¹', 'l'],
      '2': ['２', '٢'],
      '5': ['５', '٥', '𝟓'],
      '9': ['９', '٩'],
      a: ['а', 'ａ'],
      A: ['Α', 'Ａ'],
      c: ['с'],
      e: ['е', 'ｅ'],
      b: ['Ь'],
      '-': ['‐', '−', '–', '\u00ad'],
    };
    const chars = [...guid];
    for (const p of positions) {
      const i = p % chars.length;
      const options = swap[chars[i]];
      chars[i] = options ? options[p % options.length] : '\u200b' + chars[i];
    }
    return chars.join('');
  });

function unicode(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  if (!(['create', 'batch', 'list', 'listUser', 'delete'] as string[]).includes(route)) return unicodeV2(route, ctx);
  if (route === 'listUser') {
    return hostile(
      'unicode',
      fc.tuple(baseArb(route, ctx), unicodeBadIdArb).map(([base, id]) => ({
        request: toWire({ ...base, path: { ExternalUserId: id } }),
        what: `ExternalUserId ${JSON.stringify(id)}`,
      })),
    );
  }
  const guidParam = fc.constantFrom(...ROUTE[route].params);
  const pathCase = fc.tuple(baseArb(route, ctx), guidParam, unicodeBadGuidArb).map(([base, name, guid]) => ({
    request: toWire({ ...base, path: { ...base.path, [name]: guid } }),
    what: `${name} ${JSON.stringify(guid)}`,
  }));
  if (route === 'list') {
    const digits = fc.constantFrom('５', '٥', '𝟓', '⁵', '5\u0000', '5\u200b', '\u202e5', '1０', 'Ⅴ', '۵', '๕');
    return hostile(
      'unicode',
      fc.oneof(
        pathCase,
        fc.tuple(baseArb(route, ctx), digits).map(([base, v]) => ({
          request: toWire({ ...base, query: { ...base.query, 'max-results': v } }),
          what: `max-results ${JSON.stringify(v)}`,
        })),
      ),
    );
  }
  if (route === 'delete') return hostile('unicode', pathCase);
  const bodyCase = baseArb(route, ctx).chain((base) =>
    fc
      .tuple(
        siteArb(base),
        unicodeBadIdArb,
        fc.boolean(),
        fc.constantFrom('Audio', 'Video', 'Content'),
        fc.tuple(fc.nat(), badCodePoint),
        media,
      )
      .map(([site, id, onCapability, capability, insert, value]) => {
        if (onCapability) {
          const bad = insertAll(value, [insert]);
          const body = setAt(withCapabilities(base.body!, site), [...site.path, 'Capabilities', capability], bad);
          return {
            request: toWire(base, { body: JSON.stringify(body) }),
            what: `${capability} ${JSON.stringify(bad)}`,
          };
        }
        return {
          request: toWire(base, { body: JSON.stringify(setAt(base.body!, [...site.path, 'ExternalUserId'], id)) }),
          what: `ExternalUserId ${JSON.stringify(id)}`,
        };
      }),
  );
  return hostile('unicode', fc.oneof({ arbitrary: bodyCase, weight: 4 }, { arbitrary: pathCase, weight: 1 }));
}

/** Version 2's routes: bad characters in any path parameter, in ExternalMeetingId, ExternalUserId or a capability. */
function unicodeV2(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const cases: fc.Arbitrary<{ request: WireRequest; what: string }>[] = [];
  const params = ROUTE[route].params;
  if (params.length > 0) {
    cases.push(
      fc
        .tuple(baseArb(route, ctx), fc.constantFrom(...params), unicodeBadGuidArb, unicodeBadIdArb)
        .map(([base, name, badGuid, badId]) => {
          const value = name === 'ExternalUserId' ? badId : badGuid;
          return {
            request: toWire({ ...base, path: { ...base.path, [name]: value } }),
            what: `${name} ${JSON.stringify(value)}`,
          };
        }),
    );
  }
  const body = ROUTE[route].body !== undefined;
  if (body && (route === 'createMeeting' || route === 'join')) {
    cases.push(
      fc.tuple(baseArb(route, ctx), unicodeBadIdArb).map(([base, name]) => ({
        request: toWire(base, { body: JSON.stringify(setAt(base.body!, ['ExternalMeetingId'], name)) }),
        what: `ExternalMeetingId ${JSON.stringify(name)}`,
      })),
    );
  }
  if (route === 'join') {
    cases.push(
      fc.tuple(baseArb(route, ctx), unicodeBadIdArb).map(([base, id]) => ({
        request: toWire(base, { body: JSON.stringify(setAt(base.body!, ['ExternalUserId'], id)) }),
        what: `ExternalUserId ${JSON.stringify(id)}`,
      })),
    );
  }
  if ((capabilityRoutes as readonly string[]).includes(route)) {
    cases.push(
      fc
        .tuple(
          baseArb(route, ctx),
          fc.constantFrom('Audio', 'Video', 'Content'),
          fc.tuple(fc.nat(), badCodePoint),
          media,
        )
        .map(([base, capability, insert, value]) => {
          const bad = insertAll(value, [insert]);
          const site = { path: [], prefix: '' };
          const body = setAt(withCapabilities(base.body!, site), ['Capabilities', capability], bad);
          return {
            request: toWire(base, { body: JSON.stringify(body) }),
            what: `${capability} ${JSON.stringify(bad)}`,
          };
        }),
    );
  }
  return hostile('unicode', fc.oneof(...cases));
}

/** Path traversal payloads, in wire form (percent-escapes included; never a raw `/`, `?` or `#`). */
const traversalArb = (guid: fc.Arbitrary<string>) => {
  const atom = fc.oneof(
    {
      arbitrary: fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '%2E%2E',
        '%2e.',
        '.%2e',
        '%252e%252e',
        '%25252e%25252e',
        '%c0%ae%c0%ae',
        '%uff0e%uff0e',
        '....',
        '...',
      ),
      weight: 4,
    },
    {
      arbitrary: fc.constantFrom(
        '%2f',
        '%2F',
        '%252f',
        '%252F',
        '%25252F',
        '%5c',
        '%5C',
        '%255c',
        '%c0%af',
        '%e0%80%af',
        '%c1%9c',
        '%ef%bc%8f',
      ),
      weight: 4,
    },
    {
      arbitrary: fc.constantFrom(
        '%00',
        '%2500',
        '%0a',
        '%0d%0a',
        ';',
        '%3b',
        '~',
        '%7e',
        '%25',
        '%',
        '%zz',
        '%u002e',
        '%3f',
        '%23',
        '%26',
        '%3d',
      ),
      weight: 2,
    },
    {
      arbitrary: fc.constantFrom('etc', 'passwd', 'users', 'meetings', 'attendees', 'batch', 'admin', 'aws:x'),
      weight: 1,
    },
    { arbitrary: guid, weight: 1 },
  );
  return fc.array(atom, { minLength: 1, maxLength: 8 }).map((atoms) => atoms.join(''));
};

function pathTraversal(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const guid = pick(ctx?.meetingIds, guidArb);
  return hostile(
    'path-traversal',
    fc
      .tuple(baseArb(route, ctx), fc.constantFrom(...ROUTE[route].params), traversalArb(guid))
      .map(([base, name, payload]) => {
        const request = toWire(base);
        return { request: { ...request, path: { ...request.path, [name]: payload } }, what: `${name} = ${payload}` };
      }),
  );
}

function guidNearMiss(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const mutation = fc
    .oneof(
      fc.tuple(fc.nat(35), fc.constantFrom('g', 'G', 'z', 'x', ' ', '_', '+', '.', ':', '/')).map(
        ([i, c]) =>
          (g: string) =>
            g.slice(0, i) + c + g.slice(i + 1),
      ),
      fc.nat(35).map((i) => (g: string) => g.slice(0, i) + g.slice(i + 1)),
      fc.tuple(fc.nat(36), fc.constantFrom(...'0123456789abcdef')).map(
        ([i, c]) =>
          (g: string) =>
            g.slice(0, i) + c + g.slice(i),
      ),
      fc.constant((g: string) => g.replace(/-/g, '')),
      fc.constant((g: string) => g.replace(/-/g, '_')),
      fc.constant((g: string) => `${g.slice(0, 7)}-${g[7]}${g.slice(9)}`),
      fc
        .constantFrom(
          '{%}',
          '(%)',
          'urn:uuid:%',
          ' %',
          '% ',
          '%\n',
          '\n%',
          '%\u0000',
          '%\r\n',
          '%%',
          '%/',
          '%.json',
          '%;',
          '%?x=1',
          '%#',
        )
        .map((shape) => (g: string) => shape.replace(/%/g, g).replace(/%/g, '')),
      fc.nat(35).map((n) => (g: string) => g.slice(0, n)),
      fc.constant((g: string) => g.replace(/[0-9a-fA-F]/g, 'z')),
      fc.constantFrom(
        '',
        '0',
        '-1',
        'null',
        'undefined',
        'NaN',
        'true',
        '[]',
        '{}',
        '00000000-0000-0000-0000-00000000000',
        '*',
        '%',
      ),
    )
    .map((f) => (typeof f === 'string' ? () => f : f));
  return hostile(
    'guid-near-miss',
    fc.tuple(baseArb(route, ctx), fc.constantFrom(...guidParams(route)), mutation).map(([base, name, f]) => {
      const value = f(base.path[name]);
      return {
        request: toWire({ ...base, path: { ...base.path, [name]: value } }),
        what: `${name} = ${JSON.stringify(value)}`,
      };
    }),
  );
}

function batchDuplicates(ctx?: Context): fc.Arbitrary<HostileCase> {
  const items = fc.oneof(
    {
      arbitrary: fc.uniqueArray(attendeeArb, { selector: (a) => a.ExternalUserId, minLength: 2, maxLength: 12 }),
      weight: 3,
    },
    { arbitrary: fc.integer({ min: 2, max: BATCH_MAX_ITEMS }).map((n) => plainAttendees(n)), weight: 2 },
  );
  return hostile(
    'batch-duplicates',
    fc.tuple(baseArb('batch', ctx), items, fc.nat(), fc.nat(), fc.boolean()).map(([base, list, a, b, sameRest]) => {
      const n = list.length;
      const i = a % (n - 1);
      const j = i + 1 + (b % (n - 1 - i));
      const copy = clone(list);
      copy[j] = sameRest ? clone(copy[i]) : { ...copy[j], ExternalUserId: copy[i].ExternalUserId };
      return {
        request: toWire(base, { body: JSON.stringify({ Attendees: copy }) }),
        what: `items ${i} and ${j} of ${n} share an ExternalUserId`,
      };
    }),
  );
}

/** `aws:` in each of its 8 letter cases (a, w, s; the colon has none). */
export const AWS_PREFIXES: readonly string[] = Array.from(
  { length: 8 },
  (_, m) => [...'aws'].map((c, i) => (m & (1 << i) ? c.toUpperCase() : c)).join('') + ':',
);

function awsPrefix(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const id = fc
    .tuple(fc.constantFrom(...AWS_PREFIXES), idString(0, EXTERNAL_USER_ID_MAX_LENGTH - 4))
    .map(([p, s]) => p + s);
  if (route === 'createMeeting') {
    return hostile(
      'aws-prefix',
      fc.tuple(baseArb(route, ctx), id).map(([base, value]) => ({
        request: toWire(base, { body: JSON.stringify(setAt(base.body!, ['ExternalMeetingId'], value)) }),
        what: `ExternalMeetingId ${JSON.stringify(value)}`,
      })),
    );
  }
  if (ROUTE[route].params.includes('ExternalUserId')) {
    const encodings = fc.constantFrom<(s: string) => string>(
      (s) => wireEncode(s),
      (s) => wireEncode(s).replace('%3A', '%3a'),
      (s) => wireEncode(s).replace(/%/g, '%25'),
    );
    return hostile(
      'aws-prefix',
      fc.tuple(baseArb(route, ctx), id, encodings).map(([base, value, encode]) => ({
        request: { ...toWire(base), path: { ...toWire(base).path, ExternalUserId: encode(value) } },
        what: `ExternalUserId ${JSON.stringify(value)}`,
      })),
    );
  }
  return hostile(
    'aws-prefix',
    baseArb(route, ctx).chain((base) =>
      fc.tuple(siteArb(base), id).map(([site, value]) => ({
        request: toWire(base, { body: JSON.stringify(setAt(base.body!, [...site.path, 'ExternalUserId'], value)) }),
        what: `${join(site.prefix, 'ExternalUserId')} ${JSON.stringify(value)}`,
      })),
    ),
  );
}

/** Content SendReceive/Receive without Video SendReceive/Receive: every combination. */
export const CAPABILITY_CORNERS: readonly { Audio: string; Video: string; Content: string }[] =
  MEDIA_CAPABILITIES.flatMap((Audio) =>
    (['Send', 'None'] as const).flatMap((Video) =>
      (['SendReceive', 'Receive'] as const).map((Content) => ({ Audio, Video, Content })),
    ),
  );

function capabilities(route: BodyRoute, ctx?: Context): fc.Arbitrary<HostileCase> {
  const badEnum = fc.oneof(
    fc.constantFrom(
      'sendreceive',
      'SENDRECEIVE',
      'Sendreceive',
      ' SendReceive',
      'SendReceive ',
      'Send Receive',
      'Send-Receive',
      'Send_Receive',
      'Both',
      'All',
      '',
      'none',
      'NONE',
      'null',
      'true',
      'Recv',
      'SendReceive\u0000',
      'Send\u200bReceive',
      'Sеnd',
      'Receive\n',
      'Mute',
    ),
    fc.string({ maxLength: 12 }),
  );
  const value = fc.oneof(
    {
      arbitrary: fc
        .constantFrom(...CAPABILITY_CORNERS)
        .map((caps) => ({ caps: caps as Json, what: `corner ${JSON.stringify(caps)}` })),
      weight: 4,
    },
    {
      arbitrary: fc
        .tuple(capabilitiesArb, fc.constantFrom('Audio', 'Video', 'Content'), badEnum)
        .map(([caps, name, bad]) => ({
          caps: { ...caps, [name]: bad } as Json,
          what: `${name} ${JSON.stringify(bad)}`,
        })),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(capabilitiesArb, fc.subarray(['Audio', 'Video', 'Content'], { minLength: 1 }))
        .map(([caps, drop]) => {
          const copy: Record<string, Json> = { ...caps };
          for (const name of drop) delete copy[name];
          return { caps: copy as Json, what: `without ${drop.join(', ')}` };
        }),
      weight: 2,
    },
  );
  return hostile(
    'capabilities',
    baseArb(route, ctx).chain((base) =>
      fc.tuple(siteArb(base), value).map(([site, { caps, what }]) => ({
        request: toWire(base, { body: JSON.stringify(setAt(base.body!, [...site.path, 'Capabilities'], caps)) }),
        what: `${join(site.prefix, 'Capabilities')} ${what}`,
      })),
    ),
  );
}

const NEAR_MISS_KEYS = {
  attendee: [
    'externalUserId',
    'ExternalUserID',
    'externaluserid',
    'External_User_Id',
    'ExternalUserId ',
    ' ExternalUserId',
    'ExternalUserId\u0000',
    'ExternalUserId\u200b',
    'Externa\u0301lUserId',
    'capabilities',
    'tags',
    'Tag',
    'Attendee',
    'MeetingId',
    'AttendeeId',
    'JoinToken',
    'Attendees',
    'ExternalUserIds',
    'ＥxternalUserId',
  ],
  batch: ['attendees', 'Attendee', 'Attendees ', 'MeetingId', 'ExternalUserId', 'Items', 'ATTENDEES'],
  capabilities: ['audio', 'video', 'content', 'Screen', 'Data', 'Audio ', 'AUDIO', 'Video\u200d'],
  tag: ['key', 'value', 'Name', 'KEY', 'Key ', 'Values'],
  query: [
    'max_results',
    'maxResults',
    'MaxResults',
    'max-results ',
    'Max-Results',
    'nextToken',
    'NextToken',
    'next_token',
    'page',
    'limit',
    'max-results\u0000',
    'callback',
    'max%2Dresults',
    'ExternalUserId',
    'MeetingId',
    'operation',
  ],
  proto: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'then'],
};
const keyArb = (nearMiss: string[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...nearMiss, ...NEAR_MISS_KEYS.proto), weight: 4 },
    { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 65, maxLength: 400 }), weight: 1 },
    // Long names with an emoji where a message may cut them short.
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 56, max: 70 }), fc.constantFrom('😀', '🇺🇳', '\u{10FFFD}'))
        .map(([n, e]) => `${'k'.repeat(n)}${e}${e}tail`),
      weight: 1,
    },
  );

function unknownFields(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const queryCase = fc
    .tuple(
      baseArb(route, ctx),
      keyArb([...NEAR_MISS_KEYS.query, 'max-results', 'next-token']),
      fc.string({ maxLength: 10 }),
    )
    .filter(([, key]) => !ROUTE[route].query.includes(key))
    .map(([base, key, value]) => ({
      request: toWire({ ...base, query: { ...base.query, [key]: value } }),
      what: `query parameter ${JSON.stringify(key.slice(0, 40))}`,
    }));
  if (ROUTE[route].body === undefined) return hostile('unknown-fields', queryCase);
  if (route !== 'create' && route !== 'batch') {
    // Version 2's bodies: an unknown name at the top level, or inside Capabilities where the body has them.
    const v2BodyCase = fc
      .tuple(
        baseArb(route, ctx),
        fc.boolean(),
        keyArb([...NEAR_MISS_KEYS.attendee, 'externalMeetingId', 'MeetingFeature', 'Region', 'excludedAttendeeIds']),
        keyArb(NEAR_MISS_KEYS.capabilities),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([base, inCapabilities, topKey, capabilityKey, value]) => {
        const hasCaps = (capabilityRoutes as readonly string[]).includes(route);
        const body = inCapabilities && hasCaps ? withCapabilities(base.body!, { path: [], prefix: '' }) : base.body!;
        const path: Path = inCapabilities && hasCaps ? ['Capabilities', capabilityKey] : [topKey];
        return {
          request: toWire(base, { body: JSON.stringify(setAt(body, path, value)) }),
          what: `unknown field ${JSON.stringify(path.join('.').slice(0, 60))}`,
        };
      });
    return hostile(
      'unknown-fields',
      fc.oneof({ arbitrary: v2BodyCase, weight: 4 }, { arbitrary: queryCase, weight: 1 }),
    );
  }
  const bodyCase = baseArb(route, ctx).chain((base) =>
    fc
      .tuple(
        siteArb(base),
        fc.nat(route === 'batch' ? 4 : 3),
        keyArb(NEAR_MISS_KEYS.attendee),
        keyArb(NEAR_MISS_KEYS.batch),
        keyArb(NEAR_MISS_KEYS.capabilities),
        keyArb(NEAR_MISS_KEYS.tag),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([site, level, attendeeKey, batchKey, capabilityKey, tagKey, value]) => {
        let body = base.body!;
        let path: Path;
        switch (level) {
          case 0:
            path = [...site.path, attendeeKey];
            break;
          case 1:
            body = withCapabilities(body, site);
            path = [...site.path, 'Capabilities', capabilityKey];
            break;
          case 2:
            body = withTags(body, site);
            path = [...site.path, 'Tags', 0, tagKey];
            break;
          default:
            path = [batchKey];
            break;
        }
        return {
          request: toWire(base, { body: JSON.stringify(setAt(body, path, value)) }),
          what: `unknown field ${JSON.stringify(path.join('.').slice(0, 60))}`,
        };
      }),
  );
  return hostile('unknown-fields', fc.oneof({ arbitrary: bodyCase, weight: 4 }, { arbitrary: queryCase, weight: 1 }));
}

function maxResults(ctx?: Context): fc.Arbitrary<HostileCase> {
  const value = fc.oneof(
    fc.constantFrom(
      '0',
      '101',
      '-1',
      '-0',
      '+1',
      '1.5',
      '1.0',
      '1e2',
      '0x10',
      ' 1',
      '1 ',
      '',
      '100000000000000000000',
      '4294967297',
      '4294967296',
      'NaN',
      'Infinity',
      '1,0',
      'true',
      '[1]',
      '1\u0000',
      '99999999999',
      '1000000000',
      '2147483648',
      '9007199254740993',
      '10e1',
      '1_0',
      '0b1',
      '٥',
    ),
    fc.oneof(fc.integer({ min: -1e12, max: 0 }), fc.integer({ min: 101, max: 1e12 })).map(String),
    fc.string({ maxLength: 8 }),
  );
  return hostile(
    'max-results',
    fc.tuple(baseArb('list', ctx), value).map(([base, v]) => ({
      request: toWire({ ...base, query: { ...base.query, 'max-results': v } }),
      what: `max-results ${JSON.stringify(v)}`,
    })),
  );
}

function nextToken(ctx?: Context): fc.Arbitrary<HostileCase> {
  const over = NEXT_TOKEN_MAX_LENGTH + 1;
  const value = fc.oneof(
    fc.string({ unit: fc.constantFrom(...base64url), minLength: over, maxLength: over + 2000 }),
    textOf(over),
    fc
      .integer({ min: over, max: over + 500 })
      .chain((n) => fc.constantFrom('😀', 'a', '\u0000', '%').map((c) => c.repeat(n))),
  );
  return hostile(
    'next-token',
    fc.tuple(baseArb('list', ctx), value).map(([base, v]) => ({
      request: toWire({ ...base, query: { ...base.query, 'next-token': v } }),
      what: `next-token of ${v.length} UTF-16 units`,
    })),
  );
}

function missingRequired(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  if (ROUTE[route].params.length === 0 || (!['create', 'batch'].includes(route) && ROUTE[route].body !== undefined))
    return missingRequiredV2(route, ctx);
  const paramCase = fc
    .tuple(
      baseArb(route, ctx),
      fc.constantFrom(...ROUTE[route].params),
      fc.constantFrom('missing', 'empty', 'no path parameters'),
    )
    .map(([base, name, how]) => {
      const request = toWire(base);
      const path = { ...request.path };
      if (how === 'missing') delete path[name];
      else path[name] = '';
      return { request: { ...request, path: how === 'no path parameters' ? null : path }, what: `${name} ${how}` };
    });
  if (route === 'create') {
    const bodyCase = fc
      .tuple(baseArb(route, ctx), fc.constantFrom('absent', 'empty', '{}', 'no id'))
      .map(([base, how]) => {
        const body =
          how === 'absent'
            ? null
            : how === 'empty'
              ? ''
              : how === '{}'
                ? '{}'
                : JSON.stringify(deleteAt(base.body!, ['ExternalUserId']));
        return { request: toWire(base, { body }), what: `body ${how}` };
      });
    return hostile('missing-required', fc.oneof(bodyCase, paramCase));
  }
  if (route === 'batch') {
    const bodyCase = fc
      .tuple(baseArb(route, ctx), fc.constantFrom('absent', 'empty', '{}', '[] attendees', 'item without id'))
      .map(([base, how]) => {
        let body: string | null;
        if (how === 'absent') body = null;
        else if (how === 'empty') body = '';
        else if (how === '{}') body = '{}';
        else if (how === '[] attendees') body = '{"Attendees":[]}';
        else body = JSON.stringify(deleteAt(base.body!, ['Attendees', 0, 'ExternalUserId']));
        return { request: toWire(base, { body }), what: `body ${how}` };
      });
    return hostile('missing-required', fc.oneof(bodyCase, paramCase));
  }
  return hostile('missing-required', paramCase);
}

/** Version 2: a missing or empty path parameter, or a body without one of its required fields. */
function missingRequiredV2(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const cases: fc.Arbitrary<{ request: WireRequest; what: string }>[] = [];
  if (ROUTE[route].params.length > 0) {
    cases.push(
      fc
        .tuple(
          baseArb(route, ctx),
          fc.constantFrom(...ROUTE[route].params),
          fc.constantFrom('missing', 'empty', 'none'),
        )
        .map(([base, name, how]) => {
          const request = toWire(base);
          const path = { ...request.path };
          if (how === 'missing') delete path[name];
          else path[name] = '';
          return { request: { ...request, path: how === 'none' ? null : path }, what: `${name} ${how}` };
        }),
    );
  }
  const required: Record<string, string[]> = {
    createMeeting: ['ExternalMeetingId'],
    join: ['ExternalMeetingId', 'ExternalUserId'],
    updateCapabilities: ['Capabilities'],
    updateCapabilitiesExcept: ['Capabilities', 'ExcludedAttendeeIds'],
  };
  if (ROUTE[route].body !== undefined) {
    const names = required[route];
    if (!names) throw new Error(`missing-required: no required body fields known for ${route}`);
    cases.push(
      fc.tuple(baseArb(route, ctx), fc.constantFrom<string | null>(null, '', '{}', ...names)).map(([base, how]) => {
        const body = how === null || how === '' || how === '{}' ? how : JSON.stringify(deleteAt(base.body!, [how]));
        return { request: toWire(base, { body }), what: `body ${how === null ? 'absent' : how || 'empty'}` };
      }),
    );
  }
  return hostile('missing-required', fc.oneof(...cases));
}

/** Version 2's bodies: a field of the wrong JSON type. */
function wrongTypeV2(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  return hostile(
    'wrong-type',
    fc
      .tuple(
        baseArb(route, ctx),
        fc.nat(3),
        NON_STRING,
        NON_OBJECT,
        NON_ARRAY,
        fc.constantFrom('Audio', 'Video', 'Content'),
      )
      .map(([base, target, nonString, nonObject, nonArray, capability]) => {
        let path: Path;
        let value: unknown;
        if (route === 'createMeeting') {
          [path, value] = target % 2 ? [['MediaPlacementNetworkType'], nonString] : [['ExternalMeetingId'], nonString];
        } else if (route === 'updateCapabilities') {
          [path, value] = target % 2 ? [['Capabilities'], nonObject] : [['Capabilities', capability], nonString];
        } else {
          // updateCapabilitiesExcept
          [path, value] = [
            [['ExcludedAttendeeIds'], nonArray],
            [['ExcludedAttendeeIds', 0], nonObject],
            [['ExcludedAttendeeIds', 0, 'AttendeeId'], nonString],
            [['Capabilities'], nonObject],
          ][target] as [Path, unknown];
        }
        return {
          request: toWire(base, { body: JSON.stringify(setAt(base.body!, path, value)) }),
          what: `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}`,
        };
      }),
  );
}

/** A body that is JSON but not declared as such: 415 before anything else of the body is read. */
export const NON_JSON_CONTENT_TYPES: readonly (string | null)[] = [
  null,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/json',
  'text/html',
  'application/xml',
  'application/jsonp',
  'application/json5',
  'application/javascript',
  'application/octet-stream',
  'application/x-json',
  'json',
  'application',
  '*/*',
];
function contentType(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  return hostile(
    'content-type',
    fc.tuple(validRequestArb(route, ctx), fc.constantFrom(...NON_JSON_CONTENT_TYPES)).map(([request, type]) => ({
      request: {
        ...request,
        base64: false,
        body: request.base64 ? bodyText(request) : request.body,
        contentType: type,
      },
      what: `Content-Type ${JSON.stringify(type)}`,
    })),
  );
}
const bodyText = (request: WireRequest) => Buffer.from(request.body ?? '', 'base64').toString('utf8');

function ban(ctx?: Context): fc.Arbitrary<HostileCase> {
  const value = fc.oneof(
    fc.constantFrom(
      '',
      'TRUE',
      'True',
      'False',
      '1',
      '0',
      'yes',
      'no',
      'on',
      'true ',
      ' true',
      'true\u0000',
      'null',
      'undefined',
      '[true]',
      'tru',
      'truee',
      'ｔｒｕｅ',
    ),
    fc.string({ maxLength: 8 }),
  );
  return hostile(
    'ban',
    fc.tuple(baseArb('delete', ctx), value).map(([base, v]) => ({
      request: toWire({ ...base, query: { ban: v } }),
      what: `ban ${JSON.stringify(v)}`,
    })),
  );
}

function excludedIds(ctx?: Context): fc.Arbitrary<HostileCase> {
  return hostile(
    'excluded-ids',
    fc
      .tuple(
        baseArb('updateCapabilitiesExcept', ctx),
        fc.constantFrom('none', 'too many', 'bad id', 'extra field', 'no id'),
        fc.integer({ min: EXCLUDED_ATTENDEE_IDS_MAX_ITEMS + 1, max: 400 }),
        guidArb,
      )
      .map(([base, how, n, guid]) => {
        const ids = base.body!.ExcludedAttendeeIds as JsonObject[];
        let value: Json;
        if (how === 'none') value = [];
        else if (how === 'too many') value = Array.from({ length: n }, () => ({ AttendeeId: guid }));
        else if (how === 'bad id') value = [...ids, { AttendeeId: guid.toUpperCase().replace(/-/g, '') }];
        else if (how === 'extra field') value = [{ ...ids[0], ExternalUserId: 'alice' }];
        else value = [{}];
        return {
          request: toWire(base, { body: JSON.stringify(setAt(base.body!, ['ExcludedAttendeeIds'], value)) }),
          what: `ExcludedAttendeeIds ${how}`,
        };
      }),
  );
}

function meetingName(route: RouteKey, ctx?: Context): fc.Arbitrary<HostileCase> {
  const bad = fc.oneof(
    idString(EXTERNAL_MEETING_ID_MAX_LENGTH + 1, 200),
    idString(0, 1),
    unicodeBadIdArb,
    fc.constantFrom(
      ' room',
      'room ',
      'room\n',
      'room\t',
      '\ufeffroom',
      'room\u00a0a',
      'r\u2028m',
      'aws:room',
      'AWS:room',
    ),
  );
  return hostile(
    'meeting-name',
    fc.tuple(baseArb(route, ctx), bad).map(([base, name]) => ({
      request: toWire(base, { body: JSON.stringify(setAt(base.body!, ['ExternalMeetingId'], name)) }),
      what: `ExternalMeetingId ${JSON.stringify(name.slice(0, 40))}`,
    })),
  );
}

function tags(route: BodyRoute, ctx?: Context): fc.Arbitrary<HostileCase> {
  const breakTag = fc.constantFrom('empty Key', 'empty Value', 'no Key', 'no Value', 'empty tag');
  return hostile(
    'tags',
    baseArb(route, ctx).chain((base) =>
      fc.tuple(siteArb(base), breakTag).map(([site, how]) => {
        const body = withTags(base.body!, site);
        const at = [...site.path, 'Tags', 0];
        const broken =
          how === 'empty Key'
            ? setAt(body, [...at, 'Key'], '')
            : how === 'empty Value'
              ? setAt(body, [...at, 'Value'], '')
              : how === 'no Key'
                ? deleteAt(body, [...at, 'Key'])
                : how === 'no Value'
                  ? deleteAt(body, [...at, 'Value'])
                  : setAt(body, at, {});
        return {
          request: toWire(base, { body: JSON.stringify(broken) }),
          what: `${join(site.prefix, 'Tags[0]')} ${how}`,
        };
      }),
    ),
  );
}

/** Every category with the routes it applies to and its generator. */
export const CATEGORIES: Record<
  Category,
  { routes: readonly RouteKey[]; arb: (route: RouteKey, ctx?: Context) => fc.Arbitrary<HostileCase> }
> = {
  'malformed-json': { routes: bodyRoutes, arb: malformedJson },
  'non-object-json': { routes: bodyRoutes, arb: nonObjectJson },
  'wrong-type': {
    routes: bodyRoutes,
    arb: (r, c) => ((attendeeRoutes as readonly string[]).includes(r) ? wrongType(r, c) : wrongTypeV2(r, c)),
  },
  'oversize-body': { routes: bodyRoutes, arb: oversizeBody },
  'oversize-value': { routes: [...attendeeRoutes, ...routesWithUserParam], arb: oversizeValue },
  unicode: { routes: ROUTE_KEYS, arb: unicode },
  'path-traversal': { routes: routesWithParams, arb: pathTraversal },
  'guid-near-miss': { routes: routesWithGuidParams, arb: guidNearMiss },
  'batch-duplicates': { routes: ['batch'], arb: (_r, c) => batchDuplicates(c) },
  'aws-prefix': { routes: [...attendeeRoutes, 'createMeeting', ...routesWithUserParam], arb: awsPrefix },
  capabilities: { routes: capabilityRoutes, arb: capabilities },
  'unknown-fields': { routes: ROUTE_KEYS, arb: unknownFields },
  'max-results': { routes: ['list'], arb: (_r, c) => maxResults(c) },
  'next-token': { routes: ['list'], arb: (_r, c) => nextToken(c) },
  'missing-required': { routes: ROUTE_KEYS, arb: missingRequired },
  tags: { routes: attendeeRoutes, arb: tags },
  'content-type': { routes: bodyRoutes, arb: contentType },
  ban: { routes: ['delete'], arb: (_r, c) => ban(c) },
  'excluded-ids': { routes: ['updateCapabilitiesExcept'], arb: (_r, c) => excludedIds(c) },
  'meeting-name': { routes: ['createMeeting', 'join'], arb: meetingName },
};

export { setAt, toWire, plainAttendees };
