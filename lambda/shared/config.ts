/**
 * Everything a handler takes from its environment, and the only module that reads `process.env`: the settings the
 * construct sets on the function (lib/contract.ts ENV), read and checked once per container. A deployment error
 * fails every request with 500 and says why in the log, before any AWS call.
 *
 * Endpoints are not ours to read: local runs and tests point the SDK clients at stand-ins with the SDK's own
 * `AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS` and `AWS_ENDPOINT_URL_DYNAMODB` (and `AWS_ENDPOINT_URL_LAMBDA`, which
 * meeting-access.ts reads through lambdaEndpoint: it calls Lambda without the SDK's client).
 */
import {
  ATTENDEE_TABLE,
  AUTH_MODES,
  DEFAULT_ADMIN_GROUP,
  DEFAULT_ATTENDEE_TTL_SECONDS,
  DEFAULT_IDENTITY_CLAIM,
  DEFAULT_SWEEP_MAX_CHECKS,
  ENV,
  MEETING_CREATION_MODES,
} from '../../lib/contract';

export interface HandlerConfig {
  readonly tableName: string;
  readonly meetingIndexName: string;
  /** Whether a join answer carries the Meeting (one GetMeeting call, in parallel with CreateAttendee). */
  readonly includeMeeting: boolean;
  readonly attendeeTtlSeconds: number;
  /** The meeting table (version 2 routes); unset for a deployment without one. */
  readonly meetingTableName?: string;
  /** Who may create meetings. */
  readonly meetingCreation: MeetingCreation;
  /** Media regions meetings may be created in (empty: every region the model lists). */
  readonly mediaRegions: readonly string[];
  /** The bus the service republishes its events on; unset: none. */
  readonly eventBusName?: string;
  /** GetMeeting calls per sweep run. */
  readonly sweepMaxChecks: number;
}

export type MeetingCreation = (typeof MEETING_CREATION_MODES)[number];

export type AuthMode = (typeof AUTH_MODES)[number];

export interface AuthConfig {
  readonly mode: AuthMode;
  readonly identityClaim: string;
  readonly adminGroup: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** The table and join settings. */
export function readConfig(env: Environment): HandlerConfig {
  const tableName = env[ENV.tableName];
  if (!tableName) throw new Error(`${ENV.tableName} is not set`);
  const includeMeeting = env[ENV.includeMeeting] ?? 'true';
  if (includeMeeting !== 'true' && includeMeeting !== 'false') {
    throw new Error(`${ENV.includeMeeting} must be true or false`);
  }
  const attendeeTtlSeconds = positiveInteger(env, ENV.attendeeTtlSeconds, DEFAULT_ATTENDEE_TTL_SECONDS);
  const meetingCreation = env[ENV.meetingCreation] || 'admins';
  if (!MEETING_CREATION_MODES.includes(meetingCreation as MeetingCreation)) {
    throw new Error(`${ENV.meetingCreation} must be one of ${MEETING_CREATION_MODES.join(', ')}`);
  }
  return {
    tableName,
    meetingIndexName: env[ENV.meetingIndexName] || ATTENDEE_TABLE.meetingIndexName,
    includeMeeting: includeMeeting === 'true',
    attendeeTtlSeconds,
    meetingTableName: env[ENV.meetingTableName] || undefined,
    meetingCreation: meetingCreation as MeetingCreation,
    mediaRegions: (env[ENV.mediaRegions] ?? '')
      .split(',')
      .map((region) => region.trim())
      .filter(Boolean),
    eventBusName: env[ENV.eventBusName] || undefined,
    sweepMaxChecks: positiveInteger(env, ENV.sweepMaxChecks, DEFAULT_SWEEP_MAX_CHECKS),
  };
}

/** A positive whole number from the environment, or the default when unset. */
function positiveInteger(env: Environment, name: string, fallback: number): number {
  const text = env[name];
  const value = text === undefined || text === '' ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
}

/** How callers are identified. A missing or unknown mode fails every request (500, logged): never guess towards open. */
export function readAuthConfig(env: Environment): AuthConfig {
  const mode = env[ENV.authMode];
  if (!AUTH_MODES.includes(mode as AuthMode)) {
    throw new Error(
      `${ENV.authMode} must be one of ${AUTH_MODES.join(', ')}; got ${mode === undefined ? 'nothing' : `"${mode}"`}`,
    );
  }
  return {
    mode: mode as AuthMode,
    identityClaim: env[ENV.authIdentityClaim] || DEFAULT_IDENTITY_CLAIM,
    adminGroup: env[ENV.authAdminGroup] || DEFAULT_ADMIN_GROUP,
  };
}

/** The allowed CORS origins, from the comma-separated list the construct sets (none when unset). */
export function readCorsAllowOrigins(env: Environment): string[] {
  return (env[ENV.corsAllowOrigins] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

let handler: HandlerConfig | undefined;
let auth: AuthConfig | undefined;
let cors: string[] | undefined;

/** The container's settings, each read once on first use. */
export const handlerConfig = () => (handler ??= readConfig(process.env));
export const authConfig = () => (auth ??= readAuthConfig(process.env));
export const corsAllowOrigins = () => (cors ??= readCorsAllowOrigins(process.env));
/** Chime SDK Meetings runs in fewer regions than Lambda, hence its own; unset: the SDK's region chain. */
export const chimeRegion = () => process.env[ENV.chimeRegion] || undefined;
/** The meeting access function (`MeetingAccess.custom`), by ARN; unset: `open`. */
export const meetingAccessFunction = () => process.env[ENV.meetingAccessFunction] || undefined;
/** Lambda's endpoint for the access function's invocation: the SDK's standard variable (local runs set it). */
export const lambdaEndpoint = () => process.env.AWS_ENDPOINT_URL_LAMBDA || undefined;
/** The `Service` dimension of the metrics: which join service (construct) a record comes from. */
export const metricsService = () => process.env[ENV.metricsService] || 'local';

/** The credentials Lambda hands a function in its environment (see env-credentials.ts). */
export function environmentCredentials() {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined };
}
