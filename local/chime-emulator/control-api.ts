/**
 * The control API under `/_emulator` (for `npm run local` and other processes; tests can call the methods
 * directly). Unsigned, JSON in and out; errors are `{message}` with 400 (bad input), 404 (unknown meeting,
 * attendee or route) or 409 (an impossible client transition). Every request must carry the `X-Emulator-Control`
 * header (any value), which no web page can send without a preflight the emulator never answers; without it, or
 * from a page or a Host that is not loopback, the answer is 403 (server.ts, ../browser-guard.ts).
 *
 * GET    /_emulator/stats                                            → 200 EmulatorStats
 * POST   /_emulator/reset                                            → 204
 * POST   /_emulator/meetings  body MeetingInput                      → 201 {Meeting}
 * DELETE /_emulator/meetings/{MeetingId}                             → 204, or 404 when not live
 * POST   /_emulator/meetings/{MeetingId}/attendees/{AttendeeId}/connection  body {"state":"joined"|"left"|"dropped"}
 *                                                                    → 200 {Event}
 * GET    /_emulator/events                                           → 200 {Events} (recorded, oldest first)
 * POST   /_emulator/faults    body {operation, ...Fault}             → 204
 * PUT    /_emulator/rate-limits/{Operation}  body RateLimit          → 204; DELETE removes it
 * PUT    /_emulator/latency/{Operation}      body {milliseconds}     → 204
 */
import type { ServerResponse } from 'node:http';
import { ControlError } from './errors';
import type { AttendeeConnectionState } from './events';
import type { Fault } from './faults';
import type { MeetingInput } from './meeting-document';
import type { ChimeOperation } from './operations';
import type { RateLimit } from './rate-limits';
import type { ChimeEmulator } from './types';

export const CONTROL_PREFIX = '/_emulator';
/** The header every control request must carry (lower case, as Node reads headers). */
export const CONTROL_HEADER = 'x-emulator-control';

export function isControlPath(pathname: string): boolean {
  return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

export function handleControl(
  emulator: ChimeEmulator,
  method: string,
  url: URL,
  raw: Buffer | 'too-large',
  res: ServerResponse,
): void {
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
    const segments = url.pathname.slice(CONTROL_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    const [resource, name, sub, attendeeId, action] = segments;
    const route = `${method} ${resource ?? ''}${segments.length > 1 ? `/${'*'.repeat(segments.length - 1)}` : ''}`;
    if (route === 'GET stats') return reply(200, emulator.stats());
    if (route === 'GET events') return reply(200, { Events: emulator.events() });
    if (route === 'POST reset') {
      emulator.reset();
      return reply(204);
    }
    if (route === 'POST meetings') {
      return reply(201, { Meeting: emulator.createMeeting(controlBody(raw) as MeetingInput) });
    }
    if (route === 'DELETE meetings/*') {
      return emulator.endMeeting(name) ? reply(204) : reply(404, { message: `no meeting ${name}` });
    }
    if (route === 'POST meetings/****' && sub === 'attendees' && action === 'connection') {
      const { state } = controlBody(raw);
      return reply(200, { Event: emulator.connect(name, attendeeId, state as AttendeeConnectionState) });
    }
    if (route === 'POST faults') {
      const { operation, ...fault } = controlBody(raw) as unknown as Fault & { operation: ChimeOperation };
      emulator.injectFault(operation, fault);
      return reply(204);
    }
    if (route === 'PUT rate-limits/*' || route === 'DELETE rate-limits/*') {
      emulator.setRateLimit(
        name as ChimeOperation,
        method === 'PUT' ? (controlBody(raw) as unknown as RateLimit) : undefined,
      );
      return reply(204);
    }
    if (route === 'PUT latency/*') {
      emulator.setLatency(name as ChimeOperation, Number(controlBody(raw).milliseconds));
      return reply(204);
    }
    return reply(404, { message: `no control route ${method} ${url.pathname}` });
  } catch (error) {
    const status = error instanceof ControlError ? error.status : 400;
    return reply(status, { message: error instanceof Error ? error.message : String(error) });
  }
}

function controlBody(raw: Buffer | 'too-large'): Record<string, unknown> {
  if (raw === 'too-large') throw new Error('body too large');
  const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('body must be a JSON object');
  return parsed as Record<string, unknown>;
}
