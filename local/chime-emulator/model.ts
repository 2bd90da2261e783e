/**
 * The Chime SDK Meetings service model (botocore form, vendored in ./model), loaded once at startup, and the
 * helpers that read facts out of it: shapes, members, operations, and values its documentation states.
 *
 * The emulator states Chime's rules from this file, never from the join service's own contract (lib/contract.ts),
 * so a drift between our rules and Chime's fails a test instead of being copied into the stand-in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ModelMember {
  readonly shape: string;
  readonly location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  readonly locationName?: string;
  readonly documentation?: string;
  readonly idempotencyToken?: boolean;
}

export interface ModelShape {
  readonly type: 'string' | 'integer' | 'boolean' | 'structure' | 'list' | 'long' | 'timestamp' | 'map';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly members?: Readonly<Record<string, ModelMember>>;
  readonly member?: ModelMember;
  readonly required?: readonly string[];
  readonly documentation?: string;
  readonly exception?: boolean;
  readonly error?: { readonly httpStatusCode: number };
}

export interface ModelOperation {
  readonly name: string;
  readonly http: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: { readonly shape: string };
  readonly output?: { readonly shape: string };
  readonly errors?: readonly { readonly shape: string }[];
  readonly documentation?: string;
}

export interface ServiceModel {
  readonly metadata: { readonly apiVersion: string; readonly signingName: string; readonly protocol: string };
  readonly operations: Readonly<Record<string, ModelOperation>>;
  readonly shapes: Readonly<Record<string, ModelShape>>;
}

/** Where the vendored model lives (see model/README.md for its source and checksum). */
export const MODEL_FILE = join(__dirname, 'model', 'chime-sdk-meetings-2021-07-15.json');

/** The parsed model. */
export const MODEL: ServiceModel = JSON.parse(readFileSync(MODEL_FILE, 'utf8')) as ServiceModel;

export function modelShape(name: string): ModelShape {
  const shape = MODEL.shapes[name];
  if (!shape) throw new Error(`the Chime model has no shape ${name}`);
  return shape;
}

export function modelMember(shapeName: string, memberName: string): ModelMember {
  const member = modelShape(shapeName).members?.[memberName];
  if (!member) throw new Error(`the Chime model's ${shapeName} has no member ${memberName}`);
  return member;
}

export function modelOperation(name: string): ModelOperation {
  const operation = MODEL.operations[name];
  if (!operation) throw new Error(`the Chime model has no operation ${name}`);
  return operation;
}

/**
 * `min` and `max` of a shape (list sizes, string lengths, integer ranges); each must be present unless `defaults`
 * says what its absence means (a string without `min` may be empty).
 */
export function bounds(
  shapeName: string,
  defaults: { readonly min?: number; readonly max?: number } = {},
): { readonly min: number; readonly max: number } {
  const { min = defaults.min, max = defaults.max } = modelShape(shapeName);
  if (min === undefined || max === undefined) throw new Error(`the Chime model's ${shapeName} is not bounded`);
  return { min, max };
}

/** Model patterns are unanchored (SOURCE.md); the service matches the whole value. */
export function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** The text of every `<code>` element of a documentation string, HTML entities decoded. */
export function documentedCodes(documentation: string | undefined): string[] {
  return [...(documentation ?? '').matchAll(/<code>(.*?)<\/code>/g)].map((match) => unescapeHtml(match[1]));
}

/**
 * The pattern a member's documentation states ("Pattern: <code>...</code>"): the model carries some character
 * sets only there, not as the shape's pattern trait.
 */
export function documentedPattern(shapeName: string, memberName: string): string {
  const documentation = modelMember(shapeName, memberName).documentation ?? '';
  const match = /Pattern:\s*<code>(.*?)<\/code>/.exec(documentation);
  if (!match) throw new Error(`the Chime model documents no pattern for ${shapeName}.${memberName}`);
  return unescapeHtml(match[1]);
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
