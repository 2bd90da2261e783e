// What the end-to-end tests of the token modes share: local mode's identity headers (a custom authorizer's context,
// taken on trust), one JSON request to the local service, and what its Chime emulator holds and was asked.
import type { LocalJoinService } from '../../local/join-service';

type ChimeOperation = keyof ReturnType<NonNullable<LocalJoinService['emulator']>['stats']>['operations'];

/** How many requests of one operation the service's Chime emulator has answered. */
export const chimeCalls = (service: LocalJoinService, operation: ChimeOperation): number =>
  service.emulator!.stats().operations[operation]?.requests ?? 0;

/** The attendee of `user` the emulator holds in a meeting, if any. */
export const chimeAttendee = (service: LocalJoinService, meetingId: string, user: string) =>
  service.emulator!.attendees(meetingId).find((a) => a.ExternalUserId === user);

/** The caller `user`, an administrator too when `admin`. */
export const asUser = (user: string, admin = false): Record<string, string> => ({
  'x-external-user-id': user,
  ...(admin && { 'x-admin': 'true' }),
});

/** An administrator with no ExternalUserId of their own, as a custom authorizer would pass an operator. */
export const ADMIN: Readonly<Record<string, string>> = { 'x-admin': 'true' };

/** One request with a JSON body (when given), answered as `{status, body}` with the body parsed. */
export async function callJson(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
