/**
 * DELETE /meetings/{MeetingId}/attendees/{AttendeeId}: removes an attendee from Chime and its mapping (204); with
 * `?ban=true` the user may not rejoin the meeting until a host readmits them. Administrators and the meeting's host.
 *
 * The user is learnt from Chime (GetAttendee), so the mapping is found by its key on the base table, never through
 * the eventually consistent index. The attendee is marked as being removed before Chime deletes it and recorded as
 * removed after, so no join that got it from Chime can write it back (attendee-store.ts).
 */
import { DeleteAttendeeCommand, GetAttendeeCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import {
  banUser,
  findMeetingMapping,
  type MappingKey,
  markRemoving,
  recordRemoved,
  unmarkRemoving,
} from './shared/attendee-store';
import { awsDeps, type Deps } from './shared/clients';
import { isChimeNotFound } from './shared/errors';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { requireHost } from './shared/meetings';
import { validateDeleteAttendee } from './shared/validation';

export async function deleteAttendee(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, attendeeId, ban } = validateDeleteAttendee(request);
  await requireHost(deps, request.identity, meetingId, 'remove attendees from this meeting');
  let key: MappingKey;
  try {
    const { Attendee } = await deps.chime.send(
      new GetAttendeeCommand({ MeetingId: meetingId, AttendeeId: attendeeId }),
    );
    if (!Attendee?.ExternalUserId) throw new Error('Chime returned an attendee without ExternalUserId');
    key = { externalUserId: Attendee.ExternalUserId, meetingId };
  } catch (err) {
    // Gone already (deleted earlier, or its meeting ended): only this attendee's mapping, if any, is cleaned up;
    // the meeting may run on, so its other mappings stay. The index may lag; this is clean-up, not a decision.
    if (isChimeNotFound(err)) {
      const stale = await findMeetingMapping(deps, meetingId, attendeeId);
      if (stale) await recordRemoved(deps, stale, attendeeId);
    }
    throw err;
  }

  // The ban first: from then on no join of this user records an attendee, the one being removed included.
  if (ban) await banUser(deps, key);
  await markRemoving(deps, key, attendeeId);
  try {
    await deps.chime.send(new DeleteAttendeeCommand({ MeetingId: meetingId, AttendeeId: attendeeId }));
  } catch (err) {
    if (!isChimeNotFound(err)) {
      // Chime did not delete it: the attendee lives on, and joins may record it again.
      await unmarkRemoving(deps, key, attendeeId);
      throw err;
    }
    await recordRemoved(deps, key, attendeeId);
    throw err;
  }
  await recordRemoved(deps, key, attendeeId);
  return { statusCode: 204 };
}

export const handler = lambdaHandler(JoinServiceOperation.DELETE_ATTENDEE, deleteAttendee, awsDeps);
