/** What the handlers that call Chime share: the shapes they answer with and the "meeting is gone" rule. */
import type { Attendee } from '@aws-sdk/client-chime-sdk-meetings';
import { deleteMeetingMappings, type StoreDeps } from './attendee-store';
import { isChimeNotFound } from './errors';

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
