/**
 * What the service does when a meeting ends, however it learns of it (a DELETE, Chime answering NotFound, a
 * MeetingEnded event, the sweep): the room's record is closed, if it still holds this meeting, so the next join by
 * name makes a new one, and the meeting's mappings are removed. And who may read a meeting: administrators and
 * members.
 */
import { endMeetingMappings, isMember, type StoreDeps } from './attendee-store';
import type { Deps } from './clients';
import { JoinServiceError } from './errors';
import { findMeetingRecord, recordEnded } from './meeting-store';
import type { JoinRequest } from './types';

export async function closeMeeting(
  deps: StoreDeps & Pick<Deps, 'now'>,
  meetingId: string,
  externalMeetingId: string | undefined,
  options: { endedAt?: Date; onlyIfClosedHere?: boolean } = {},
): Promise<void> {
  const name = externalMeetingId ?? (await findMeetingRecord(deps, meetingId))?.externalMeetingId;
  const endedAt = options.endedAt ?? deps.now();
  const closedHere = name ? await recordEnded(deps, name, meetingId, endedAt) : true;
  // Joins that all met the same end leave the clean-up to the one that closed the record (an event or the sweep
  // clean up too, should that one fail).
  if (closedHere || !options.onlyIfClosedHere) await endMeetingMappings(deps, meetingId, endedAt);
}

/** Administrators, or a caller who holds an attendee in the meeting. */
export async function requireMember(deps: StoreDeps, request: JoinRequest, meetingId: string): Promise<void> {
  const { identity } = request;
  if (identity.isAdmin) return;
  const member =
    identity.externalUserId !== undefined &&
    (await isMember(deps, { externalUserId: identity.externalUserId, meetingId }));
  if (!member) throw new JoinServiceError(403, 'Forbidden', 'Only administrators and members may read this meeting');
}
