// Lambda's Invoke API (RequestResponse) on loopback, for one function played by a JavaScript function: what the
// join handlers call when the construct's `meetingAccess` is `MeetingAccess.custom(fn)`. The handlers reach it
// through the SDK's standard `AWS_ENDPOINT_URL_LAMBDA`, with the request they would send to Lambda: the path,
// a SigV4 header scoped to `lambda` (its shape is checked, not its signature, as the Chime emulator does) and a
// JSON payload. Answers as Lambda does: 200 with the function's JSON result; 200 with `X-Amz-Function-Error:
// Unhandled` and `{errorMessage, errorType}` when the function throws; 404 for another function; 403 unsigned.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody } from './chime-emulator/http-body';
import { listenOnLoopback } from './loopback';

/** The function's code: the parsed payload in, the JSON-serialisable result out (or a throw). */
export type LocalFunction = (payload: unknown) => unknown;

export interface LocalLambda {
  /** Base URL, e.g. `http://127.0.0.1:40123`: the value of `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly endpoint: string;
  /** The ARN the handlers name the function by. */
  readonly functionArn: string;
  /** Invocations so far. */
  readonly invocations: () => number;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=[^/\s,]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request,/;

export async function startLocalLambda(fn: LocalFunction, region: string): Promise<LocalLambda> {
  const functionArn = `arn:aws:lambda:${region}:000000000000:function:local-meeting-access`;
  let invocations = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answer(res, 500, { message: String(error) }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = INVOKE_PATH.exec(url.pathname)?.[1];
    if (req.method !== 'POST' || name === undefined) return answer(res, 404, { message: 'Unknown operation' });
    const scope = SIGV4.exec(req.headers.authorization ?? '');
    if (!scope || !req.headers['x-amz-date']) return answer(res, 403, { message: 'Missing Authentication Token' });
    if (scope[1] !== 'lambda')
      return answer(res, 403, { message: "Credential should be scoped to correct service: 'lambda'" });
    if (decodeURIComponent(name) !== functionArn) {
      return answer(res, 404, { Type: 'User', message: `Function not found: ${decodeURIComponent(name)}` });
    }
    const body = await readBody(req);
    if (body === 'too-large') return answer(res, 413, { message: 'Request must be smaller than 6291456 bytes' });
    invocations++;
    let result: unknown;
    try {
      result = await fn(body.length === 0 ? {} : JSON.parse(body.toString('utf8')));
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      return answer(
        res,
        200,
        { errorMessage: err.message, errorType: err.name },
        { 'x-amz-function-error': 'Unhandled' },
      );
    }
    return answer(res, 200, result ?? null);
  }
  const address = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    functionArn,
    invocations: () => invocations,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
