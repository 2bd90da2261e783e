/**
 * A fault-injecting HTTP proxy in front of a DynamoDB endpoint (dynalite in tests): it forwards every request
 * unchanged and answers chosen operations with errors the AWS SDK understands, so tests can make a DynamoDB call
 * fail after Chime succeeded and check that the service fails cleanly and that a retry repairs the state.
 *
 * The operation is read from the `X-Amz-Target` header of the JSON 1.0 protocol (`DynamoDB_20120810.PutItem`).
 * Faults are scripted per operation and served in order, like the Chime emulator's `injectFault`:
 * `{ operation: 'PutItem', kind: 'InternalServerError', count: 3, after: 2 }` lets two PutItem calls through and
 * fails the next three. The SDK retries throttling and 5xx answers itself (3 attempts in the handlers' clients),
 * so a request fails only when every attempt of one call is faulted.
 *
 * Every counted call is a real call the SDK made: `stats()` tells tests whether a request reached DynamoDB at all.
 *
 * Races are staged with time: `setLatency` delays chosen calls (before they reach DynamoDB, or after it applied them
 * and before the answer), `hold` stops the next matching calls until the test releases them (a deterministic
 * latency), and `setIndexLag` makes queries on a secondary index miss items written less than N ms ago, as
 * DynamoDB's eventually consistent indexes do (dynalite updates them at once).
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { listenOnLoopback } from './loopback';

/**
 * How a faulted call is answered:
 * - `ProvisionedThroughputExceededException`: 400 JSON, a throttling error to the SDK (retried with backoff).
 * - `ThrottlingException`: 400 JSON with the coral availability type (throttling too).
 * - `InternalServerError`: 500 JSON, a transient error to the SDK.
 * - `ServiceUnavailable`: 503 JSON.
 * - `http500`: 500 with a plain-text body, as a load balancer in front of the service might answer.
 * - `reset`: the connection is destroyed without an answer and the call is not forwarded (the SDK sees a
 *   socket error; nothing was written).
 * - `lostResponse`: the call IS forwarded and applied, then the connection is destroyed before the answer
 *   reaches the SDK (a write that succeeded although the caller saw it fail).
 * - `unprocessedItems` (BatchWriteItem only): 200 with every request of the call handed back in
 *   `UnprocessedItems`, DynamoDB's answer to throttling inside a batch; nothing is written, and the SDK does not
 *   retry it (the caller must).
 */
export type DynamoDbFaultKind =
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'InternalServerError'
  | 'ServiceUnavailable'
  | 'http500'
  | 'reset'
  | 'lostResponse'
  | 'unprocessedItems';

export const DYNAMODB_FAULT_KINDS: readonly DynamoDbFaultKind[] = [
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'InternalServerError',
  'ServiceUnavailable',
  'http500',
  'reset',
  'lostResponse',
  'unprocessedItems',
];

export interface DynamoDbFault {
  /** The DynamoDB operation, e.g. `PutItem`, `BatchWriteItem`, `DeleteItem`, `Query`. */
  readonly operation: string;
  readonly kind: DynamoDbFaultKind;
  /** Calls to fail. @default 1 */
  readonly count?: number;
  /** Calls of the operation to let through before the first failure. @default 0 */
  readonly after?: number;
  /** Message in the error body. @default a generic message */
  readonly message?: string;
  /** Only calls whose JSON body satisfies it count (towards `after` too). @default every call */
  readonly match?: (body: Record<string, unknown>) => boolean;
}

export interface DynamoDbOperationStats {
  /** Every call of the operation that reached the proxy. */
  calls: number;
  /** Calls passed on to the endpoint. */
  forwarded: number;
  /** Calls answered with a fault. */
  faulted: number;
}

export interface DynamoDbFaultProxyStats {
  operations: Record<string, DynamoDbOperationStats>;
  /** Faults served, by kind. */
  faultsByKind: Record<DynamoDbFaultKind, number>;
  /** Calls of every operation. */
  totalCalls: number;
}

export interface DynamoDbFaultProxy {
  /** `http://127.0.0.1:<port>`: pass it as the DynamoDB endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** The endpoint requests are forwarded to. */
  readonly target: string;
  /** Queues a fault; faults of one operation are served in order. */
  injectFault(fault: DynamoDbFault): void;
  /** Faults still queued (calls left to fail, over every operation). */
  pendingFaults(): number;
  /** Drops queued faults (stats are kept). */
  resetFaults(): void;
  /** A copy of the counters. */
  stats(): DynamoDbFaultProxyStats;
  /**
   * Delays calls of an operation by `ms` (a number, or a function called per call, e.g. random), `before` they are
   * forwarded (the write lands late) or `after` DynamoDB answered (the caller learns late). 0 removes it.
   */
  setLatency(operation: string, ms: number | (() => number), where?: 'before' | 'after'): void;
  /**
   * Holds the next `count` calls of the operations (whose body matches `match`, if given) before they are forwarded,
   * until `release()`. `reached` resolves when the first of them arrives.
   */
  hold(options: HoldOptions): Hold;
  /**
   * Queries on a secondary index (`IndexName`) leave out items written through this proxy less than `ms` ago
   * (Put, Update, BatchWrite puts), identified by `keyAttributes`. 0 turns it off.
   */
  setIndexLag(ms: number, keyAttributes: readonly string[]): void;
  /** Closes the proxy and its connections. */
  stop(): Promise<void>;
}

export interface HoldOptions {
  readonly operations: readonly string[];
  /** @default 1 */
  readonly count?: number;
  /** Only calls whose JSON body satisfies it. */
  readonly match?: (body: Record<string, unknown>) => boolean;
}

export interface Hold {
  /** Resolves when the first held call arrives. */
  readonly reached: Promise<void>;
  /** Lets the held calls (and any still to come under this hold) through. */
  release(): void;
}

export interface DynamoDbFaultProxyOptions {
  /** The DynamoDB endpoint to forward to, e.g. dynalite's `http://127.0.0.1:<port>`. */
  readonly target: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

interface QueuedFault {
  readonly fault: DynamoDbFault;
  skip: number;
  remaining: number;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const JSON_TYPE = 'application/x-amz-json-1.0';

const ERRORS: Record<
  Exclude<DynamoDbFaultKind, 'http500' | 'reset' | 'lostResponse' | 'unprocessedItems'>,
  { status: number; type: string; message: string }
> = {
  ProvisionedThroughputExceededException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  },
  ThrottlingException: {
    status: 400,
    type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
  InternalServerError: {
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
  ServiceUnavailable: {
    status: 503,
    type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
    message: 'Service unavailable',
  },
};

export async function startDynamoDbFaultProxy(options: DynamoDbFaultProxyOptions): Promise<DynamoDbFaultProxy> {
  const target = new URL(options.target);
  const queues = new Map<string, QueuedFault[]>();
  const operations: Record<string, DynamoDbOperationStats> = {};
  const faultsByKind = emptyKinds();
  const latencies = new Map<string, { ms: () => number; where: 'before' | 'after' }>();
  const holds: Array<{ options: HoldOptions; left: number; arrived: () => void; released: Promise<void> }> = [];
  let indexLag: { ms: number; keyAttributes: readonly string[] } | undefined;
  /** When each item (by key) was last written through the proxy. */
  const written = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`dynamodb-fault-proxy: ${error instanceof Error ? error.message : String(error)}`);
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const header = req.headers['x-amz-target'];
    const operation =
      typeof header === 'string' && header.startsWith(TARGET_PREFIX) ? header.slice(TARGET_PREFIX.length) : '(unknown)';
    const counters = (operations[operation] ??= { calls: 0, forwarded: 0, faulted: 0 });
    counters.calls += 1;

    const parsed = parseBody(body);
    const fault = nextFault(operation, parsed);
    if (fault) {
      counters.faulted += 1;
      faultsByKind[fault.kind] += 1;
      if (fault.kind === 'lostResponse') await forward(req, body, undefined);
      answerFault(res, fault, body);
      return;
    }
    counters.forwarded += 1;
    await holdIfAsked(operation, parsed);
    const latency = latencies.get(operation);
    if (latency?.where === 'before') await sleep(latency.ms());
    if (indexLag && operation === 'Query' && typeof parsed.IndexName === 'string') {
      await forwardLagging(req, body, res, indexLag);
      return;
    }
    noteWrites(operation, parsed);
    if (latency?.where === 'after') {
      const answer = await collect(req, body);
      await sleep(latency.ms());
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    await forward(req, body, res);
  }

  async function holdIfAsked(operation: string, parsed: Record<string, unknown>): Promise<void> {
    const hold = holds.find(
      (h) => h.left > 0 && h.options.operations.includes(operation) && (h.options.match?.(parsed) ?? true),
    );
    if (!hold) return;
    hold.left -= 1;
    hold.arrived();
    await hold.released;
  }

  /** Records when each item a write touches was written (the index-lag mode hides it for a while). */
  function noteWrites(operation: string, parsed: Record<string, unknown>): void {
    if (!indexLag) return;
    const now = Date.now();
    const keyOf = (item: unknown) => itemKey(item, indexLag!.keyAttributes);
    if (operation === 'PutItem') written.set(keyOf(parsed.Item), now);
    if (operation === 'UpdateItem') written.set(keyOf(parsed.Key), now);
    if (operation === 'BatchWriteItem') {
      for (const requests of Object.values((parsed.RequestItems ?? {}) as Record<string, unknown[]>)) {
        for (const request of requests as Array<{ PutRequest?: { Item: unknown } }>) {
          if (request.PutRequest) written.set(keyOf(request.PutRequest.Item), now);
        }
      }
    }
  }

  /** A query on an index, its answer without the items written too recently for the index to show them. */
  async function forwardLagging(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    lag: { ms: number; keyAttributes: readonly string[] },
  ): Promise<void> {
    const answer = await collect(req, body);
    let text = answer.body.toString('utf8');
    if (answer.status === 200) {
      const parsed = JSON.parse(text) as { Items?: unknown[]; Count?: number };
      const cutoff = Date.now() - lag.ms;
      parsed.Items = (parsed.Items ?? []).filter(
        (item) => (written.get(itemKey(item, lag.keyAttributes)) ?? 0) < cutoff,
      );
      parsed.Count = parsed.Items.length;
      text = JSON.stringify(parsed);
    }
    const headers: Record<string, string | string[] | undefined> = {
      ...answer.headers,
      'content-length': String(Buffer.byteLength(text)),
    };
    delete headers['x-amz-crc32'];
    res.writeHead(answer.status, headers);
    res.end(text);
  }

  /** Forwards a call and reads the whole answer. */
  function collect(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      const upstream = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({ status: answer.statusCode ?? 502, headers: { ...answer.headers }, body: Buffer.concat(chunks) }),
          );
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  /** The fault this call gets, if any: a queued fault past its `after` calls. */
  function nextFault(operation: string, parsed: Record<string, unknown>): DynamoDbFault | undefined {
    const queue = queues.get(operation);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    if (head.fault.match && !head.fault.match(parsed)) return undefined;
    if (head.skip > 0) {
      head.skip -= 1;
      return undefined;
    }
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    return head.fault;
  }

  function answerFault(res: ServerResponse, fault: DynamoDbFault, request: Buffer): void {
    if (fault.kind === 'reset' || fault.kind === 'lostResponse') {
      res.socket?.destroy();
      return;
    }
    const requestId = randomUUID();
    if (fault.kind === 'unprocessedItems') {
      const { RequestItems } = JSON.parse(request.toString('utf8')) as { RequestItems?: unknown };
      const text = JSON.stringify({ UnprocessedItems: RequestItems ?? {} });
      res.writeHead(200, {
        'content-type': JSON_TYPE,
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': requestId,
      });
      res.end(text);
      return;
    }
    if (fault.kind === 'http500') {
      const text = fault.message ?? 'Internal Server Error';
      res.writeHead(500, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': requestId,
      });
      res.end(text);
      return;
    }
    const { status, type, message } = ERRORS[fault.kind];
    const text = JSON.stringify({ __type: type, message: fault.message ?? message });
    res.writeHead(status, {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
    });
    res.end(text);
  }

  /** Passes the call on; without `res` the answer is read and dropped. */
  function forward(req: IncomingMessage, body: Buffer, res: ServerResponse | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      const upstream = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          if (res) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          } else {
            answer.resume();
          }
          answer.on('end', () => resolve());
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  const { port, address } = await listenOnLoopback(server, options.port, options.host);

  return {
    endpoint: `http://${address}:${port}`,
    port,
    target: options.target,
    injectFault(fault) {
      const count = fault.count ?? 1;
      const after = fault.after ?? 0;
      if (!Number.isInteger(count) || count < 1) throw new Error('fault count must be a positive integer');
      if (!Number.isInteger(after) || after < 0) throw new Error('fault after must be a whole number');
      if (!DYNAMODB_FAULT_KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${fault.kind}`);
      if (fault.kind === 'unprocessedItems' && fault.operation !== 'BatchWriteItem') {
        throw new Error('unprocessedItems is an answer of BatchWriteItem only');
      }
      const queue = queues.get(fault.operation) ?? [];
      queue.push({ fault, skip: after, remaining: count });
      queues.set(fault.operation, queue);
    },
    pendingFaults() {
      let n = 0;
      for (const queue of queues.values()) for (const queued of queue) n += queued.remaining;
      return n;
    },
    resetFaults() {
      queues.clear();
      latencies.clear();
      indexLag = undefined;
      written.clear();
      for (const hold of holds.splice(0)) hold.left = 0;
    },
    setLatency(operation, ms, where = 'before') {
      if (ms === 0) latencies.delete(operation);
      else latencies.set(operation, { ms: typeof ms === 'number' ? () => ms : ms, where });
    },
    hold(options) {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      const entry = { options, left: options.count ?? 1, arrived, released };
      holds.push(entry);
      return {
        reached,
        release: () => {
          entry.left = 0;
          release();
        },
      };
    },
    setIndexLag(ms, keyAttributes) {
      indexLag = ms > 0 ? { ms, keyAttributes } : undefined;
      if (!indexLag) written.clear();
    },
    stats() {
      const copy = structuredClone(operations);
      let totalCalls = 0;
      for (const op of Object.values(copy)) totalCalls += op.calls;
      return { operations: copy, faultsByKind: { ...faultsByKind }, totalCalls };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        queues.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** An item's key as a string: its key attributes' values in the wire format, in order. */
function itemKey(item: unknown, keyAttributes: readonly string[]): string {
  const record = (item ?? {}) as Record<string, unknown>;
  return JSON.stringify(keyAttributes.map((name) => record[name] ?? null));
}

function emptyKinds(): Record<DynamoDbFaultKind, number> {
  return Object.fromEntries(DYNAMODB_FAULT_KINDS.map((kind) => [kind, 0])) as Record<DynamoDbFaultKind, number>;
}
