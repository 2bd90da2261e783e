/**
 * Input validation as Chime applies it before it looks anything up: every operation's input shape is built from
 * the model (lengths, patterns, enums, list sizes, required members), plus the rules the model states only in its
 * documentation (the ExternalUserId and ExternalMeetingId character sets, the reserved `aws:` prefix, the media
 * region list). Rules that need the meeting (capabilities against its features) are in capabilities.ts.
 */
import { CHIME_LIMITS, RESERVED_PREFIX } from './limits';
import { anchored, modelShape } from './model';
import { type ChimeOperation, operationRoute } from './operations';

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
  | { readonly type: 'boolean' }
  | {
      readonly type: 'structure';
      readonly members: Readonly<Record<string, Shape>>;
      readonly required?: readonly string[];
    }
  | { readonly type: 'list'; readonly member: Shape; readonly min?: number; readonly max?: number };

const reservedPrefix = (value: string) =>
  value.toLowerCase().startsWith(RESERVED_PREFIX)
    ? `Member must not begin with the reserved prefix '${RESERVED_PREFIX}'`
    : undefined;

/** Rules the model states in documentation rather than as traits, keyed by the shape they apply to. */
const DOCUMENTED_RULES: Readonly<Record<string, Partial<Extract<Shape, { type: 'string' }>>>> = {
  ExternalUserId: { pattern: anchored(CHIME_LIMITS.externalUserId.pattern), check: reservedPrefix },
  ExternalMeetingId: { pattern: anchored(CHIME_LIMITS.externalMeetingId.pattern), check: reservedPrefix },
  MediaRegion: {
    check: (value) =>
      CHIME_LIMITS.mediaRegions.includes(value) ? undefined : 'Member must be a supported media region',
  },
};

const built = new Map<string, Shape>();

/** The validator shape of a model shape, with the documented rules applied. */
export function shapeOf(name: string): Shape {
  const cached = built.get(name);
  if (cached) return cached;
  const model = modelShape(name);
  let shape: Shape;
  switch (model.type) {
    case 'string':
      shape = {
        type: 'string',
        min: model.min,
        max: model.max,
        pattern: model.pattern === undefined ? undefined : anchored(model.pattern),
        enum: model.enum,
        ...DOCUMENTED_RULES[name],
      };
      break;
    case 'integer':
    case 'long':
      shape = { type: 'integer', min: model.min, max: model.max };
      break;
    case 'boolean':
      shape = { type: 'boolean' };
      break;
    case 'list':
      shape = { type: 'list', member: shapeOf(model.member!.shape), min: model.min, max: model.max };
      break;
    case 'structure':
      shape = {
        type: 'structure',
        members: Object.fromEntries(Object.entries(model.members ?? {}).map(([key, m]) => [key, shapeOf(m.shape)])),
        required: model.required,
      };
      break;
    default:
      throw new Error(`the emulator cannot validate the Chime model's ${model.type} shape ${name}`);
  }
  built.set(name, shape);
  return shape;
}

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

/**
 * The validation problems Chime finds in an operation's input, in the SDK's form (`{MeetingId, ExternalUserId,
 * Capabilities}`: members named as in the model, wherever they travel). Empty when the input passes.
 */
export function validateChimeInput(operation: ChimeOperation, input: Readonly<Record<string, unknown>>): string[] {
  return validate(input, shapeOf(operationRoute(operation).inputShape), '');
}

/** Formats violations as one message, as AWS does ("2 validation errors detected: ...; ..."), listing at most 10. */
export function validationMessage(problems: readonly string[]): string {
  const count = problems.length;
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${problems.slice(0, 10).join('; ')}`;
}

function visit(value: unknown, shape: Shape, path: string, problems: string[]): void {
  const fail = (constraint: string) => problems.push(`Value at '${path}' failed to satisfy constraint: ${constraint}`);
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return void fail('Member must be a string');
      // Smithy's length trait counts code points, not UTF-16 units.
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
    case 'boolean':
      if (typeof value !== 'boolean') fail('Member must be a boolean');
      return;
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
