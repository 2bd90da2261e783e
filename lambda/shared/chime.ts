/** What the handlers that call Chime share: the shapes they answer with and the "meeting is gone" rule. */
import type { Attendee } from '@aws-sdk/client-chime-sdk-meetings';
import { deleteMeetingMappings, type JoinOutcome, type StoreDeps } from './attendee-store';
import { isChimeNotFound } from './errors';
import type { CallerIdentity } from './types';

/** For the caller who joined (or the admin who created the attendees): what `MeetingSessionConfiguration` needs. */
export const attendeeWithJoinToken = ({ ExternalUserId, AttendeeId, JoinToken, Capabilities }: Attendee) => ({
  ExternalUserId,
  AttendeeId,
  JoinToken,
  Capabilities,
});

/** For everyone else: fields are picked, never copied wholesale, so a JoinToken cannot slip through. */
export const attendeeWithoutJoinToken = ({ ExternalUserId, AttendeeId, Capabilities }: Attendee) => ({
  ExternalUserId,
  AttendeeId,
  Capabilities,
});

/**
 * A join's attendee as its caller may see it. Chime answers a repeated ExternalUserId with the attendee it already
 * holds, token included, so the JoinToken goes only to the user it belongs to: the caller who is that user, or the
 * caller whose join created the attendee's mapping (an administrator or a backend joining someone, who hands the new
 * token on). Anyone else meeting an existing attendee (an IAM caller or an administrator naming a user who already
 * joined) gets it without the token: it would let them take over that user's session.
 */
export function attendeeForCaller(attendee: Attendee, caller: CallerIdentity, outcome: JoinOutcome) {
  const owner = caller.externalUserId !== undefined && caller.externalUserId === attendee.ExternalUserId;
  return owner || outcome === 'created' ? attendeeWithJoinToken(attendee) : attendeeWithoutJoinToken(attendee);
}

/**
 * A rejection handler for Chime calls about one meeting: when Chime answers NotFound the meeting has ended (or
 * never existed), so its mappings are stale and are removed before the error is answered (404). A failure of
 * that clean-up fails the request (500); the caller's retry meets NotFound again and finishes it.
 */
export function forgetMeetingIfGone(deps: StoreDeps, meetingId: string) {
  return async (err: unknown): Promise<never> => {
    if (isChimeNotFound(err)) await deleteMeetingMappings(deps, meetingId);
    throw err;
  };
}
