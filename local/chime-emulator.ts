/**
 * A local Amazon Chime SDK Meetings emulator for tests and `npm run local`: a node:http server on loopback that
 * speaks the service's REST-JSON protocol the way `@aws-sdk/client-chime-sdk-meetings` sends and parses it.
 *
 * Protocol, as the SDK reads it:
 * - Routes are the model's (`POST /meetings`, `POST /meetings/{MeetingId}/attendees?operation=batch-create`, ...);
 *   success codes are the model's (200, and 204 for the deletes).
 * - Errors carry `x-amzn-ErrorType: <Name>Exception:<namespace>` (the SDK keeps the part before the colon and
 *   picks the exception class from it), `x-amzn-RequestId`, and the body `{Code, Message, RequestId}` where Code
 *   is the name without "Exception" (`NotFound`, `Throttling`, ...). ServiceUnavailable may carry `Retry-After`,
 *   which the SDK exposes as `RetryAfterSeconds` and its retry strategy honours.
 * - Throttled responses (429) also carry `Retry-After` (seconds until the bucket holds a token again, rounded up),
 *   so the SDK's own retry waits long enough; the model does not bind it as a member of ThrottlingException.
 * - Requests without `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/chime/aws4_request, ...`
 *   and `X-Amz-Date` are refused with UnauthorizedException (401: the model's error for a caller that is not
 *   authenticated). A credential scoped to another service, or (when `accessKeyId` is set) another access key,
 *   gets ForbiddenException (403). Signatures are not verified cryptographically.
 *
 * Behaviour (see SERVICE.md, "Chime behaviours to rely on"):
 * - Input is validated against the model (chime-model.ts) before any lookup: BadRequestException 400.
 * - Attendees: ExternalUserId is the idempotency token per meeting; DeleteAttendee voids the JoinToken and frees
 *   a place; at most MeetingFeatures.Attendee.MaxCount (default 250) attendees: LimitExceededException 400.
 * - Capabilities follow the seed rules on MeetingFeatures (see resolveCapabilities).
 * - BatchCreateAttendee: model violations fail the request; capability rules and the attendee cap are reported
 *   per item in `Errors` with ErrorCode `BadRequest` / `LimitExceeded`. A repeated ExternalUserId is idempotent.
 * - ListAttendees: creation order; MaxResults defaults to 10 (`defaultMaxResults`); NextToken is an AES-GCM
 *   sealed cursor bound to the meeting; items include JoinToken, as the model's Attendee does.
 * - CreateMeeting: ClientRequestToken is idempotent; reusing it with other parameters is a ConflictException 409.
 *   MeetingFeatures is echoed as given (absent when not given).
 * - A deleted meeting answers NotFoundException (404) to every call; meetings never expire on their own
 *   (use `endMeeting` to simulate the end of a meeting).
 * - Memory is bounded: at most `maxMeetings` live meetings (CreateMeeting then answers LimitExceededException),
 *   250 attendees each, request bodies up to 1 MiB.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attendee, Meeting, MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import { MAX_ATTENDEES_PER_MEETING, type MEDIA_CAPABILITIES } from '../lib/contract';
import {
  BATCH_CREATE_ATTENDEE_BODY,
  CHIME_ERROR_STATUS,
  CHIME_OPERATIONS,
  CREATE_ATTENDEE_BODY,
  CREATE_MEETING_BODY,
  GUID,
  NEXT_TOKEN,
  OPERATION_ERRORS,
  RESULT_MAX,
  errorCode,
  validate,
  validationMessage,
  type ChimeErrorName,
  type ChimeOperation,
} from './chime-model';
import { listenOnLoopback } from './loopback';

export { CHIME_OPERATIONS, OPERATION_ERRORS, type ChimeErrorName, type ChimeOperation } from './chime-model';

export interface ChimeEmulatorOptions {
  /** Port to listen on. @default 0 (the OS picks a free port) */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Account in MeetingArn. @default '123456789012' */
  readonly accountId?: string;
  /** When set, requests signed with another access key id answer ForbiddenException. @default - any key */
  readonly accessKeyId?: string;
  /** Control-plane region for meetings created through `createMeeting` (signed requests use their scope). @default 'us-east-1' */
  readonly region?: string;
  /** Seed for ids, join tokens and cursor keys, for reproducible runs. @default - crypto-random */
  readonly seed?: string;
  /** Live meetings kept at most. @default 1000 */
  readonly maxMeetings?: number;
  /** ListAttendees page size when MaxResults is absent. @default 10 */
  readonly defaultMaxResults?: number;
  /** Millisecond clock for the token buckets. @default Date.now */
  readonly now?: () => number;
  /** Receives one line per request (method, path, operation, status, time); never bodies or tokens. */
  readonly log?: (line: string) => void;
}

/** A token bucket: `burst` requests at once, refilled at `ratePerSecond`. */
export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Send `Retry-After` on 429. @default true */
  readonly retryAfter?: boolean;
}

/** A scripted failure: the next `count` calls of an operation answer `error`. */
export interface Fault {
  readonly error: ChimeErrorName;
  /** @default 1 */
  readonly count?: number;
  /** `Retry-After` header, in seconds (any error; the SDK maps it to RetryAfterSeconds on ServiceUnavailable). */
  readonly retryAfterSeconds?: number;
  /** @default - a generic message for the error */
  readonly message?: string;
}

export interface OperationStats {
  /** Every request routed to the operation, whatever its outcome. */
  requests: number;
  succeeded: number;
  failed: number;
  /** Refused by the token bucket (429). */
  throttled: number;
  /** Answered by a scripted fault. */
  faulted: number;
  /** Refused for a missing, malformed or foreign signature (401/403). */
  unauthenticated: number;
  /** Responses by HTTP status code. */
  byStatus: Record<string, number>;
}

export interface EmulatorStats {
  operations: Record<ChimeOperation, OperationStats>;
  /** Requests that matched no operation (answered 404 UnknownOperationException). */
  unknownRoutes: number;
  meetings: number;
  attendees: number;
}

/** CreateMeeting input for `createMeeting`; every member is optional there. */
export interface MeetingInput {
  readonly ClientRequestToken?: string;
  readonly MediaRegion?: string;
  readonly ExternalMeetingId?: string;
  readonly MeetingHostId?: string;
  readonly MeetingFeatures?: MeetingFeaturesConfiguration;
  readonly PrimaryMeetingId?: string;
  readonly TenantIds?: string[];
}

export interface ChimeEmulator {
  /** `http://127.0.0.1:<port>`: pass it as `endpoint` to the SDK client. */
  readonly endpoint: string;
  readonly port: number;
  /** Settings for `new ChimeSDKMeetingsClient(...)`: region, endpoint and static fake credentials. */
  clientConfig(): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Closes the server, its connections and pending delays. */
  stop(): Promise<void>;
  /** Token-bucket limit for one operation; `undefined` removes it. */
  setRateLimit(operation: ChimeOperation, limit: RateLimit | undefined): void;
  /** Queues a scripted fault; faults queued for one operation are served in order. */
  injectFault(operation: ChimeOperation, fault: Fault): void;
  /** Added latency for one operation, in milliseconds (0 removes it). */
  setLatency(operation: ChimeOperation, milliseconds: number): void;
  /** Removes rate limits, queued faults and latencies. */
  resetFaults(): void;
  /** Back to a fresh emulator on the same port: faults, stats, meetings and attendees. */
  reset(): void;
  /** Request counts per operation (a copy). */
  stats(): EmulatorStats;
  /** Creates a meeting directly (no signature, faults or stats); throws on invalid input. */
  createMeeting(input?: MeetingInput): Meeting;
  /** Ends (deletes) a meeting, as DeleteMeeting or the end of a call does; false when it did not exist. */
  endMeeting(meetingId: string): boolean;
  /** The live meeting, or undefined. */
  getMeeting(meetingId: string): Meeting | undefined;
  /** The meeting's live attendees with their join tokens, in creation order ([] for an unknown meeting). */
  attendees(meetingId: string): Attendee[];
  /** Whether a join token is live, and for whom: what a client's join would be checked against. */
  resolveJoinToken(joinToken: string): { meetingId: string; attendeeId: string } | undefined;
}

/** Starts an emulator; it listens before the promise resolves. */
export async function startChimeEmulator(options: ChimeEmulatorOptions = {}): Promise<ChimeEmulator> {
  const emulator = new ChimeEmulatorServer(options);
  await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return emulator;
}

type MediaCapability = (typeof MEDIA_CAPABILITIES)[number];

const ERROR_NAMESPACE = 'http://internal.amazon.com/coral/com.amazonaws.chime/';
const MAX_BODY_BYTES = 1024 * 1024;
const CONTROL_PREFIX = '/_emulator';
const SENDING_VIDEO: readonly MediaCapability[] = ['SendReceive', 'Receive'];
// Generic messages for scripted faults that bring none of their own.
const DEFAULT_MESSAGES: Record<ChimeErrorName, string> = {
  BadRequestException: 'The request does not satisfy the input constraints.',
  ConflictException: 'The request conflicts with another request.',
  ForbiddenException: 'The caller may not make this request.',
  LimitExceededException: 'A resource limit was reached.',
  NotFoundException: 'A resource named in the request does not exist.',
  ServiceFailureException: 'The service failed to process the request.',
  ServiceUnavailableException: 'The service cannot take requests at the moment.',
  ThrottlingException: 'Rate exceeded.',
  UnauthorizedException: 'The caller is not authenticated.',
  UnprocessableEntityException: 'The request is well formed but cannot be processed.',
};

/** Capabilities with every member present, as Chime returns them. */
export interface Capabilities {
  Audio: MediaCapability;
  Video: MediaCapability;
  Content: MediaCapability;
}

/** An error the emulator answers with, as the model describes it. */
class ChimeError extends Error {
  constructor(
    readonly type: ChimeErrorName,
    message?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? DEFAULT_MESSAGES[type]);
  }
}

interface Route {
  readonly operation: ChimeOperation;
  readonly meetingId?: string;
  readonly attendeeId?: string;
  readonly query: URLSearchParams;
}

interface AttendeeRecord {
  readonly attendee: Required<Attendee> & { Capabilities: Capabilities };
  /** Creation order: the stable order of ListAttendees and the value a NextToken seals. */
  readonly seq: number;
}

interface MeetingRecord {
  readonly meeting: Meeting;
  readonly clientRequestToken: string;
  /** Canonical form of the CreateMeeting request, to tell a retry from a conflicting reuse of the token. */
  readonly fingerprint: string;
  readonly attendees: Map<string, AttendeeRecord>;
  readonly byExternalUserId: Map<string, string>;
  nextSeq: number;
}

interface CallerContext {
  readonly region: string;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

/** Random bytes from the OS, or a SHA-256 counter stream when seeded (reproducible ids and tokens). */
class RandomSource {
  private counter = 0;
  constructor(private readonly seed?: string) {}

  bytes(length: number): Buffer {
    if (this.seed === undefined) return randomBytes(length);
    const chunks: Buffer[] = [];
    for (let size = 0; size < length; size += 32) {
      chunks.push(createHash('sha256').update(`${this.seed}:${this.counter++}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, length);
  }

  /** An RFC 4122 version 4 UUID, the form of Chime's MeetingId and AttendeeId. */
  uuid(): string {
    const b = this.bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes a token; returns undefined on success, else the seconds until one is available. */
  take(now: number): number | undefined {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.ratePerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return (1 - this.tokens) / this.limit.ratePerSecond;
  }
}

function emptyStats(): OperationStats {
  return { requests: 0, succeeded: 0, failed: 0, throttled: 0, faulted: 0, unauthenticated: 0, byStatus: {} };
}

/** Media placement host code of a region, as in Chime's URLs: us-east-1 → ue1, ap-southeast-2 → as2. */
function regionCode(region: string): string {
  const parts = region.split('-');
  return (
    parts
      .slice(0, -1)
      .map((part) => part[0])
      .join('') + parts[parts.length - 1]
  );
}

/** JSON with sorted keys, so two equal requests compare equal whatever their member order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function badRequest(problems: string[]): ChimeError {
  return new ChimeError('BadRequestException', validationMessage(problems));
}

/** Seed rules on capabilities: see SERVICE.md and the CreateAttendee reference page. */
export function resolveCapabilities(
  features: MeetingFeaturesConfiguration | undefined,
  requested: Capabilities | undefined,
): Capabilities {
  const videoOff = features?.Video?.MaxResolution === 'None';
  const contentOff = features?.Content?.MaxResolution === 'None';
  if (!requested) {
    // Content SendReceive needs video at least Receive, so a video-less meeting still receives video.
    return {
      Audio: 'SendReceive',
      Video: videoOff ? (contentOff ? 'None' : 'Receive') : 'SendReceive',
      Content: contentOff ? 'None' : 'SendReceive',
    };
  }
  const { Audio, Video, Content } = requested;
  if (videoOff && Video !== 'None') {
    throw new ChimeError(
      'BadRequestException',
      "Video capability must be None: the meeting's MeetingFeatures.Video.MaxResolution is None",
    );
  }
  if (contentOff && Content !== 'None') {
    throw new ChimeError(
      'BadRequestException',
      "Content capability must be None: the meeting's MeetingFeatures.Content.MaxResolution is None",
    );
  }
  if (SENDING_VIDEO.includes(Content) && !SENDING_VIDEO.includes(Video)) {
    throw new ChimeError(
      'BadRequestException',
      'Content capability SendReceive or Receive requires Video capability SendReceive or Receive',
    );
  }
  return { Audio, Video, Content };
}

function matchRoute(method: string, url: URL): Route | undefined {
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const operationParam = url.searchParams.get('operation');
  const query = url.searchParams;
  if (segments[0] !== 'meetings') return undefined;
  const [, meetingId, collection, attendeeId] = segments;
  const route = (operation: ChimeOperation): Route => ({ operation, meetingId, attendeeId, query });
  switch (segments.length) {
    case 1:
      return method === 'POST' && operationParam === null ? route('CreateMeeting') : undefined;
    case 2:
      if (method === 'GET') return route('GetMeeting');
      if (method === 'DELETE') return route('DeleteMeeting');
      return undefined;
    case 3:
      if (collection !== 'attendees') return undefined;
      if (method === 'POST' && operationParam === 'batch-create') return route('BatchCreateAttendee');
      if (method === 'POST' && operationParam === null) return route('CreateAttendee');
      if (method === 'GET') return route('ListAttendees');
      return undefined;
    case 4:
      if (collection !== 'attendees') return undefined;
      if (method === 'GET') return route('GetAttendee');
      if (method === 'DELETE') return route('DeleteAttendee');
      return undefined;
    default:
      return undefined;
  }
}

const SIGV4_AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

class ChimeEmulatorServer implements ChimeEmulator {
  private readonly server: Server;
  private readonly now: () => number;
  private random: RandomSource;
  private cursorKey: Buffer;
  private meetings = new Map<string, MeetingRecord>();
  private meetingsByToken = new Map<string, string>();
  private joinTokens = new Map<string, { meetingId: string; attendeeId: string }>();
  private buckets = new Map<ChimeOperation, TokenBucket>();
  private faults = new Map<ChimeOperation, { fault: Fault; remaining: number }[]>();
  private latencies = new Map<ChimeOperation, number>();
  private counters = this.freshCounters();
  private unknownRoutes = 0;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private address?: AddressInfo;

  constructor(private readonly options: ChimeEmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.random = new RandomSource(options.seed);
    this.cursorKey = this.random.bytes(32);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // Only an emulator bug gets here: answer like the service's own failure, and say why.
        this.options.log?.(`chime-emulator: internal error: ${String(error)}`);
        if (!res.headersSent) this.sendError(res, undefined, new ChimeError('ServiceFailureException'));
      });
    });
  }

  async listen(port: number, host: string): Promise<void> {
    this.address = await listenOnLoopback(this.server, port, host);
  }

  get port(): number {
    return this.address!.port;
  }

  get endpoint(): string {
    const host = this.address!.family === 'IPv6' ? `[${this.address!.address}]` : this.address!.address;
    return `http://${host}:${this.port}`;
  }

  clientConfig() {
    return {
      region: this.options.region ?? 'us-east-1',
      endpoint: this.endpoint,
      credentials: { accessKeyId: this.options.accessKeyId ?? 'AKIAEMULATOR', secretAccessKey: 'emulator-secret' },
    };
  }

  async stop(): Promise<void> {
    for (const sleeper of this.sleeping) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleeping.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive sockets of SDK clients and fetch would otherwise hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  setRateLimit(operation: ChimeOperation, limit: RateLimit | undefined): void {
    this.checkOperation(operation);
    if (!limit) {
      this.buckets.delete(operation);
      return;
    }
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) {
      throw new Error('rate limit needs ratePerSecond > 0 and burst >= 1');
    }
    this.buckets.set(operation, new TokenBucket(limit, this.now()));
  }

  injectFault(operation: ChimeOperation, fault: Fault): void {
    this.checkOperation(operation);
    if (!OPERATION_ERRORS[operation].includes(fault.error)) {
      throw new Error(
        `${operation} does not declare ${fault.error} in the model; declared: ${OPERATION_ERRORS[operation].join(', ')}`,
      );
    }
    const count = fault.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error('fault count must be a positive integer');
    const queue = this.faults.get(operation) ?? [];
    queue.push({ fault, remaining: count });
    this.faults.set(operation, queue);
  }

  setLatency(operation: ChimeOperation, milliseconds: number): void {
    this.checkOperation(operation);
    if (!(milliseconds >= 0)) throw new Error('latency must be >= 0 ms');
    if (milliseconds === 0) this.latencies.delete(operation);
    else this.latencies.set(operation, milliseconds);
  }

  resetFaults(): void {
    this.buckets.clear();
    this.faults.clear();
    this.latencies.clear();
  }

  reset(): void {
    this.resetFaults();
    this.counters = this.freshCounters();
    this.unknownRoutes = 0;
    this.meetings.clear();
    this.meetingsByToken.clear();
    this.joinTokens.clear();
    this.random = new RandomSource(this.options.seed);
    this.cursorKey = this.random.bytes(32);
  }

  stats(): EmulatorStats {
    let attendees = 0;
    for (const record of this.meetings.values()) attendees += record.attendees.size;
    return {
      operations: structuredClone(this.counters),
      unknownRoutes: this.unknownRoutes,
      meetings: this.meetings.size,
      attendees,
    };
  }

  createMeeting(input: MeetingInput = {}): Meeting {
    const request = {
      ClientRequestToken: this.random.uuid(),
      MediaRegion: 'us-east-1',
      ExternalMeetingId: `emulator-${this.random.uuid()}`,
      ...input,
    };
    try {
      return structuredClone(this.createMeetingFrom(request, this.options.region ?? 'us-east-1'));
    } catch (error) {
      if (error instanceof ChimeError) throw new Error(`${error.type}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  endMeeting(meetingId: string): boolean {
    const record = this.meetings.get(meetingId);
    if (!record) return false;
    for (const { attendee } of record.attendees.values()) this.joinTokens.delete(attendee.JoinToken);
    this.meetingsByToken.delete(record.clientRequestToken);
    this.meetings.delete(meetingId);
    return true;
  }

  getMeeting(meetingId: string): Meeting | undefined {
    const meeting = this.meetings.get(meetingId)?.meeting;
    return meeting && structuredClone(meeting);
  }

  attendees(meetingId: string): Attendee[] {
    const record = this.meetings.get(meetingId);
    return record ? [...record.attendees.values()].map(({ attendee }) => structuredClone(attendee)) : [];
  }

  resolveJoinToken(joinToken: string): { meetingId: string; attendeeId: string } | undefined {
    const owner = this.joinTokens.get(joinToken);
    return owner && { ...owner };
  }

  private freshCounters(): Record<ChimeOperation, OperationStats> {
    return Object.fromEntries(CHIME_OPERATIONS.map((op) => [op, emptyStats()])) as Record<
      ChimeOperation,
      OperationStats
    >;
  }

  private checkOperation(operation: string): asserts operation is ChimeOperation {
    if (!(CHIME_OPERATIONS as readonly string[]).includes(operation)) {
      throw new Error(`unknown operation ${operation}; known: ${CHIME_OPERATIONS.join(', ')}`);
    }
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.now();
    // Request ids come from the OS, so seeded ids and tokens do not depend on how many requests came before.
    res.setHeader('x-amzn-RequestId', randomUUID());
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      return this.handleControl(method, url, raw, res);
    }
    const route = matchRoute(method, url);
    if (!route) {
      this.unknownRoutes += 1;
      res.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-ErrorType': `UnknownOperationException:${ERROR_NAMESPACE}`,
      });
      res.end(JSON.stringify({ Code: 'UnknownOperation', Message: `No operation matches ${method} ${url.pathname}` }));
      this.options.log?.(`${method} ${url.pathname} (no operation) 404`);
      return;
    }
    const { operation } = route;
    const counters = this.counters[operation];
    counters.requests += 1;
    let reply: Reply;
    try {
      const caller = this.authenticate(req, counters);
      await this.delay(operation);
      this.throttle(operation, counters);
      this.scriptedFault(operation, counters);
      reply = this.dispatch(route, raw, caller);
    } catch (error) {
      if (!(error instanceof ChimeError)) throw error;
      this.sendError(res, operation, error);
      this.options.log?.(
        `${method} ${url.pathname} ${operation} ${res.statusCode} ${error.type} ${this.now() - started}ms`,
      );
      return;
    }
    counters.succeeded += 1;
    counters.byStatus[reply.status] = (counters.byStatus[reply.status] ?? 0) + 1;
    if (reply.body === undefined) {
      res.writeHead(reply.status);
      res.end();
    } else {
      const body = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }
    this.options.log?.(`${method} ${url.pathname} ${operation} ${reply.status} ${this.now() - started}ms`);
  }

  private sendError(res: ServerResponse, operation: ChimeOperation | undefined, error: ChimeError): void {
    const status = CHIME_ERROR_STATUS[error.type];
    if (operation) {
      const counters = this.counters[operation];
      counters.failed += 1;
      counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
    }
    const requestId = String(res.getHeader('x-amzn-RequestId'));
    const body = JSON.stringify({ Code: errorCode(error.type), Message: error.message, RequestId: requestId });
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-amzn-ErrorType': `${error.type}:${ERROR_NAMESPACE}`,
    };
    if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
    res.writeHead(status, headers);
    res.end(body);
  }

  private authenticate(req: IncomingMessage, counters: OperationStats): CallerContext {
    const refuse = (type: ChimeErrorName, message: string): never => {
      counters.unauthenticated += 1;
      throw new ChimeError(type, message);
    };
    const header = req.headers.authorization;
    if (!header) return refuse('UnauthorizedException', 'Missing Authentication Token');
    const match = SIGV4_AUTHORIZATION.exec(header);
    if (!match)
      return refuse('UnauthorizedException', 'Authorization header is not a valid AWS Signature Version 4 header');
    if (!req.headers['x-amz-date'])
      return refuse('UnauthorizedException', 'Signature Version 4 requires the X-Amz-Date header');
    const [, accessKeyId, , region, service] = match;
    if (service !== 'chime')
      return refuse('ForbiddenException', `Credential should be scoped to correct service: 'chime'`);
    if (this.options.accessKeyId !== undefined && accessKeyId !== this.options.accessKeyId) {
      return refuse('ForbiddenException', 'The security token included in the request is invalid');
    }
    return { region };
  }

  private delay(operation: ChimeOperation): Promise<void> {
    const milliseconds = this.latencies.get(operation);
    if (!milliseconds) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleeping.delete(sleeper);
          resolve();
        }, milliseconds),
        wake: resolve,
      };
      this.sleeping.add(sleeper);
    });
  }

  private throttle(operation: ChimeOperation, counters: OperationStats): void {
    const bucket = this.buckets.get(operation);
    const wait = bucket?.take(this.now());
    if (bucket && wait !== undefined) {
      counters.throttled += 1;
      const retryAfter = bucket.limit.retryAfter === false ? undefined : Math.max(1, Math.ceil(wait));
      throw new ChimeError('ThrottlingException', undefined, retryAfter);
    }
  }

  private scriptedFault(operation: ChimeOperation, counters: OperationStats): void {
    const queue = this.faults.get(operation);
    const next = queue?.[0];
    if (!queue || !next) return;
    next.remaining -= 1;
    if (next.remaining === 0) queue.shift();
    counters.faulted += 1;
    throw new ChimeError(next.fault.error, next.fault.message, next.fault.retryAfterSeconds);
  }

  private dispatch(route: Route, raw: Buffer | 'too-large', caller: CallerContext): Reply {
    const problems = [
      ...(route.meetingId === undefined ? [] : validate(route.meetingId, GUID, 'MeetingId')),
      ...(route.attendeeId === undefined ? [] : validate(route.attendeeId, GUID, 'AttendeeId')),
    ];
    if (problems.length > 0) throw badRequest(problems);
    switch (route.operation) {
      case 'CreateMeeting':
        return { status: 200, body: { Meeting: this.createMeetingFrom(this.jsonBody(raw), caller.region) } };
      case 'GetMeeting':
        return { status: 200, body: { Meeting: this.liveMeeting(route.meetingId!).meeting } };
      case 'DeleteMeeting':
        this.liveMeeting(route.meetingId!);
        this.endMeeting(route.meetingId!);
        return { status: 204 };
      case 'CreateAttendee':
        return { status: 200, body: { Attendee: this.createAttendee(route.meetingId!, this.jsonBody(raw)) } };
      case 'BatchCreateAttendee':
        return { status: 200, body: this.batchCreateAttendee(route.meetingId!, this.jsonBody(raw)) };
      case 'GetAttendee':
        return { status: 200, body: { Attendee: this.liveAttendee(route.meetingId!, route.attendeeId!).attendee } };
      case 'ListAttendees':
        return { status: 200, body: this.listAttendees(route.meetingId!, route.query) };
      case 'DeleteAttendee':
        this.deleteAttendee(route.meetingId!, route.attendeeId!);
        return { status: 204 };
    }
  }

  private jsonBody(raw: Buffer | 'too-large'): Record<string, unknown> {
    if (raw === 'too-large')
      throw new ChimeError('BadRequestException', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
    if (raw.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ChimeError('BadRequestException', 'Request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ChimeError('BadRequestException', 'Request body must be a JSON object');
    }
    return parsed as Record<string, unknown>;
  }

  // ---- Operations ----

  private liveMeeting(meetingId: string): MeetingRecord {
    const record = this.meetings.get(meetingId);
    if (!record) throw new ChimeError('NotFoundException', `The meeting ${meetingId} does not exist or has ended`);
    return record;
  }

  private liveAttendee(meetingId: string, attendeeId: string): AttendeeRecord {
    const record = this.liveMeeting(meetingId).attendees.get(attendeeId);
    if (!record)
      throw new ChimeError('NotFoundException', `The attendee ${attendeeId} does not exist in meeting ${meetingId}`);
    return record;
  }

  private createMeetingFrom(body: Record<string, unknown>, controlRegion: string): Meeting {
    const problems = validate(body, CREATE_MEETING_BODY, '');
    if (problems.length > 0) throw badRequest(problems);
    const input = body as unknown as MeetingInput & {
      ClientRequestToken: string;
      MediaRegion: string;
      ExternalMeetingId: string;
    };
    const { ClientRequestToken: token, ...rest } = input;
    const fingerprint = canonical(rest);
    const existingId = this.meetingsByToken.get(token);
    if (existingId !== undefined) {
      const existing = this.meetings.get(existingId)!;
      if (existing.fingerprint !== fingerprint) {
        throw new ChimeError('ConflictException', 'ClientRequestToken was already used with different parameters');
      }
      return existing.meeting;
    }
    if (this.meetings.size >= (this.options.maxMeetings ?? 1000)) {
      throw new ChimeError('LimitExceededException', 'The account has reached its limit of active meetings');
    }
    if (input.PrimaryMeetingId !== undefined && !this.meetings.has(input.PrimaryMeetingId)) {
      throw new ChimeError('BadRequestException', 'PrimaryMeetingId does not name an active meeting');
    }
    const meetingId = this.random.uuid();
    const code = regionCode(input.MediaRegion);
    const cell = `m${1 + (this.random.bytes(1)[0] % 3)}.${code}.app.chime.aws`;
    const partition = controlRegion.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    const meeting: Meeting = {
      MeetingId: meetingId,
      ...(input.MeetingHostId === undefined ? {} : { MeetingHostId: input.MeetingHostId }),
      ExternalMeetingId: input.ExternalMeetingId,
      MediaRegion: input.MediaRegion,
      MediaPlacement: {
        AudioHostUrl: `${this.random.bytes(16).toString('hex')}.k.${cell}:3478`,
        AudioFallbackUrl: `wss://haxrp.${cell}:443/calls/${meetingId}`,
        SignalingUrl: `wss://signal.${cell}/control/${meetingId}`,
        TurnControlUrl: `https://ccp.cp.${code}.app.chime.aws/v2/turn_sessions`,
        ScreenDataUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
        ScreenViewingUrl: `wss://bitpw.${cell}:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=${meetingId}`,
        ScreenSharingUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
        EventIngestionUrl: `https://data.svc.${code}.ingest.chime.aws/v1/client-events`,
      },
      ...(input.MeetingFeatures === undefined ? {} : { MeetingFeatures: structuredClone(input.MeetingFeatures) }),
      ...(input.PrimaryMeetingId === undefined ? {} : { PrimaryMeetingId: input.PrimaryMeetingId }),
      ...(input.TenantIds === undefined ? {} : { TenantIds: [...input.TenantIds] }),
      MeetingArn: `arn:${partition}:chime:${controlRegion}:${this.options.accountId ?? '123456789012'}:meeting/${meetingId}`,
    };
    this.meetings.set(meetingId, {
      meeting,
      clientRequestToken: token,
      fingerprint,
      attendees: new Map(),
      byExternalUserId: new Map(),
      nextSeq: 0,
    });
    this.meetingsByToken.set(token, meetingId);
    return meeting;
  }

  private createAttendee(meetingId: string, body: Record<string, unknown>): Attendee {
    const problems = validate(body, CREATE_ATTENDEE_BODY, '');
    if (problems.length > 0) throw badRequest(problems);
    return this.join(this.liveMeeting(meetingId), body as { ExternalUserId: string; Capabilities?: Capabilities });
  }

  private batchCreateAttendee(meetingId: string, body: Record<string, unknown>) {
    const problems = validate(body, BATCH_CREATE_ATTENDEE_BODY, '');
    if (problems.length > 0) throw badRequest(problems);
    const meeting = this.liveMeeting(meetingId);
    const items = body.Attendees as { ExternalUserId: string; Capabilities?: Capabilities }[];
    const Attendees: Attendee[] = [];
    const Errors: { ExternalUserId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const item of items) {
      try {
        Attendees.push(this.join(meeting, item));
      } catch (error) {
        if (!(error instanceof ChimeError)) throw error;
        Errors.push({
          ExternalUserId: item.ExternalUserId,
          ErrorCode: errorCode(error.type),
          ErrorMessage: error.message,
        });
      }
    }
    return { Attendees, Errors };
  }

  /** Creates an attendee, or returns the live one for the same ExternalUserId (Chime's idempotency). */
  private join(record: MeetingRecord, item: { ExternalUserId: string; Capabilities?: Capabilities }): Attendee {
    const capabilities = resolveCapabilities(record.meeting.MeetingFeatures, item.Capabilities);
    const existingId = record.byExternalUserId.get(item.ExternalUserId);
    if (existingId !== undefined) return record.attendees.get(existingId)!.attendee;
    const cap = record.meeting.MeetingFeatures?.Attendee?.MaxCount ?? MAX_ATTENDEES_PER_MEETING;
    if (record.attendees.size >= cap) {
      throw new ChimeError('LimitExceededException', `The meeting has reached its limit of ${cap} attendees`);
    }
    const attendeeId = this.random.uuid();
    // Shaped like Chime's tokens: base64 of "<AttendeeId>:<random>", unpadded; opaque to clients.
    const joinToken = Buffer.from(`${attendeeId}:${this.random.uuid()}`).toString('base64').replace(/=+$/, '');
    const attendee: AttendeeRecord['attendee'] = {
      ExternalUserId: item.ExternalUserId,
      AttendeeId: attendeeId,
      JoinToken: joinToken,
      Capabilities: capabilities,
    };
    record.attendees.set(attendeeId, { attendee, seq: record.nextSeq++ });
    record.byExternalUserId.set(item.ExternalUserId, attendeeId);
    this.joinTokens.set(joinToken, { meetingId: record.meeting.MeetingId!, attendeeId });
    return attendee;
  }

  private listAttendees(meetingId: string, query: URLSearchParams) {
    const rawMax = query.get('max-results');
    const rawToken = query.get('next-token');
    const problems: string[] = [];
    let maxResults = this.options.defaultMaxResults ?? 10;
    if (rawMax !== null) {
      maxResults = /^-?\d+$/.test(rawMax) ? Number(rawMax) : NaN;
      problems.push(...validate(maxResults, RESULT_MAX, 'MaxResults'));
    }
    if (rawToken !== null) problems.push(...validate(rawToken, NEXT_TOKEN, 'NextToken'));
    if (problems.length > 0) throw badRequest(problems);
    const record = this.liveMeeting(meetingId);
    const after = rawToken === null ? -1 : this.openCursor(meetingId, rawToken);
    const page: Attendee[] = [];
    let more = false;
    for (const { attendee, seq } of record.attendees.values()) {
      if (seq <= after) continue;
      if (page.length === maxResults) {
        more = true;
        break;
      }
      page.push(attendee);
    }
    const last = page.length > 0 ? record.attendees.get(page[page.length - 1].AttendeeId!)!.seq : after;
    return more ? { Attendees: page, NextToken: this.sealCursor(meetingId, last) } : { Attendees: page };
  }

  private deleteAttendee(meetingId: string, attendeeId: string): void {
    const { attendee } = this.liveAttendee(meetingId, attendeeId);
    const record = this.meetings.get(meetingId)!;
    record.attendees.delete(attendeeId);
    record.byExternalUserId.delete(attendee.ExternalUserId);
    this.joinTokens.delete(attendee.JoinToken);
  }

  /** NextToken: AES-256-GCM over {meeting, last seq}, so clients can neither read nor forge a position. */
  private sealCursor(meetingId: string, seq: number): string {
    const iv = this.random.bytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.cursorKey, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify({ m: meetingId, s: seq }), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  private openCursor(meetingId: string, token: string): number {
    const invalid = new ChimeError('BadRequestException', 'NextToken is invalid or belongs to another request');
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length < 29) throw invalid;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.cursorKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const cursor = JSON.parse(
        Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8'),
      );
      if (cursor.m !== meetingId || !Number.isInteger(cursor.s)) throw invalid;
      return cursor.s as number;
    } catch {
      throw invalid;
    }
  }

  // ---- Control routes (for `npm run local` and other processes; tests can call the methods directly) ----

  private handleControl(method: string, url: URL, raw: Buffer | 'too-large', res: ServerResponse): void {
    const segments = url.pathname.slice(CONTROL_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    const reply = (status: number, body?: unknown) => {
      if (body === undefined) {
        res.writeHead(status);
        res.end();
      } else {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }
    };
    try {
      const [resource, name] = segments;
      if (method === 'GET' && resource === 'stats' && !name) return reply(200, this.stats());
      if (method === 'POST' && resource === 'reset' && !name) {
        this.reset();
        return reply(204);
      }
      if (method === 'POST' && resource === 'meetings' && !name) {
        return reply(201, { Meeting: this.createMeeting(this.controlBody(raw) as MeetingInput) });
      }
      if (method === 'DELETE' && resource === 'meetings' && name) {
        return this.endMeeting(name) ? reply(204) : reply(404, { message: `no meeting ${name}` });
      }
      if (method === 'POST' && resource === 'faults' && !name) {
        const { operation, ...fault } = this.controlBody(raw) as unknown as Fault & { operation: ChimeOperation };
        this.injectFault(operation, fault);
        return reply(204);
      }
      if (resource === 'rate-limits' && name && (method === 'PUT' || method === 'DELETE')) {
        this.setRateLimit(
          name as ChimeOperation,
          method === 'PUT' ? (this.controlBody(raw) as unknown as RateLimit) : undefined,
        );
        return reply(204);
      }
      if (method === 'PUT' && resource === 'latency' && name) {
        this.setLatency(name as ChimeOperation, Number(this.controlBody(raw).milliseconds));
        return reply(204);
      }
      return reply(404, { message: `no control route ${method} ${url.pathname}` });
    } catch (error) {
      return reply(400, { message: error instanceof Error ? error.message : String(error) });
    }
  }

  private controlBody(raw: Buffer | 'too-large'): Record<string, unknown> {
    if (raw === 'too-large') throw new Error('body too large');
    const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('body must be a JSON object');
    return parsed as Record<string, unknown>;
  }
}
