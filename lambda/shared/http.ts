/**
 * The HTTP edge of every handler: adapts an API Gateway proxy event into a plain request, runs a handler
 * core, maps any error onto SERVICE.md's error table, writes one structured log line, and turns the result
 * into a proxy response. The cores never see API Gateway types, so a local API adapter can call `serve`.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { JoinServiceOperation } from '../../lib/operations';
import { authorize, callerIdentity } from './authorization';
import { authConfig, corsAllowOrigins } from './config';
import { type JoinServiceError, toJoinServiceError } from './errors';
import { emitRequestRecord, withCounters } from './metrics';
import type { HandlerCore, IncomingRequest, JoinResponse, Operation } from './types';

export type { CallerIdentity, HandlerCore, IncomingRequest, JoinRequest, JoinResponse, Operation } from './types';

/**
 * The Lambda entry of one operation: the caller is authorized first (401/403 before any validation message),
 * then the core gets the container's clients and config.
 */
export function lambdaHandler<D>(operation: Operation, core: HandlerCore<D>, deps: D) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const request = toJoinRequest(event);
    const response = await serve(operation, request, (r) =>
      core({ ...r, identity: authorize(operation, r, callerIdentity(event, authConfig())) }, deps),
    );
    return toProxyResult(response, request.headers.origin, corsAllowOrigins());
  };
}

/** Runs a core; every failure becomes an error body `{Code, Message, RequestId}`, never a stack trace. */
export async function serve<R extends IncomingRequest>(
  operation: Operation,
  request: R,
  run: (request: R) => Promise<JoinResponse>,
): Promise<JoinResponse> {
  const started = performance.now();
  return withCounters(async (counters) => {
    let response: JoinResponse;
    let error: JoinServiceError | undefined;
    let cause: unknown;
    try {
      response = await run(request);
    } catch (err) {
      cause = err;
      error = toJoinServiceError(err);
      response = {
        statusCode: error.statusCode,
        headers: error.headers,
        body: { Code: error.code, Message: error.message, RequestId: request.requestId },
      };
    }
    // One record per request, log line and metrics at once. Never the body, the response or an SDK object: they
    // carry ExternalUserIds and JoinTokens.
    const failed = response.statusCode >= 500;
    const record = {
      requestId: request.requestId,
      operation,
      statusCode: response.statusCode,
      durationMs: Math.round(performance.now() - started),
      errorCode: error?.code,
      cause: error && failed ? describeCause(cause) : undefined,
    };
    emitRequestRecord({ ...record, joins: joinsIn(operation, response), counters });
    // A failure also gets an error-level line, for log filters and Lambda's log-level controls.
    if (failed) console.error(record);
    return response;
  });
}

/** Attendees a response hands out: one for a join, each created attendee of a batch. */
function joinsIn(operation: Operation, response: JoinResponse): number {
  if (response.statusCode >= 300) return 0;
  if (operation === JoinServiceOperation.CREATE_ATTENDEE || operation === JoinServiceOperation.JOIN_MEETING) return 1;
  if (operation === JoinServiceOperation.BATCH_CREATE_ATTENDEE)
    return (response.body as { Attendees?: unknown[] }).Attendees?.length ?? 0;
  return 0;
}

export function toJoinRequest(event: APIGatewayProxyEvent): IncomingRequest {
  return {
    pathParameters: mapValues(event.pathParameters ?? {}, decodePathParameter),
    queryStringParameters: { ...event.queryStringParameters },
    headers: Object.fromEntries(
      Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    body: event.body ?? null,
    isBase64Encoded: event.isBase64Encoded === true,
    requestId: event.requestContext?.requestId || randomUUID(),
  };
}

/**
 * JSON with `Cache-Control: no-store` (a JoinToken is a credential no cache should keep). CORS: an Origin in
 * the allow list (or any, if the list holds `*`) is echoed; `Vary: Origin` whenever a list is configured, as the
 * answer then depends on the Origin.
 */
export function toProxyResult(
  response: JoinResponse,
  origin: string | undefined,
  allowOrigins: readonly string[],
): APIGatewayProxyResult {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...response.headers };
  if (response.body !== undefined) headers['Content-Type'] = 'application/json';
  if (allowOrigins.length > 0) {
    headers.Vary = 'Origin';
    if (origin && (allowOrigins.includes(origin) || allowOrigins.includes('*'))) {
      headers['Access-Control-Allow-Origin'] = origin;
      // Browsers hide non-safelisted headers from scripts unless exposed.
      if (headers['Retry-After']) headers['Access-Control-Expose-Headers'] = 'Retry-After';
    }
  }
  return {
    statusCode: response.statusCode,
    headers,
    body: response.body === undefined ? '' : JSON.stringify(response.body),
  };
}

/**
 * REST APIs may hand path parameters over still percent-encoded. No valid id contains `%`, so decoding once
 * is never ambiguous; a malformed escape is kept as is for validation to refuse.
 */
function decodePathParameter(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Enough to find the failure in the upstream service's own logs; upstream messages stay out of responses. */
function describeCause(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { name: typeof err };
  const upstreamRequestId = (err as { $metadata?: { requestId?: string } }).$metadata?.requestId;
  // A failure we answer ourselves (a JoinServiceError) may carry what caused it, for the log only.
  const cause = err.cause instanceof Error ? { cause: describeCause(err.cause) } : {};
  return {
    name: err.name,
    message: err.message.slice(0, 300),
    ...(upstreamRequestId && { upstreamRequestId }),
    ...cause,
  };
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}
