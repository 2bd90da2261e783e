/**
 * Everything a handler takes from its environment: the AWS clients (built once per container, on first use)
 * and the configuration the construct sets. Only the modular clients are imported, so each bundle carries just
 * the commands its handler sends. The SDK's keep-alive connections stay; its retries and per-attempt timeouts
 * are bounded (see retry.ts) so that every call ends inside the function's timeout.
 */
import { ChimeSDKMeetingsClient } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { ATTENDEE_TABLE, DEFAULT_ATTENDEE_TTL_SECONDS, ENV } from '../../lib/contract';
import { currentCounters } from './metrics';
import { boundedRetryStrategy } from './retry';
import { Sha256 } from './sha256';

/** Counts a throttled Chime attempt on the request running now (its EMF record reports ChimeThrottles). */
const countChimeThrottle = () => {
  const counters = currentCounters();
  if (counters) counters.chimeThrottles += 1;
};

/** Per-attempt limits: 3 attempts of 3 s plus 1.5 s of backoff fit the single-operation functions' 15 s timeout. */
const CONNECTION_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 3_000;

export interface HandlerConfig {
  readonly tableName: string;
  readonly meetingIndexName: string;
  /** Whether a join answer carries the Meeting (one GetMeeting call, in parallel with CreateAttendee). */
  readonly includeMeeting: boolean;
  readonly attendeeTtlSeconds: number;
}

/** What a handler core is given: the clients, the config and a clock. Tests inject mocks or local endpoints. */
export interface Deps {
  readonly chime: ChimeSDKMeetingsClient;
  readonly dynamodb: DynamoDBClient;
  readonly config: HandlerConfig;
  readonly now: () => Date;
}

/** What a handler that only reads and writes the table needs (its bundle then carries no Chime client). */
export type TableDeps = Pick<Deps, 'dynamodb' | 'config' | 'now'>;

/** Reads and checks the configuration; a deployment error fails every request with 500 and says why in the log. */
export function readConfig(env: NodeJS.ProcessEnv): HandlerConfig {
  const tableName = env[ENV.tableName];
  if (!tableName) throw new Error(`${ENV.tableName} is not set`);
  const includeMeeting = env[ENV.includeMeeting] ?? 'true';
  if (includeMeeting !== 'true' && includeMeeting !== 'false')
    throw new Error(`${ENV.includeMeeting} must be true or false`);
  const ttl = env[ENV.attendeeTtlSeconds];
  const attendeeTtlSeconds = ttl === undefined || ttl === '' ? DEFAULT_ATTENDEE_TTL_SECONDS : Number(ttl);
  if (!Number.isSafeInteger(attendeeTtlSeconds) || attendeeTtlSeconds <= 0) {
    throw new Error(`${ENV.attendeeTtlSeconds} must be a positive whole number of seconds`);
  }
  return {
    tableName,
    meetingIndexName: env[ENV.meetingIndexName] || ATTENDEE_TABLE.meetingIndexName,
    includeMeeting: includeMeeting === 'true',
    attendeeTtlSeconds,
  };
}

/** The allowed CORS origins, from the comma-separated list the construct sets (none when unset). */
export function readCorsAllowOrigins(env: NodeJS.ProcessEnv): string[] {
  return (env[ENV.corsAllowOrigins] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

let chime: ChimeSDKMeetingsClient | undefined;
let dynamodb: DynamoDBClient | undefined;
let config: HandlerConfig | undefined;
let cors: string[] | undefined;

/** Chime SDK Meetings runs in fewer regions than Lambda, hence its own region; the SDK's default otherwise. */
export const chimeClient = () =>
  (chime ??= leanClient(
    new ChimeSDKMeetingsClient(
      clientOptions(process.env[ENV.chimeRegion], process.env[ENV.chimeEndpoint], countChimeThrottle),
    ),
    'chime',
  ));
export const dynamodbClient = () =>
  (dynamodb ??= leanClient(
    new DynamoDBClient(clientOptions(undefined, process.env[ENV.dynamodbEndpoint])),
    'dynamodb',
  ));

type SdkClient = ChimeSDKMeetingsClient | DynamoDBClient;

/**
 * Two pieces of per-call work the SDK does for nothing here, dropped through its public configuration:
 * - Without a `signer`, it builds a new SignatureV4 for every call from a copy of the whole client config. One
 *   signer per client, with the client's own credential provider and the same settings, signs the same bytes
 *   (test/handlers/clients.test.ts).
 * - No logger is configured, so the logger middleware only copies every input and output through the
 *   sensitive-data filter for a no-op logger. Our own log line is written in http.ts.
 * With sha256.ts, a warm join allocates ~11% less (339 to 302 KiB) and takes ~12% less time (bench/warm.mjs).
 */
export function leanClient<T extends SdkClient>(client: T, signingName: string): T {
  const { config } = client;
  const signer = new SignatureV4({
    credentials: () => config.credentials(),
    region: config.region,
    service: signingName,
    sha256: config.sha256,
    uriEscapePath: config.signingEscapePath,
  });
  config.signer = async () => signer;
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

export const handlerConfig = () => (config ??= readConfig(process.env));
export const corsAllowOrigins = () => (cors ??= readCorsAllowOrigins(process.env));

/**
 * The production dependencies. Getters, so that nothing is built before a core first uses it: validation runs
 * first, and a request it refuses costs no client and no configuration read. A client is handed out only once
 * the configuration has been read, so a broken deployment fails a request before any AWS call is made.
 */
export const awsDeps: Deps = {
  get chime() {
    handlerConfig();
    return chimeClient();
  },
  get dynamodb() {
    handlerConfig();
    return dynamodbClient();
  },
  get config() {
    return handlerConfig();
  },
  now: () => new Date(),
};

/** The same for a handler that never calls Chime (not derived from awsDeps: its bundle then has no Chime client). */
export const awsTableDeps: TableDeps = {
  get dynamodb() {
    handlerConfig();
    return dynamodbClient();
  },
  get config() {
    return handlerConfig();
  },
  now: () => new Date(),
};

/**
 * Unset options are left out, so the SDK's own defaults (region chain, real endpoints) apply. Retries and
 * per-attempt timeouts are bounded so a call ends, as our own JSON error, well inside the function's timeout.
 */
function clientOptions(region: string | undefined, endpoint: string | undefined, onThrottled?: () => void) {
  return {
    ...(region && { region }),
    ...(endpoint && { endpoint }),
    retryStrategy: boundedRetryStrategy(Math.random, onThrottled),
    // SigV4's hashes without a native object per digest (see sha256.ts).
    sha256: Sha256,
    // Resolve each command's middleware stack once per container, not on every call (~15% of a warm join's time).
    cacheMiddleware: true,
    // Since @smithy/node-http-handler 4.x, requestTimeout only logs a warning unless throwOnRequestTimeout is set:
    // without it a hung call would run until the function itself times out (API Gateway's 502/504, not our JSON).
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}
