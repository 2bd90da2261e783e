/**
 * Our validation (lambda/shared/validation.ts, rules from lib/contract.ts) and Chime's (the emulator, rules from
 * the Chime model) must agree on what reaches Chime:
 * - every input our validation accepts, Chime accepts in the form our handlers send it (for a batch: each chunk
 *   the handler sends; for a list: the MaxResults and NextToken it passes on);
 * - every input Chime accepts, we accept, except where our rule is deliberately stricter (DELIBERATELY_STRICTER
 *   below: each entry has a witness, so an entry whose rule is no longer in force fails the test).
 * The bulk runs through the emulator's validation functions; a sample goes over HTTP to a running emulator (the
 * handler's request with the real SDK client, and the raw request with fetch, which must get the same verdict as
 * the function).
 *
 * Generated inputs sit around both sides' bounds (lib/contract.ts and the model), so changing a bound on either
 * side produces inputs where they disagree.
 */
import {
  BatchCreateAttendeeCommand,
  type BatchCreateAttendeeCommandInput,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  ListAttendeesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import fc from 'fast-check';
import * as contract from '../../lib/contract';
import { JoinServiceError } from '../../lambda/shared/errors';
import {
  validateBatchCreateAttendee,
  validateCreateAttendee,
  validateListAttendees,
} from '../../lambda/shared/validation';
import {
  capabilitiesProblem,
  type Capabilities,
  CHIME_LIMITS,
  type ChimeEmulator,
  type ChimeOperation,
  startChimeEmulator,
  validateChimeInput,
} from '../../local/chime-emulator';
import { MEETING_ID, request } from '../handlers/fixtures';
import { chimeClient, sigV4Header } from './helpers';

type Body = Record<string, unknown>;
interface AttendeeRaw {
  readonly meetingId: string;
  readonly body: Body;
}
interface BatchRaw {
  readonly meetingId: string;
  readonly body: Body;
}
interface ListRaw {
  readonly meetingId: string;
  /** An integer is what the SDK can send Chime; text is what a caller can put in our query string. */
  readonly maxResults?: { readonly n: number } | { readonly text: string };
  readonly nextToken?: string;
}

// ---- Deliberately stricter rules: Chime accepts, we refuse, on purpose. ----

const ATTENDEE_FIELDS = ['ExternalUserId', 'Capabilities'];
const CAPABILITY_FIELDS = ['Audio', 'Video', 'Content'];
const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const hasUnknownField = (item: unknown) =>
  isObject(item) &&
  (Object.keys(item).some((key) => !ATTENDEE_FIELDS.includes(key)) ||
    (isObject(item.Capabilities) && Object.keys(item.Capabilities).some((key) => !CAPABILITY_FIELDS.includes(key))));
const hasNullField = (item: unknown) =>
  isObject(item) &&
  (Object.values(item).some((value) => value === null) ||
    (isObject(item.Capabilities) && Object.values(item.Capabilities).some((value) => value === null)));
const itemsOf = (body: Body): unknown[] => (Array.isArray(body.Attendees) ? body.Attendees : []);

interface StricterRule {
  readonly rule: string;
  readonly attendee?: (raw: AttendeeRaw) => boolean;
  readonly batch?: (raw: BatchRaw) => boolean;
  readonly list?: (raw: ListRaw) => boolean;
  /** An input the rule applies to: we refuse it, Chime accepts it. */
  readonly witness: { attendee: AttendeeRaw } | { batch: BatchRaw } | { list: ListRaw };
}

/** Whitespace Chime's pattern admits (`\s`) and ours does not: any but the plain space, or a space at either end. */
const hasRefusedWhitespace = (id: unknown) => typeof id === 'string' && (/[^\S ]/u.test(id) || /^ | $/.test(id));

/**
 * Where our validation is deliberately stricter than Chime's. To make ours stricter, add an entry here with a
 * witness; the test then allows that one direction for the inputs the entry names.
 */
const DELIBERATELY_STRICTER: readonly StricterRule[] = [
  {
    rule: 'unknown fields are refused (SERVICE.md "Validation"); Chime ignores them',
    attendee: ({ body }) => hasUnknownField(body),
    batch: ({ body }) => Object.keys(body).some((key) => key !== 'Attendees') || itemsOf(body).some(hasUnknownField),
    witness: { attendee: { meetingId: MEETING_ID, body: { ExternalUserId: 'alice', Nickname: 'Al' } } },
  },
  {
    // Found by this test; SERVICE.md does not state it, but refusing null keeps "absent" unambiguous.
    rule: 'a JSON null is not "absent" to us: optional fields are refused when null; Chime treats null as absent',
    attendee: ({ body }) => hasNullField(body),
    batch: ({ body }) => itemsOf(body).some(hasNullField),
    witness: { attendee: { meetingId: MEETING_ID, body: { ExternalUserId: 'alice', Capabilities: null } } },
  },
  {
    rule: 'a batch may not name one ExternalUserId twice (SERVICE.md "Validation"); Chime answers the same attendee twice',
    batch: ({ body }) => {
      const ids = itemsOf(body).map((item) => (isObject(item) ? item.ExternalUserId : undefined));
      return ids.some((id, i) => typeof id === 'string' && ids.indexOf(id) !== i);
    },
    witness: {
      batch: { meetingId: MEETING_ID, body: { Attendees: [{ ExternalUserId: 'twice' }, { ExternalUserId: 'twice' }] } },
    },
  },
  {
    rule: 'ExternalUserId admits the plain space only, never first or last (no look-alike or invisible ids); Chime admits any whitespace',
    attendee: ({ body }) => hasRefusedWhitespace(body.ExternalUserId),
    batch: ({ body }) => itemsOf(body).some((item) => isObject(item) && hasRefusedWhitespace(item.ExternalUserId)),
    witness: { attendee: { meetingId: MEETING_ID, body: { ExternalUserId: '\ufeffalice' } } },
  },
  {
    rule: 'an empty next-token is refused (Chime never issues one); the model bounds only its length from above',
    list: ({ nextToken }) => nextToken === '',
    witness: { list: { meetingId: MEETING_ID, nextToken: '' } },
  },
];

const stricterFor = (kind: 'attendee' | 'batch' | 'list', raw: AttendeeRaw | BatchRaw | ListRaw) =>
  DELIBERATELY_STRICTER.some((entry) => (entry[kind] as ((r: typeof raw) => boolean) | undefined)?.(raw));

// ---- The two sides ----

function ours<T>(validate: () => T): T | undefined {
  try {
    return validate();
  } catch (error) {
    if (error instanceof JoinServiceError && error.statusCode < 500) return undefined;
    throw error;
  }
}

const oursAttendee = ({ meetingId, body }: AttendeeRaw) =>
  ours(() => validateCreateAttendee(request({ pathParameters: { MeetingId: meetingId }, body: JSON.stringify(body) })));
const oursBatch = ({ meetingId, body }: BatchRaw) =>
  ours(() =>
    validateBatchCreateAttendee(request({ pathParameters: { MeetingId: meetingId }, body: JSON.stringify(body) })),
  );
const oursList = ({ meetingId, maxResults, nextToken }: ListRaw) =>
  ours(() =>
    validateListAttendees(
      request({
        pathParameters: { MeetingId: meetingId },
        queryStringParameters: {
          ...(maxResults && { 'max-results': 'n' in maxResults ? String(maxResults.n) : maxResults.text }),
          ...(nextToken !== undefined && { 'next-token': nextToken }),
        },
      }),
    ),
  );

/** Chime's verdict on one request (a meeting without MeetingFeatures): the model, then the capability rule. */
function chimeAccepts(operation: ChimeOperation, input: Body): boolean {
  if (validateChimeInput(operation, input).length > 0) return false;
  const items = operation === 'BatchCreateAttendee' ? (input.Attendees as Body[]) : [input];
  // BatchCreateAttendee reports a capability problem per item (Errors) instead of failing: either way not created.
  return items.every(
    (item) => !item.Capabilities || !capabilitiesProblem(undefined, item.Capabilities as Capabilities),
  );
}

/** The CreateAttendee request our handler sends for validated input. */
const sentAttendee = (v: NonNullable<ReturnType<typeof oursAttendee>>) => ({
  MeetingId: v.meetingId,
  ExternalUserId: v.attendee.externalUserId,
  ...(v.attendee.capabilities && { Capabilities: v.attendee.capabilities }),
});

/** The BatchCreateAttendee requests our handler sends: chunks of the contract's chunk size. */
function sentBatches(v: NonNullable<ReturnType<typeof oursBatch>>): Body[] {
  const chunks: Body[] = [];
  for (let i = 0; i < v.attendees.length; i += contract.CHIME_BATCH_CHUNK_SIZE) {
    const chunk = v.attendees.slice(i, i + contract.CHIME_BATCH_CHUNK_SIZE);
    chunks.push({
      MeetingId: v.meetingId,
      Attendees: chunk.map((a) => ({
        ExternalUserId: a.externalUserId,
        ...(a.capabilities && { Capabilities: a.capabilities }),
      })),
    });
  }
  return chunks;
}

const sentList = (v: NonNullable<ReturnType<typeof oursList>>) => ({
  MeetingId: v.meetingId,
  ...(v.maxResults !== undefined && { MaxResults: v.maxResults }),
  ...(v.nextToken !== undefined && { NextToken: v.nextToken }),
});

// ---- Generators, around both sides' bounds ----

const around = (...bounds: number[]) => [...new Set(bounds.flatMap((b) => [b - 1, b, b + 1]))].filter((n) => n >= 0);

/** Characters both sides are meant to admit in an ExternalUserId, the edges of the set included. */
const ADMITTED = [...'abcXYZ059', ...`-_&@+=,(){}[]/«».:|'"#`, ...' \t\n\u00a0\u2028\u3000\ufeff', ...'ÀÿéÑ×÷'];
/** Characters at or beyond the edges: other whitespace, neighbours of the Latin-1 range, ASCII outside the set. */
const EDGE = [
  ...'\r\v\f\u1680\u2000\u2029\u202f\u0085',
  ...'¿¡Āżß',
  ...';<>!?*%$~`\\^',
  '\u0000',
  '\u007f',
  '\u0301',
  '😀',
  '𝒜',
];
const idLengths = around(
  contract.EXTERNAL_USER_ID_MIN_LENGTH,
  contract.EXTERNAL_USER_ID_MAX_LENGTH,
  CHIME_LIMITS.externalUserId.min,
  CHIME_LIMITS.externalUserId.max,
);
/**
 * Strings of admitted characters at lengths around both sides' bounds (and a few others), with up to two
 * characters replaced by edge ones, and sometimes a reserved-prefix look-alike at the start.
 */
const externalUserIdText: fc.Arbitrary<string> = fc
  .record({
    length: fc.constantFrom(...idLengths, 5, 17, 30),
    text: fc.string({ unit: fc.constantFrom(...ADMITTED), minLength: 70, maxLength: 70 }),
    edges: fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...EDGE)), { minLength: 1, maxLength: 2 }) },
    ),
    prefix: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('aws:', 'AWS:', 'aWs:', 'Aws:', 'aws', 'aws-', ' aws:', 'awz:', 'aws\t'),
      },
    ),
  })
  .map(({ length, text, edges, prefix }) => {
    const chars = [...text].slice(0, length);
    for (const [at, char] of edges) if (chars.length > 0) chars[at % chars.length] = char;
    if (prefix && chars.length >= prefix.length) chars.splice(0, prefix.length, ...prefix);
    return chars.join('');
  });
const externalUserId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: externalUserIdText },
  { weight: 1, arbitrary: fc.constantFrom(42, true, ['x'], { id: 'x' }) },
);

const capabilityValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...contract.MEDIA_CAPABILITIES, ...CHIME_LIMITS.mediaCapabilities) },
  { weight: 1, arbitrary: fc.constantFrom('sendreceive', 'All', '', 'None ', 3, null) },
);
const capabilities: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ Audio: capabilityValue, Video: capabilityValue, Content: capabilityValue }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      { Audio: capabilityValue, Video: capabilityValue, Content: capabilityValue, Volume: fc.constant('high') },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 'SendReceive', ['Audio']) },
);

/** A CreateAttendee body: ExternalUserId mostly present, Capabilities half the time, an unknown field rarely. */
const attendeeBody: fc.Arbitrary<Body> = fc
  .tuple(
    fc.oneof({ weight: 12, arbitrary: externalUserId }, { weight: 1, arbitrary: fc.constant(undefined) }),
    fc.oneof({ weight: 1, arbitrary: capabilities }, { weight: 1, arbitrary: fc.constant(undefined) }),
    fc.nat(9),
  )
  .map(([ExternalUserId, Capabilities, dice]) => ({
    ...(ExternalUserId !== undefined && { ExternalUserId }),
    ...(Capabilities !== undefined && { Capabilities }),
    ...(dice === 0 && { Nickname: 'x' }),
  }));

const guid = fc.oneof(
  { weight: 8, arbitrary: fc.uuid().map((id) => id.toLowerCase()) },
  { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'not-a-guid',
      `{${MEETING_ID}}`,
      MEETING_ID.slice(1),
      `${MEETING_ID}0`,
      MEETING_ID.replace(/-/g, ''),
    ),
  },
);

const attendeeRaw: fc.Arbitrary<AttendeeRaw> = fc.record({ meetingId: guid, body: attendeeBody });

/** Batches of sizes around both sides' bounds: mostly valid items, a few generated ones at random places. */
const batchRaw: fc.Arbitrary<BatchRaw> = fc
  .record({
    meetingId: guid,
    size: fc.constantFrom(
      ...around(
        contract.BATCH_MIN_ITEMS,
        contract.BATCH_MAX_ITEMS,
        contract.CHIME_BATCH_CHUNK_SIZE,
        CHIME_LIMITS.batchCreateAttendee.min,
        CHIME_LIMITS.batchCreateAttendee.max,
      ),
      3,
    ),
    generated: fc.array(fc.tuple(fc.nat(), attendeeBody), { maxLength: 2 }),
    extraField: fc.nat(9).map((dice) => dice === 0),
  })
  .map(({ meetingId, size, generated, extraField }) => {
    const items: Body[] = Array.from({ length: size }, (_, i) => ({ ExternalUserId: `user-${i}` }));
    for (const [at, item] of generated) if (size > 0) items[at % size] = item;
    return { meetingId, body: { Attendees: items, ...(extraField && { Extra: 1 }) } };
  });

const tokenLengths = around(contract.NEXT_TOKEN_MAX_LENGTH, CHIME_LIMITS.nextTokenMaxLength, 0, 1);
const listRaw: fc.Arbitrary<ListRaw> = fc.record(
  {
    meetingId: guid,
    maxResults: fc.oneof(
      fc
        .constantFrom(
          ...around(
            contract.MAX_RESULTS_MIN,
            contract.MAX_RESULTS_MAX,
            CHIME_LIMITS.maxResults.min,
            CHIME_LIMITS.maxResults.max,
          ),
          50,
          -5,
          1_000_000,
        )
        .map((n) => ({ n })),
      fc
        .constantFrom('007', '+5', '5.0', '1e2', '', ' 5', '0x10', '0000000100', '99999999999')
        .map((text) => ({ text })),
    ),
    nextToken: fc
      .constantFrom(...tokenLengths, 7)
      .chain((length) =>
        fc.string({ unit: fc.constantFrom('A', 'z', '-', '_', '😀', ' '), minLength: length, maxLength: length }),
      ),
  },
  { requiredKeys: ['meetingId'] },
);

// ---- The properties ----

const GUID = new RegExp(`^(?:${CHIME_LIMITS.guidPattern})$`);

const RUNS = { numRuns: 400 };

describe("our validation and Chime's agree (the emulator's validation functions)", () => {
  test('every deliberately stricter rule is in force: its witness is refused by us and accepted by Chime', () => {
    for (const { rule, witness } of DELIBERATELY_STRICTER) {
      if ('attendee' in witness) {
        expect([rule, oursAttendee(witness.attendee)]).toEqual([rule, undefined]);
        expect([
          rule,
          chimeAccepts('CreateAttendee', { MeetingId: witness.attendee.meetingId, ...witness.attendee.body }),
        ]).toEqual([rule, true]);
      } else if ('batch' in witness) {
        expect([rule, oursBatch(witness.batch)]).toEqual([rule, undefined]);
        expect([
          rule,
          chimeAccepts('BatchCreateAttendee', { MeetingId: witness.batch.meetingId, ...witness.batch.body }),
        ]).toEqual([rule, true]);
      } else {
        expect([rule, oursList(witness.list)]).toEqual([rule, undefined]);
        expect([rule, chimeAccepts('ListAttendees', chimeList(witness.list))]).toEqual([rule, true]);
      }
    }
  });

  test('CreateAttendee: what we accept Chime accepts; what Chime accepts we accept (but for the stricter rules)', () => {
    fc.assert(
      fc.property(attendeeRaw, (raw) => {
        const validated = oursAttendee(raw);
        if (validated) expect(chimeAccepts('CreateAttendee', sentAttendee(validated))).toBe(true);
        else if (chimeAccepts('CreateAttendee', { MeetingId: raw.meetingId, ...raw.body })) {
          expect(stricterFor('attendee', raw)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  test('BatchCreateAttendee: every chunk our handler sends is accepted; a batch Chime accepts we accept', () => {
    fc.assert(
      fc.property(batchRaw, (raw) => {
        const validated = oursBatch(raw);
        if (validated) {
          for (const chunk of sentBatches(validated)) expect(chimeAccepts('BatchCreateAttendee', chunk)).toBe(true);
        } else if (chimeAccepts('BatchCreateAttendee', { MeetingId: raw.meetingId, ...raw.body })) {
          expect(stricterFor('batch', raw)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('ListAttendees: max-results and next-token we pass on are accepted; those Chime accepts we accept', () => {
    fc.assert(
      fc.property(listRaw, (raw) => {
        const validated = oursList(raw);
        if (validated) expect(chimeAccepts('ListAttendees', sentList(validated))).toBe(true);
        else if (!(raw.maxResults && 'text' in raw.maxResults) && chimeAccepts('ListAttendees', chimeList(raw))) {
          expect(stricterFor('list', raw)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

/** The ListAttendees input a Chime client sends for a raw list request with an integer max-results. */
function chimeList(raw: ListRaw): Body {
  return {
    MeetingId: raw.meetingId,
    ...(raw.maxResults && 'n' in raw.maxResults && { MaxResults: raw.maxResults.n }),
    ...(raw.nextToken !== undefined && { NextToken: raw.nextToken }),
  };
}

describe("our validation and Chime's agree (a sample over HTTP)", () => {
  let emulator: ChimeEmulator;
  let client: ChimeSDKMeetingsClient;

  beforeAll(async () => {
    emulator = await startChimeEmulator();
    client = chimeClient(emulator);
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  /** A raw request's verdict over HTTP: accepted, or refused by validation (400). */
  async function httpAccepts(method: string, path: string, body?: Body): Promise<boolean> {
    const response = await fetch(`${emulator.endpoint}${path}`, {
      method,
      headers: { ...sigV4Header(), 'content-type': 'application/json' },
      ...(body && { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as { Code?: string; Message?: string; Errors?: unknown[] };
    if (response.status === 200) return !answer.Errors || answer.Errors.length === 0;
    expect([response.status, answer.Code]).toEqual([400, 'BadRequest']);
    // A forged NextToken passes validation and is refused by the cursor check, as Chime would refuse it.
    return /NextToken is invalid/.test(answer.Message ?? '');
  }

  test("CreateAttendee: the handler's request succeeds with the SDK; a raw request gets the function's verdict", async () => {
    await fc.assert(
      fc.asyncProperty(attendeeRaw, async (raw) => {
        const meetingId = emulator.createMeeting().MeetingId!;
        // A well-formed MeetingId is replaced by a live meeting's, so the verdict is about the input alone.
        const live = { ...raw, meetingId: GUID.test(raw.meetingId) ? meetingId : raw.meetingId };
        try {
          const validated = oursAttendee(live);
          if (validated) await client.send(new CreateAttendeeCommand(sentAttendee(validated)));
          const input = { MeetingId: live.meetingId, ...live.body };
          const path = `/meetings/${encodeURIComponent(live.meetingId)}/attendees`;
          expect(await httpAccepts('POST', path, live.body)).toBe(chimeAccepts('CreateAttendee', input));
        } finally {
          emulator.endMeeting(meetingId);
        }
      }),
      { numRuns: 60 },
    );
  });

  test("BatchCreateAttendee: the handler's chunks succeed with the SDK; a raw request gets the function's verdict", async () => {
    await fc.assert(
      fc.asyncProperty(batchRaw, async (raw) => {
        const meetingId = emulator.createMeeting().MeetingId!;
        const live = { ...raw, meetingId: GUID.test(raw.meetingId) ? meetingId : raw.meetingId };
        try {
          const validated = oursBatch(live);
          for (const chunk of validated ? sentBatches(validated) : []) {
            const answer = await client.send(
              new BatchCreateAttendeeCommand(chunk as unknown as BatchCreateAttendeeCommandInput),
            );
            expect(answer.Errors).toEqual([]);
          }
          const path = `/meetings/${encodeURIComponent(live.meetingId)}/attendees?operation=batch-create`;
          const input = { MeetingId: live.meetingId, ...live.body };
          expect(await httpAccepts('POST', path, live.body)).toBe(chimeAccepts('BatchCreateAttendee', input));
        } finally {
          emulator.endMeeting(meetingId);
        }
      }),
      { numRuns: 25 },
    );
  });

  test("ListAttendees: the handler's request succeeds with the SDK; a raw request gets the function's verdict", async () => {
    const meetingId = emulator.createMeeting().MeetingId!;
    await fc.assert(
      fc.asyncProperty(listRaw, async (raw) => {
        const live = { ...raw, meetingId: GUID.test(raw.meetingId) ? meetingId : raw.meetingId };
        const validated = oursList(live);
        // Only a token Chime issued opens a page; a generated one is refused by the cursor check, as by Chime.
        if (validated && validated.nextToken === undefined)
          await client.send(new ListAttendeesCommand(sentList(validated)));
        if (live.maxResults && 'text' in live.maxResults) return;
        const query = new URLSearchParams({
          ...(live.maxResults && { 'max-results': String(live.maxResults.n) }),
          ...(live.nextToken !== undefined && { 'next-token': live.nextToken }),
        });
        const path = `/meetings/${encodeURIComponent(live.meetingId)}/attendees?${query}`;
        expect(await httpAccepts('GET', path)).toBe(chimeAccepts('ListAttendees', chimeList(live)));
      }),
      { numRuns: 40 },
    );
  });
});
