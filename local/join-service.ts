// The whole join service on loopback: the Chime SDK Meetings emulator (or the real service), DynamoDB through
// dynalite with the construct's table, and the API Gateway adapter dispatching to the same handler code.
// Used by `npm run local` and by the end-to-end tests.
import { type IncomingMessage } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../lib/contract';
import { OPERATION_TABLE } from '../lib/operations';
import { discardClients } from '../lambda/shared/clients';
import { type LocalApi, type ProxyHandler, startLocalApi } from './api-gateway';
import { type ChimeEmulator, type ChimeEmulatorOptions, startChimeEmulator } from './chime-emulator';
import { createAttendeeTable, type LocalDynamoDb, startDynamoDb } from './dynamodb';
import { type DynamoDbFaultProxy, startDynamoDbFaultProxy } from './dynamodb-fault-proxy';

export interface LocalJoinServiceOptions {
  /** Port of the API on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** `emulator` runs the local Chime emulator; `aws` calls the real service with the default credential chain. */
  readonly chime?: 'emulator' | 'aws';
  /** Chime control region. @default 'us-east-1' */
  readonly region?: string;
  /** @default true */
  readonly includeMeeting?: boolean;
  /** Mapping lifetime in seconds. @default the service default (24 h) */
  readonly attendeeTtlSeconds?: number;
  /** Browser origins allowed to call the API. @default none */
  readonly corsAllowOrigins?: string[];
  /**
   * `none`: every caller is trusted (the default of local mode). `headers`: the caller's identity comes from the
   * `X-External-User-Id` and `X-Admin: true` headers, unverified, as a custom authorizer's context would carry it,
   * so a frontend can be developed against the identity rules of a deployed API.
   * @default 'none'
   */
  readonly authorization?: 'none' | 'headers';
  /** Options of the emulator (port, seed, log, ...). */
  readonly emulator?: ChimeEmulatorOptions;
  /**
   * Put a fault-injecting proxy (dynamodb-fault-proxy.ts) between the handlers and DynamoDB, for fault tests;
   * `dynamodbClient` still reads the table directly. @default false
   */
  readonly dynamodbFaultProxy?: boolean;
}

export interface LocalJoinService {
  /** Base URL of the API, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly api: LocalApi;
  /** The emulator, unless the real Chime service is used. */
  readonly emulator?: ChimeEmulator;
  readonly dynamodb: LocalDynamoDb;
  /** The proxy the handlers reach DynamoDB through, when `dynamodbFaultProxy` is set. */
  readonly dynamodbFaults?: DynamoDbFaultProxy;
  /** A client of the local DynamoDB, for reading the table. */
  readonly dynamodbClient: DynamoDBClient;
  readonly tableName: string;
  /**
   * Gives the handlers new AWS clients, as new Lambda containers would have: one process stands in for all of a
   * deployment's containers, so without this one scenario's failures drain the SDK's retry quota for the next.
   */
  newContainers(): void;
  stop(): Promise<void>;
}

export const LOCAL_TABLE_NAME = 'chime-join-service-attendees';

/**
 * Starts the service. The handlers read their configuration from `process.env`, so one process runs one local
 * service at a time; the handler modules are loaded after the environment is set.
 */
export async function startLocalJoinService(options: LocalJoinServiceOptions = {}): Promise<LocalJoinService> {
  const region = options.region ?? 'us-east-1';
  const emulator = options.chime === 'aws' ? undefined : await startChimeEmulator({ region, ...options.emulator });
  const dynamodb = await startDynamoDb();
  const dynamodbClient = new DynamoDBClient(dynamodb.clientConfig());
  await createAttendeeTable(dynamodbClient, LOCAL_TABLE_NAME);
  const dynamodbFaults = options.dynamodbFaultProxy
    ? await startDynamoDbFaultProxy({ target: dynamodb.endpoint })
    : undefined;

  Object.assign(process.env, {
    [ENV.tableName]: LOCAL_TABLE_NAME,
    [ENV.meetingIndexName]: 'byMeeting',
    [ENV.includeMeeting]: String(options.includeMeeting ?? true),
    [ENV.chimeRegion]: region,
    [ENV.corsAllowOrigins]: (options.corsAllowOrigins ?? []).join(','),
    // The SDK's own endpoint settings, as for any AWS SDK client pointed at a stand-in.
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbFaults?.endpoint ?? dynamodb.endpoint,
    [ENV.authMode]: options.authorization === 'headers' ? 'custom' : 'none',
    AWS_REGION: region,
  });
  if (options.attendeeTtlSeconds !== undefined)
    process.env[ENV.attendeeTtlSeconds] = String(options.attendeeTtlSeconds);
  if (emulator) {
    process.env.AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS = emulator.endpoint;
    // The emulator and dynalite want a signature, not real credentials; keep any real ones the caller has.
    const { credentials } = emulator.clientConfig();
    process.env.AWS_ACCESS_KEY_ID ??= credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= credentials.secretAccessKey;
  } else {
    delete process.env.AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS;
  }

  const handlers = await loadHandlers();
  const api = await startLocalApi({
    handlers,
    port: options.port ?? 0,
    corsAllowOrigins: options.corsAllowOrigins,
    authorizerContext: options.authorization === 'headers' ? identityFromHeaders : undefined,
  });
  return {
    url: api.url,
    api,
    emulator,
    dynamodb,
    dynamodbFaults,
    dynamodbClient,
    tableName: LOCAL_TABLE_NAME,
    newContainers: discardClients,
    async stop() {
      await api.stop();
      dynamodbClient.destroy();
      await Promise.all([emulator?.stop(), dynamodbFaults?.stop(), dynamodb.stop()]);
    },
  };
}

/** What a custom authorizer would put in the request context, taken on trust from two headers. */
function identityFromHeaders(request: IncomingMessage): Record<string, string> | undefined {
  const externalUserId = request.headers['x-external-user-id'];
  const isAdmin = request.headers['x-admin'] === 'true';
  if (typeof externalUserId !== 'string' && !isAdmin) return undefined;
  return { ...(typeof externalUserId === 'string' && { externalUserId }), isAdmin: String(isAdmin) };
}

/** Each operation's handler, from lambda/<operation>.ts: the operation table names them all. */
async function loadHandlers(): Promise<Record<string, ProxyHandler>> {
  const modules = await Promise.all(
    OPERATION_TABLE.map(async ({ operation }) => {
      const module = (await import(`../lambda/${operation}`)) as { handler?: ProxyHandler };
      if (typeof module.handler !== 'function') throw new Error(`lambda/${operation}.ts exports no handler`);
      return [operation, module.handler] as const;
    }),
  );
  return Object.fromEntries(modules);
}
