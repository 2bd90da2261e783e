/**
 * What keeps the web pages a developer visits away from local mode's servers (the API, the Chime emulator,
 * dynalite), which trust every caller. A browser lets any page send requests to loopback: "simple" ones
 * (text/plain or form bodies, no custom header) without asking the server first, and, once an attacker's name
 * resolves to 127.0.0.1 (DNS rebinding), same-origin ones that CORS never checks. So, on every request:
 * - the Host must be a loopback name (`127.0.0.1`, `localhost`, `[::1]`, any port): a rebinding name is refused;
 * - a request from a page (an Origin header, or `Sec-Fetch-Site` cross-site/same-site without one) is refused
 *   unless its Origin is listed exactly: `http://localhost:3000` and `http://127.0.0.1:3000` are two origins, and
 *   `null` is never one;
 * - where asked, a body must be declared `application/json` (a page cannot send that without a preflight) and a
 *   header must be present (ditto).
 * Requests without an Origin from loopback Hosts (curl, the AWS SDKs, Node's fetch) are answered as before.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

export interface BrowserGuard {
  /** Origins whose pages may call, exactly as browsers send them (assertOrigins checks). @default none */
  readonly allowOrigins?: readonly string[];
  /** Refuse a body not declared `Content-Type: application/json` with 415. @default false */
  readonly requireJsonBody?: boolean;
  /** A header (lower case) every request must carry. @default none */
  readonly requireHeader?: string;
}

export interface Refusal {
  readonly status: 403 | 415;
  readonly code: 'Forbidden' | 'UnsupportedMediaType';
  readonly message: string;
}

/** `127.0.0.1`, `localhost` (any case) or `[::1]`, with or without a port: names no DNS answer can move. */
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;
/** `application/json`, with parameters such as `; charset=utf-8`. */
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;

/** Why a request is refused, or undefined when it may go on. */
export function browserRefusal(req: IncomingMessage, guard: BrowserGuard = {}): Refusal | undefined {
  const host = req.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host)) {
    return forbidden(`Host ${JSON.stringify(host)} is not a loopback name (127.0.0.1, localhost, [::1])`);
  }
  const { origin } = req.headers;
  const site = req.headers['sec-fetch-site'];
  const fromPage = origin !== undefined || site === 'cross-site' || site === 'same-site';
  if (fromPage && !(origin !== undefined && (guard.allowOrigins ?? []).includes(origin))) {
    return forbidden(
      origin === undefined
        ? `a ${site} request from a page without an Origin is refused`
        : `Origin ${origin} is not allowed${guard.allowOrigins?.length ? '' : ': no origin is'}`,
    );
  }
  if (guard.requireHeader && req.headers[guard.requireHeader] === undefined) {
    return forbidden(`the ${guard.requireHeader} header is required`);
  }
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (guard.requireJsonBody && hasBody && !JSON_MEDIA_TYPE.test(req.headers['content-type'] ?? '')) {
    return {
      status: 415,
      code: 'UnsupportedMediaType',
      message: `a body must be sent as Content-Type: application/json, not ${req.headers['content-type'] ?? 'none'}`,
    };
  }
  return undefined;
}

/** Throws unless each entry is an origin as a browser sends it: `scheme://host[:port]`, no path, never `null`. */
export function assertOrigins(origins: readonly string[]): void {
  for (const origin of origins) {
    let serialized: string | undefined;
    try {
      serialized = new URL(origin).origin;
    } catch {
      serialized = undefined;
    }
    if (serialized !== origin || origin === 'null') {
      throw new Error(
        `${JSON.stringify(origin)} is not an origin: give scheme, host and port as a browser sends them, ` +
          'e.g. http://localhost:3000 (no path, no trailing slash, no wildcard)',
      );
    }
  }
}

/** Answers a refusal as `{Code, Message}` JSON, with no CORS header, so a page can read nothing of it. */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ Code: refusal.code, Message: refusal.message }));
}

/**
 * Puts the guard in front of a server whose request handler is not ours (dynalite): refused requests never reach
 * it, so neither do its CORS answers (dynalite allows every Origin).
 */
export function guardServer(server: Server, guard: BrowserGuard = {}): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = browserRefusal(req, guard);
    if (refusal) return sendRefusal(res, refusal);
    for (const listener of listeners) listener.call(server, req, res);
  });
}

function forbidden(message: string): Refusal {
  return { status: 403, code: 'Forbidden', message };
}
