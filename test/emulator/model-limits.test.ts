/**
 * The emulator's limits are the Chime model's: this test reads the vendored model file on its own and checks
 * (1) the file is the one its README names, (2) every limit the emulator states equals the model's shape or
 * documentation, and (3) every constraint the model puts on the inputs of an emulated operation is enforced, by
 * walking the input shapes and sending values just outside each bound through the emulator's validation.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHIME_ERROR_NAMES,
  CHIME_ERROR_STATUS,
  CHIME_LIMITS,
  CHIME_OPERATIONS,
  type ChimeOperation,
  OPERATION_ERRORS,
  validateChimeInput,
} from '../../local/chime-emulator';

const MODEL_DIR = join(__dirname, '../../local/chime-emulator/model');
const MODEL_TEXT = readFileSync(join(MODEL_DIR, 'chime-sdk-meetings-2021-07-15.json'), 'utf8');

interface Member {
  shape: string;
  location?: string;
  documentation?: string;
}
interface Shape {
  type: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  members?: Record<string, Member>;
  member?: Member;
  required?: string[];
  documentation?: string;
  error?: { httpStatusCode: number };
}
const model = JSON.parse(MODEL_TEXT) as {
  operations: Record<string, { input: { shape: string }; errors: { shape: string }[] }>;
  shapes: Record<string, Shape>;
};
const shape = (name: string) => model.shapes[name];
const bounds = (name: string) => ({ min: shape(name).min, max: shape(name).max });
const memberDoc = (structure: string, member: string) => shape(structure).members![member].documentation!;

/** The ExternalUserId character set as SERVICE.md states the seed rule. */
const SEED_EXTERNAL_USER_ID_CHARACTERS = `[-_&@+=,(){}\\[\\]\\/«».:|'"#a-zA-Z0-9À-ÿ\\s]*`;

describe('the vendored Chime model', () => {
  test('is the file model/README.md names, byte for byte', () => {
    const readme = readFileSync(join(MODEL_DIR, 'README.md'), 'utf8');
    const stated = /SHA-256: `([0-9a-f]{64})`/.exec(readme)?.[1];
    expect(createHash('sha256').update(MODEL_TEXT).digest('hex')).toBe(stated);
  });
});

describe("the emulator's limits equal the model's", () => {
  test('lengths, list sizes and ranges', () => {
    expect(CHIME_LIMITS.externalUserId).toMatchObject(bounds('ExternalUserId'));
    expect(CHIME_LIMITS.externalMeetingId).toMatchObject(bounds('ExternalMeetingId'));
    expect(CHIME_LIMITS.clientRequestToken).toMatchObject(bounds('ClientRequestToken'));
    expect(CHIME_LIMITS.batchCreateAttendee).toEqual(bounds('CreateAttendeeRequestItemList'));
    expect(CHIME_LIMITS.createMeetingWithAttendees).toEqual(bounds('CreateMeetingWithAttendeesRequestItemList'));
    expect(CHIME_LIMITS.excludedAttendeeIds).toEqual(bounds('AttendeeIdsList'));
    expect(CHIME_LIMITS.maxResults).toEqual(bounds('ResultMax'));
    expect(CHIME_LIMITS.nextTokenMaxLength).toBe(shape(shape('ListAttendeesRequest').members!.NextToken.shape).max);
    expect(CHIME_LIMITS.attendeeMaxCount).toEqual(bounds('AttendeeMax'));
    expect(CHIME_LIMITS.tenantIds).toEqual({ ...bounds('TenantIdList'), item: bounds('TenantId') });
    expect(CHIME_LIMITS.tags).toEqual({ ...bounds('TagList'), key: bounds('TagKey'), value: bounds('TagValue') });
  });

  test('the values seen in numbers: 250 attendees, 100 per batch, 1 to 100 results, 4096-character tokens', () => {
    // The seed rules state these; the model must agree, or the vendored file has changed under us.
    expect(CHIME_LIMITS.attendeesPerMeeting).toBe(250);
    expect(CHIME_LIMITS.batchCreateAttendee).toEqual({ min: 1, max: 100 });
    expect(CHIME_LIMITS.maxResults).toEqual({ min: 1, max: 100 });
    expect(CHIME_LIMITS.nextTokenMaxLength).toBe(4096);
    expect(CHIME_LIMITS.createMeetingWithAttendees).toEqual({ min: 1, max: 20 });
  });

  test('enums and capability names', () => {
    expect(CHIME_LIMITS.mediaCapabilities).toEqual(shape('MediaCapabilities').enum);
    expect(CHIME_LIMITS.capabilityNames).toEqual(Object.keys(shape('AttendeeCapabilities').members!));
    expect(CHIME_LIMITS.capabilityNames).toEqual(shape('AttendeeCapabilities').required);
    expect(CHIME_LIMITS.videoResolutions).toEqual(shape('VideoResolution').enum);
    expect(CHIME_LIMITS.contentResolutions).toEqual(shape('ContentResolution').enum);
    expect(CHIME_LIMITS.mediaPlacementNetworkTypes).toEqual(shape('MediaPlacementNetworkType').enum);
  });

  test('patterns: the GUID trait, and the character sets the documentation states', () => {
    expect(CHIME_LIMITS.guidPattern).toBe(shape('GuidString').pattern);
    expect(CHIME_LIMITS.clientRequestToken.pattern).toBe(shape('ClientRequestToken').pattern);
    const unescape = (text: string) => text.replace(/&amp;/g, '&');
    expect(unescape(memberDoc('CreateAttendeeRequest', 'ExternalUserId'))).toContain(
      `Pattern: <code>${CHIME_LIMITS.externalUserId.pattern}</code>`,
    );
    expect(unescape(memberDoc('CreateMeetingRequest', 'ExternalMeetingId'))).toContain(
      `Pattern: <code>${CHIME_LIMITS.externalMeetingId.pattern}</code>`,
    );
    // The model's documented character set is the seed rule's.
    expect(CHIME_LIMITS.externalUserId.pattern).toBe(SEED_EXTERNAL_USER_ID_CHARACTERS);
    expect(CHIME_LIMITS.externalMeetingId.pattern).toBe(SEED_EXTERNAL_USER_ID_CHARACTERS);
    for (const [structure, member] of [
      ['CreateAttendeeRequest', 'ExternalUserId'],
      ['CreateMeetingRequest', 'ExternalMeetingId'],
    ]) {
      expect(memberDoc(structure, member)).toContain(
        `Values that begin with <code>${CHIME_LIMITS.externalUserId.reservedPrefix}</code> are reserved`,
      );
    }
  });

  test('media regions: the list CreateMeeting documents', () => {
    const documented = [...memberDoc('CreateMeetingRequest', 'MediaRegion').matchAll(/<code>([a-z0-9-]+)<\/code>/g)];
    expect(CHIME_LIMITS.mediaRegions).toEqual(documented.map((m) => m[1]));
    expect(CHIME_LIMITS.mediaRegions).toHaveLength(20);
  });

  test('high-resolution meetings: at most 25 attendees, as AttendeeFeatures documents', () => {
    expect(shape('AttendeeFeatures').documentation).toContain(
      `changes from the default of <code>${CHIME_LIMITS.attendeesPerMeeting}</code> to <code>${CHIME_LIMITS.attendeesPerHighResolutionMeeting}</code>`,
    );
    for (const features of ['VideoFeatures', 'ContentFeatures']) {
      expect(shape(features).members!.MaxResolution.documentation).toContain(
        'you must also provide a <code>MeetingFeatures:Attendee:MaxCount</code> value',
      );
    }
  });

  test("errors: each operation's declared errors and each error's HTTP status", () => {
    for (const operation of CHIME_OPERATIONS) {
      expect([operation, OPERATION_ERRORS[operation]]).toEqual([
        operation,
        model.operations[operation].errors.map((e) => e.shape),
      ]);
    }
    for (const name of CHIME_ERROR_NAMES) {
      expect([name, CHIME_ERROR_STATUS[name]]).toEqual([name, shape(name).error!.httpStatusCode]);
    }
  });
});

interface Violation {
  readonly path: (string | number)[];
  readonly value: unknown;
  readonly expected: RegExp;
}

/** A value just outside every bound the model states on a shape and the shapes inside it. */
function* violations(shapeName: string, path: (string | number)[], depth = 0): Generator<Violation> {
  const s = shape(shapeName);
  if (depth > 6) return;
  switch (s.type) {
    case 'string':
      if (s.max !== undefined)
        yield { path, value: 'x'.repeat(s.max + 1), expected: new RegExp(`less than or equal to ${s.max}`) };
      if (s.min !== undefined && s.min > 0)
        yield { path, value: 'x'.repeat(s.min - 1), expected: new RegExp(`greater than or equal to ${s.min}`) };
      if (s.enum) yield { path, value: 'NotAModelValue', expected: /enum value set/ };
      return;
    case 'integer':
      if (s.max !== undefined)
        yield { path, value: s.max + 1, expected: new RegExp(`value less than or equal to ${s.max}`) };
      if (s.min !== undefined)
        yield { path, value: s.min - 1, expected: new RegExp(`value greater than or equal to ${s.min}`) };
      return;
    case 'list':
      if (s.max !== undefined)
        yield { path, value: Array(s.max + 1).fill({}), expected: new RegExp(`length less than or equal to ${s.max}`) };
      if (s.min !== undefined && s.min > 0) {
        yield { path, value: [], expected: new RegExp(`length greater than or equal to ${s.min}`) };
      }
      yield* violations(s.member!.shape, [...path, 0], depth + 1);
      return;
    case 'structure':
      for (const required of s.required ?? []) {
        if (s.members![required].location === undefined)
          yield { path: [...path, required], value: null, expected: /must not be null/ };
      }
      for (const [name, member] of Object.entries(s.members ?? {})) {
        yield* violations(member.shape, [...path, name], depth + 1);
      }
  }
}

/** An object with `value` at `path` (list indexes make one-element lists). */
function withValueAt(path: (string | number)[], value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node: Record<string | number, unknown> = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const child = typeof path[i + 1] === 'number' ? [] : {};
    node[key] = child;
    node = child as Record<string | number, unknown>;
  });
  return root;
}

const format = (path: (string | number)[]) =>
  path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');

describe('every constraint of the model on an emulated input is enforced', () => {
  const cases = CHIME_OPERATIONS.flatMap((operation) =>
    [...violations(model.operations[operation].input.shape, [])].map(
      (violation) => [operation, format(violation.path), violation] as [ChimeOperation, string, Violation],
    ),
  );

  test('the walk finds the constraints (a sanity check of the test itself)', () => {
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.map(([operation, path]) => `${operation} ${path}`)).toEqual(
      expect.arrayContaining([
        'CreateMeeting MeetingFeatures.Attendee.MaxCount',
        'BatchCreateAttendee Attendees',
        'BatchCreateAttendee Attendees[0].Capabilities.Audio',
        'ListAttendees MaxResults',
        'ListAttendees NextToken',
        'CreateMeetingWithAttendees Attendees[0].ExternalUserId',
        'BatchUpdateAttendeeCapabilitiesExcept ExcludedAttendeeIds',
      ]),
    );
  });

  test.each(cases)('%s refuses %s just outside the bound', (operation, path, { path: keys, value, expected }) => {
    const problems = validateChimeInput(operation, withValueAt(keys, value));
    expect(problems.filter((problem) => problem.startsWith(`Value at '${path}'`) && expected.test(problem))).toEqual([
      expect.any(String),
    ]);
  });
});
