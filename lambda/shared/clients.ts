/**
 * The AWS clients a handler calls (built once per container, on first use) and the dependencies a handler core is
 * given. Only the modular clients are imported, so each bundle carries just the commands its handler sends. The
 * SDK's keep-alive connections stay; its retries and per-attempt timeouts are bounded (retry.ts) so that every
 * call ends inside the function's timeout.
 */
import {
  ChimeSDKMeetingsClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { chimeRegion, type HandlerConfig, handlerConfig } from './config';
import { currentCounters } from './metrics';
import { type BoundedRetryOptions, boundedRetryStrategy } from './retry';
import { Sha256 } from './sha256';

/** Per-attempt limits: 3 attempts of 3 s plus 1.5 s of backoff fit the single-operation functions' 15 s timeout. */
const CONNECTION_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 3_000;

/** What a handler core is given: the clients, the config and a clock. Tests inject mocks or local endpoints. */
export interface Deps {
  readonly chime: ChimeSDKMeetingsClient;
  readonly dynamodb: DynamoDBClient;
  readonly config: HandlerConfig;
  readonly now: () => Date;
}

/** What a handler that only reads and writes the table needs (its bundle then carries no Chime client). */
export type TableDeps = Pick<Deps, 'dynamodb' | 'config' | 'now'>;

let chime: ChimeSDKMeetingsClient | undefined;
let dynamodb: DynamoDBClient | undefined;

export const chimeClient = () =>
  (chime ??= countThrottles(
    leanClient(new ChimeSDKMeetingsClient(clientOptions(chimeRegion(), { retryThrottling: false })), 'chime'),
  ));
export const dynamodbClient = () =>
  (dynamodb ??= leanClient(new DynamoDBClient(clientOptions(undefined, { retryThrottling: true })), 'dynamodb'));

// Types only: the EventBridge client is built in event-bus.ts, so no other bundle carries it.
type SdkClient = ChimeSDKMeetingsClient | DynamoDBClient | EventBridgeClient;

/**
 * Drops the container's clients, so the next call builds new ones (with a full retry quota), as a new Lambda
 * container would. Only local mode calls it: there one process stands in for many containers.
 */
export function discardClients(): void {
  chime?.destroy();
  dynamodb?.destroy();
  chime = undefined;
  dynamodb = undefined;
}

/**
 * Two pieces of per-call work the SDK does for nothing here, dropped through its public configuration:
 * - Without a `signer`, it builds a new SignatureV4 for every call from a copy of the whole client config. One
 *   signer per client, with the client's own credential provider and the same settings, signs the same bytes
 *   (test/handlers/clients.test.ts).
 * - No logger is configured, so the logger middleware only copies every input and output through the
 *   sensitive-data filter for a no-op logger. Our own log line is written in http.ts.
 * With sha256.ts, a warm join allocates ~11% less (339 to 302 KiB) and takes ~12% less time (docs/PERFORMANCE.md).
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

/**
 * Counts every Chime attempt answered with HTTP 429 on the running request's record (its ChimeThrottles metric),
 * retried attempts included: placed inside the retry middleware, it sees each attempt.
 */
export function countThrottles(client: ChimeSDKMeetingsClient): ChimeSDKMeetingsClient {
  const counter: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
    try {
      return await next(args);
    } catch (err) {
      // Stryker disable next-line OptionalChaining: never null here: the SDK's signing middleware, inside this one, reads a property of every error (clock skew)
      const metadata = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
      if (metadata?.httpStatusCode === 429) {
        const counters = currentCounters();
        if (counters) counters.chimeThrottles += 1;
      }
      throw err;
    }
  };
  client.middlewareStack.addRelativeTo(counter, {
    name: 'throttleCounter',
    relation: 'after',
    toMiddleware: 'retryMiddleware',
  });
  return client;
}

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
 * Unset options are left out, so the SDK's own defaults apply (region chain; endpoints, including the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables local runs set). Retries and per-attempt timeouts are bounded so a call
 * ends, as our own JSON error, well inside the function's timeout.
 */
export function clientOptions(region: string | undefined, retry: BoundedRetryOptions) {
  return {
    ...(region && { region }),
    retryStrategy: boundedRetryStrategy(retry),
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
