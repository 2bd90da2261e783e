// A local stand-in for the deployed API Gateway REST API: HTTP requests become the proxy events API Gateway sends
// (path parameters, query strings, headers, request context, authorizer context) and go to the same handler code.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { httpMethods, OPERATION_TABLE, type OperationDefinition, pathParameterNames } from '../lib/operations';
import { assertOrigins, browserRefusal } from './browser-guard';
import { listenOnLoopback } from './loopback';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export interface LocalApiOptions {
  /** The handler of each operation, by operation (lib/operations.ts). */
  readonly handlers: Record<string, ProxyHandler>;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  /**
   * Origins whose CORS preflights are answered, as the deployed API does for `corsAllowOrigins`, and the only
   * pages answered at all: local mode trusts its callers, so requests from any other page are refused
   * (browser-guard.ts). Each must be an exact origin such as `http://localhost:3000`.
   */
  readonly corsAllowOrigins?: string[];
  /**
   * Request headers a preflight allows besides API Gateway's defaults (CORS_DEFAULT_ALLOW_HEADERS), for example
   * the identity headers of local mode. @default none
   */
  readonly corsAllowHeaders?: string[];
  /**
   * The authorizer context API Gateway would add for this request (for example `{externalUserId, isAdmin}` from a
   * custom authorizer), or undefined for none. Local mode trusts the caller: nothing is verified.
   */
  readonly authorizerContext?: (request: IncomingMessage) => Record<string, string> | undefined;
  /**
   * Called once per request when its answer is sent (or the client went away) with one line: method, path,
   * status and milliseconds, e.g. `POST /meetings/<id>/attendees 201 12 ms` (formatRequestLine). @default none
   */
  readonly log?: (line: string) => void;
}

/** What the deployed API allows in preflights: `apigateway.Cors.DEFAULT_HEADERS`, which the construct uses. */
export const CORS_DEFAULT_ALLOW_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
] as const;

/** The console line of one request; `aborted` when the client went away before the answer was sent. */
export function formatRequestLine(
  method: string,
  path: string,
  statusCode: number,
  durationMs: number,
  aborted = false,
): string {
  return `${method} ${path} ${statusCode} ${Math.round(durationMs)} ms${aborted ? ' (client went away)' : ''}`;
}

export interface LocalApi {
  /** Base URL, without a trailing slash, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** API Gateway REST APIs accept bodies up to 10 MB; the handlers apply the service's own 64 KiB limit. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  readonly route: OperationDefinition;
  readonly pattern: RegExp;
  readonly names: string[];
}

const COMPILED: CompiledRoute[] = OPERATION_TABLE.map((route) => ({
  route,
  names: pathParameterNames(route.path),
  // A path parameter is one non-empty segment, as in API Gateway.
  pattern: new RegExp(`^${route.path.replace(/\{[A-Za-z]+\}/g, '([^/]+)')}/?$`),
}));

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  assertOrigins(options.corsAllowOrigins ?? []);
  const server: Server = createServer((req, res) => {
    const { log } = options;
    if (log) {
      const started = performance.now();
      res.once('close', () => {
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        const method = (req.method ?? 'GET').toUpperCase();
        log(formatRequestLine(method, path, res.statusCode, performance.now() - started, !res.writableFinished));
      });
    }
    handle(req, res, options).catch((error) => {
      // The handlers answer their own errors; reaching here is a bug in the adapter or a handler crash.
      console.error('local API: unhandled error', error instanceof Error ? error.message : error);
      sendGatewayError(res, 502, 'InternalFailure', 'Internal server error', randomUUID());
    });
  });
  const { port } = await listenOnLoopback(server, options.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: LocalApiOptions): Promise<void> {
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const origin = req.headers.origin;
  const allowedOrigin = origin && (options.corsAllowOrigins ?? []).includes(origin) ? origin : undefined;
  // Not API Gateway's: local mode's own guard against the pages its developer visits. Only a listed page may read
  // why it was refused.
  const refusal = browserRefusal(req, { allowOrigins: options.corsAllowOrigins, requireJsonBody: true });
  if (refusal) {
    sendGatewayError(res, refusal.status, refusal.code, refusal.message, requestId, allowedOrigin);
    return;
  }

  // A path the URL parser rewrites (a `.` or `..` segment, percent-encoded or not, or a backslash) names no route:
  // matched after resolution, `DELETE /meetings/{id}/attendees/..` would be `DELETE /meetings/{id}`.
  const matches = hasDotSegmentOrBackslash(req.url ?? '/')
    ? []
    : COMPILED.map((c) => ({ c, m: c.pattern.exec(url.pathname) })).filter((x) => x.m);
  if (method === 'OPTIONS' && matches.length > 0 && allowedOrigin) {
    res.writeHead(204, {
      'access-control-allow-origin': allowedOrigin,
      'access-control-allow-methods': [...httpMethods(), 'OPTIONS'].join(','),
      'access-control-allow-headers': [...CORS_DEFAULT_ALLOW_HEADERS, ...(options.corsAllowHeaders ?? [])].join(','),
      'access-control-max-age': '3600',
      vary: 'Origin',
    });
    res.end();
    return;
  }
  // Static segments win over path parameters (`/attendees/batch` over `/attendees/{AttendeeId}`), as in API Gateway.
  const match = matches
    .filter((x) => x.c.route.method === method)
    .sort((a, b) => a.c.names.length - b.c.names.length)[0];
  if (!match) {
    // The deployed API (IAM authorization) answers an unknown route this way too.
    sendGatewayError(res, 403, 'Forbidden', 'Missing Authentication Token', requestId, allowedOrigin);
    return;
  }

  const body = await readBody(req);
  if (body === undefined) {
    sendGatewayError(res, 413, 'PayloadTooLarge', 'Request Too Long', requestId, allowedOrigin);
    return;
  }
  // API Gateway REST APIs hand path parameters over as they were sent, still percent-encoded.
  const pathParameters: Record<string, string> = {};
  match.c.names.forEach((name, i) => {
    pathParameters[name] = match.m![i + 1];
  });
  const event = toProxyEvent(
    req,
    url,
    method,
    match.c.route,
    pathParameters,
    body,
    requestId,
    options.authorizerContext?.(req),
  );
  const result = await options.handlers[match.c.route.operation](event);
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  res.writeHead(result.statusCode, headers);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** Whether the URL parser would resolve or rewrite the path: a `.` or `..` segment (`%2e` counts as a dot) or a `\\`. */
function hasDotSegmentOrBackslash(target: string): boolean {
  const path = target.split('?')[0];
  return path.includes('\\') || path.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

function toProxyEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  route: OperationDefinition,
  pathParameters: Record<string, string>,
  body: Buffer,
  requestId: string,
  authorizer: Record<string, string> | undefined,
): APIGatewayProxyEvent {
  // Prototype-free maps: a header or query parameter named `constructor` or `__proto__` is just a name.
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = Object.create(null);
  const multiQuery: Record<string, string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: authorizer ?? null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/local${url.pathname}`,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.path,
    },
  };
}

/** The body, or undefined when it is larger than API Gateway accepts. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Errors the gateway answers itself, in the shape the deployed API's gateway responses use. */
function sendGatewayError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
  allowedOrigin?: string,
): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId };
  if (allowedOrigin) Object.assign(headers, { 'access-control-allow-origin': allowedOrigin, vary: 'Origin' });
  res.writeHead(status, headers);
  res.end(JSON.stringify({ Code: code, Message: message, RequestId: requestId }));
}
