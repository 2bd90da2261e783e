/**
 * The HTTP front of the emulator: one request through the pipeline a Chime request meets (signature, added
 * latency, rate limit, scripted fault, validation and the operation), answered in the service's REST-JSON form:
 * - Success codes are the model's (200, and 204 for the deletes).
 * - Errors carry `x-amzn-ErrorType: <Name>Exception:<namespace>` (the SDK keeps the part before the colon and
 *   picks the exception class from it), `x-amzn-RequestId`, and the body `{Code, Message, RequestId}` where Code
 *   is the name without "Exception". `Retry-After` is sent when the error has one (ServiceUnavailable faults,
 *   throttling), which the SDK exposes as `RetryAfterSeconds` and its retry strategy honours.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { browserRefusal, sendRefusal } from '../browser-guard';
import { CONTROL_HEADER, handleControl, isControlPath } from './control-api';
import type { OperationContext } from './dispatch';
import { runOperation } from './dispatch';
import { CHIME_ERROR_STATUS, ChimeError, ERROR_NAMESPACE, errorCode } from './errors';
import type { FaultQueue } from './faults';
import { readBody } from './http-body';
import type { Latency } from './latency';
import type { ChimeOperation } from './operations';
import type { RateLimits } from './rate-limits';
import { matchRoute, operationInput } from './routing';
import { authenticate } from './sigv4';
import type { StatsCounters } from './stats';
import type { ChimeEmulator } from './types';

/** What a request needs from the emulator. */
export interface Pipeline {
  readonly now: () => number;
  readonly log?: (line: string) => void;
  /** When set, other access keys are refused. */
  readonly accessKeyId?: string;
  readonly counters: StatsCounters;
  readonly rateLimits: RateLimits;
  readonly faults: FaultQueue;
  readonly latency: Latency;
  /** The public methods, for the control API. */
  readonly control: ChimeEmulator;
  /** Meeting state for one operation, with meetings past their maximum duration already ended. */
  operationContext(controlRegion: string): OperationContext;
}

export async function handleRequest(pipeline: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { now, log, counters: stats } = pipeline;
  const started = now();
  // Request ids come from the OS, so seeded ids and tokens do not depend on how many requests came before.
  res.setHeader('x-amzn-RequestId', randomUUID());
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  const control = isControlPath(url.pathname);
  // Only the SDK, curl and tests call the emulator: no web page, no rebinding Host; control routes need a header.
  const refusal = browserRefusal(req, control ? { requireHeader: CONTROL_HEADER } : {});
  if (refusal) {
    sendRefusal(res, refusal);
    log?.(`${method} ${url.pathname} refused ${refusal.status}: ${refusal.message}`);
    return;
  }
  const raw = await readBody(req);
  if (control) return handleControl(pipeline.control, method, url, raw, res);
  const matched = matchRoute(method, url);
  if (!matched) {
    stats.unknownRoute();
    res.writeHead(404, {
      'content-type': 'application/json',
      'x-amzn-ErrorType': `UnknownOperationException:${ERROR_NAMESPACE}`,
    });
    res.end(JSON.stringify({ Code: 'UnknownOperation', Message: `No operation matches ${method} ${url.pathname}` }));
    log?.(`${method} ${url.pathname} (no operation) 404`);
    return;
  }
  const { operation, route } = matched;
  const counters = stats.of(operation);
  counters.requests += 1;
  let body: unknown;
  try {
    const caller = authenticate(req.headers, pipeline.accessKeyId);
    if (caller instanceof ChimeError) {
      counters.unauthenticated += 1;
      throw caller;
    }
    await pipeline.latency.delay(operation);
    counted(
      () => pipeline.rateLimits.take(operation, now()),
      () => (counters.throttled += 1),
    );
    counted(
      () => pipeline.faults.serve(operation),
      () => (counters.faulted += 1),
    );
    body = runOperation(operation, operationInput(matched, raw), pipeline.operationContext(caller.region));
  } catch (error) {
    if (!(error instanceof ChimeError)) throw error;
    sendError(pipeline, res, operation, error);
    log?.(`${method} ${url.pathname} ${operation} ${res.statusCode} ${error.type} ${now() - started}ms`);
    return;
  }
  const status = route.successCode;
  stats.answered(operation, status, true);
  if (body === undefined) {
    res.writeHead(status);
    res.end();
  } else {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
  log?.(`${method} ${url.pathname} ${operation} ${status} ${now() - started}ms`);
}

/** Answers an error in the service's form; counted against the operation when there is one. */
export function sendError(
  pipeline: Pick<Pipeline, 'counters'>,
  res: ServerResponse,
  operation: ChimeOperation | undefined,
  error: ChimeError,
): void {
  const status = CHIME_ERROR_STATUS[error.type];
  if (operation) pipeline.counters.answered(operation, status, false);
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

/** Runs a step; if it throws, counts that before the error goes on. */
function counted(step: () => void, count: () => void): void {
  try {
    step();
  } catch (error) {
    count();
    throw error;
  }
}
