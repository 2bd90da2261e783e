// The whole join service on loopback: the Chime SDK Meetings emulator (or the real service), DynamoDB (dynalite,
// another endpoint such as DynamoDB Local, or the real service) with the construct's table, and the API Gateway
// adapter dispatching to the same handler code. Used by `npm run local` and by the end-to-end tests.
import { type IncomingMessage } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ATTENDEE_TABLE, ENV } from '../lib/contract';
import { OPERATION_TABLE } from '../lib/operations';
import { discardClients } from '../lambda/shared/clients';
import { type LocalApi, type ProxyHandler, startLocalApi } from './api-gateway';
import { assertOrigins } from './browser-guard';
import { type ChimeEmulator, type ChimeEmulatorOptions, startChimeEmulator } from './chime-emulator';
import {
  createAttendeeTable,
  createMeetingTable,
  ensureAttendeeTable,
  ensureMeetingTable,
  type LocalDynamoDb,
  startDynamoDb,
} from './dynamodb';
import { type DynamoDbFaultProxy, startDynamoDbFaultProxy } from './dynamodb-fault-proxy';
import { type LocalFunction, startLocalLambda } from './lambda-invoke';

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
  /**
   * Browser origins allowed to call the API, exact (`http://localhost:3000`); pages of any other origin are
   * refused, and no page reaches the emulator or dynalite (browser-guard.ts). @default none
   */
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
   * `dynalite`: an in-memory DynamoDB started for this service, with a fresh table. `aws`: the real service in
   * `region`, with the default credential chain. Either way `dynamodbEndpoint`, when set, is used instead.
   * @default 'dynalite'
   */
  readonly dynamodb?: 'dynalite' | 'aws';
  /**
   * A DynamoDB endpoint to use, e.g. DynamoDB Local's `http://localhost:8000`. Outside dynalite the table is
   * created if absent and an existing one is used as is if its keys match the contract (ensureAttendeeTable).
   * @default none: see `dynamodb`
   */
  readonly dynamodbEndpoint?: string;
  /** @default LOCAL_TABLE_NAME */
  readonly tableName?: string;
  /** The meeting table, created or checked like the attendee table. @default LOCAL_MEETING_TABLE_NAME */
  readonly meetingTableName?: string;
  /** Who may create meetings: `admins` or `users`. @default 'users' (local mode is for developing clients) */
  readonly meetingCreation?: 'admins' | 'users';
  /** Deliver the emulator's meeting events to the event function. @default true */
  readonly deliverEvents?: boolean;
  /**
   * Put a fault-injecting proxy (dynamodb-fault-proxy.ts) between the handlers and DynamoDB, for fault tests;
   * `dynamodbClient` still reads the table directly. @default false
   */
  readonly dynamodbFaultProxy?: boolean;
  /**
   * Plays the construct's `MeetingAccess.custom(fn)`: the join handlers invoke this function through a stand-in of
   * Lambda's Invoke API on loopback (local/lambda-invoke.ts), with the payload the deployed service sends, and
   * read its answer `{Allow, Capabilities?}`. @default none: `MeetingAccess.open()`
   */
  readonly meetingAccess?: LocalFunction;
  /** Called with one line per request the API answered (see LocalApiOptions.log). @default none */
  readonly log?: (line: string) => void;
}

export interface LocalJoinService {
  /** Base URL of the API, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly api: LocalApi;
  /** The emulator, unless the real Chime service is used. */
  readonly emulator?: ChimeEmulator;
  /** The dynalite started for this service, unless another DynamoDB is used. */
  readonly dynamodb?: LocalDynamoDb;
  /** The DynamoDB endpoint the service uses (dynalite's or the one given); undefined for the real service. */
  readonly dynamodbEndpoint?: string;
  /** The proxy the handlers reach DynamoDB through, when `dynamodbFaultProxy` is set. */
  readonly dynamodbFaults?: DynamoDbFaultProxy;
  /** A client of the service's DynamoDB, for reading the table. */
  readonly dynamodbClient: DynamoDBClient;
  readonly tableName: string;
  readonly meetingTableName: string;
  /** Whether the table was created at start (always, with dynalite) or an existing one is used. */
  readonly tableCreated: boolean;
  /**
   * Gives the handlers new AWS clients, as new Lambda containers would have: one process stands in for all of a
   * deployment's containers, so without this one scenario's failures drain the SDK's retry quota for the next.
   */
  newContainers(): void;
  /** Resolves once every meeting event delivered so far has been applied by the event function. */
  eventsDelivered(): Promise<void>;
  /** Stops (or resumes) delivering the emulator's meeting events: a lost event, for the sweep to repair. */
  setEventDelivery(on: boolean): void;
  stop(): Promise<void>;
}

export const LOCAL_TABLE_NAME = 'chime-join-service-attendees';
export const LOCAL_MEETING_TABLE_NAME = 'chime-join-service-meetings';

/** The headers `authorization: 'headers'` takes the caller's identity from. */
export const IDENTITY_HEADERS = { externalUserId: 'X-External-User-Id', admin: 'X-Admin' } as const;

/**
 * Starts the service. The handlers read their configuration from `process.env`, so one process runs one local
 * service at a time; the handler modules are loaded after the environment is set.
 */
export async function startLocalJoinService(options: LocalJoinServiceOptions = {}): Promise<LocalJoinService> {
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  const meetingTableName = options.meetingTableName ?? LOCAL_MEETING_TABLE_NAME;
  // Before anything starts: a wrong origin is a typo to report, not a server to stop.
  assertOrigins(options.corsAllowOrigins ?? []);
  const realDynamoDb = options.dynamodb === 'aws' && !options.dynamodbEndpoint;
  if (realDynamoDb && options.dynamodbFaultProxy) throw new Error('the DynamoDB fault proxy needs a DynamoDB endpoint');
  const started: { stop(): Promise<void> }[] = [];
  const stopStarted = () => Promise.all(started.map((s) => s.stop())).then(() => undefined);
  try {
    const emulator = options.chime === 'aws' ? undefined : await startChimeEmulator({ region, ...options.emulator });
    if (emulator) started.push(emulator);
    // The emulator, dynalite and DynamoDB Local want a signature, not real credentials: when the caller has no
    // credentials in the environment, sign with the emulator's. Never for the real DynamoDB, which needs the
    // caller's own from the default chain (environment, profile, SSO, ...); the emulator accepts those too.
    if (emulator && !realDynamoDb) {
      const { credentials } = emulator.clientConfig();
      process.env.AWS_ACCESS_KEY_ID ??= credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY ??= credentials.secretAccessKey;
    }

    const dynamodb = options.dynamodbEndpoint || realDynamoDb ? undefined : await startDynamoDb();
    if (dynamodb) started.push(dynamodb);
    const dynamodbEndpoint = dynamodb?.endpoint ?? options.dynamodbEndpoint;
    const dynamodbClient = new DynamoDBClient(
      dynamodb ? dynamodb.clientConfig() : { region, ...(dynamodbEndpoint && { endpoint: dynamodbEndpoint }) },
    );
    started.push({ stop: async () => dynamodbClient.destroy() });
    let tableCreated = true;
    if (dynamodb) {
      await createAttendeeTable(dynamodbClient, tableName);
      await createMeetingTable(dynamodbClient, meetingTableName);
    } else {
      const where = dynamodbEndpoint ? `DynamoDB at ${dynamodbEndpoint}` : `DynamoDB in ${region}`;
      try {
        tableCreated = (await ensureAttendeeTable(dynamodbClient, tableName)).created;
        await ensureMeetingTable(dynamodbClient, meetingTableName);
      } catch (error) {
        throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    const dynamodbFaults =
      options.dynamodbFaultProxy && dynamodbEndpoint
        ? await startDynamoDbFaultProxy({ target: dynamodbEndpoint })
        : undefined;
    if (dynamodbFaults) started.push(dynamodbFaults);

    const accessFunction = options.meetingAccess ? await startLocalLambda(options.meetingAccess, region) : undefined;
    if (accessFunction) started.push(accessFunction);

    Object.assign(process.env, {
      [ENV.tableName]: tableName,
      [ENV.meetingIndexName]: ATTENDEE_TABLE.meetingIndexName,
      [ENV.includeMeeting]: String(options.includeMeeting ?? true),
      [ENV.chimeRegion]: region,
      [ENV.corsAllowOrigins]: (options.corsAllowOrigins ?? []).join(','),
      [ENV.authMode]: options.authorization === 'headers' ? 'custom' : 'none',
      [ENV.meetingTableName]: meetingTableName,
      [ENV.meetingCreation]: options.meetingCreation ?? 'users',
      AWS_REGION: region,
    });
    // The SDK's own endpoint settings, as for any AWS SDK client pointed at a stand-in.
    if (dynamodbFaults || dynamodbEndpoint)
      process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamodbFaults?.endpoint ?? dynamodbEndpoint;
    else delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    if (options.attendeeTtlSeconds !== undefined)
      process.env[ENV.attendeeTtlSeconds] = String(options.attendeeTtlSeconds);
    if (accessFunction) {
      process.env.AWS_ENDPOINT_URL_LAMBDA = accessFunction.endpoint;
      process.env[ENV.meetingAccessFunction] = accessFunction.functionArn;
    } else {
      delete process.env.AWS_ENDPOINT_URL_LAMBDA;
      delete process.env[ENV.meetingAccessFunction];
    }
    if (emulator) process.env.AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS = emulator.endpoint;
    else delete process.env.AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS;

    const handlers = await loadHandlers();
    // Chime's meeting events reach the event function as EventBridge would bring them: asynchronously, one
    // invocation per event, in no promised order (several run at once).
    const eventHandler = ((await import('../lambda/meeting-events')) as { handler: (event: unknown) => Promise<void> })
      .handler;
    const pendingEvents = new Set<Promise<void>>();
    let deliverEvents = options.deliverEvents ?? true;
    const unsubscribe = emulator?.subscribe((event) => {
      if (!deliverEvents) return;
      const delivery = eventHandler(event).catch((error: unknown) => {
        options.log?.(
          `event ${String((event as { detail?: { eventType?: string } }).detail?.eventType)} failed: ${String(error)}`,
        );
      });
      pendingEvents.add(delivery);
      void delivery.finally(() => pendingEvents.delete(delivery));
    });
    const api = await startLocalApi({
      handlers,
      port: options.port ?? 0,
      corsAllowOrigins: options.corsAllowOrigins,
      corsAllowHeaders: options.authorization === 'headers' ? Object.values(IDENTITY_HEADERS) : [],
      authorizerContext: options.authorization === 'headers' ? identityFromHeaders : undefined,
      log: options.log,
    });
    return {
      url: api.url,
      api,
      emulator,
      dynamodb,
      dynamodbEndpoint,
      dynamodbFaults,
      dynamodbClient,
      tableName,
      meetingTableName,
      tableCreated,
      newContainers: discardClients,
      async eventsDelivered() {
        while (pendingEvents.size > 0) await Promise.all([...pendingEvents]);
      },
      setEventDelivery(on: boolean) {
        deliverEvents = on;
      },
      async stop() {
        unsubscribe?.();
        await Promise.all([...pendingEvents]);
        await api.stop();
        await stopStarted();
      },
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}

/** What a custom authorizer would put in the request context, taken on trust from two headers. */
function identityFromHeaders(request: IncomingMessage): Record<string, string> | undefined {
  const externalUserId = request.headers[IDENTITY_HEADERS.externalUserId.toLowerCase()];
  const isAdmin = request.headers[IDENTITY_HEADERS.admin.toLowerCase()] === 'true';
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
