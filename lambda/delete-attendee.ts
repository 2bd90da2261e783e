/** DELETE /meetings/{MeetingId}/attendees/{AttendeeId}: removes an attendee from Chime and its mapping (204). */
import { DeleteAttendeeCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { deleteMapping, findMeetingMapping } from './shared/attendee-store';
import { awsDeps, type Deps } from './shared/clients';
import { isChimeNotFound } from './shared/errors';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { validateDeleteAttendee } from './shared/validation';

export async function deleteAttendee(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, attendeeId } = validateDeleteAttendee(request);
  // Looked up first, so a DynamoDB failure stops the request before anything changes in Chime.
  const mapping = await findMeetingMapping(deps, meetingId, attendeeId);
  try {
    await deps.chime.send(new DeleteAttendeeCommand({ MeetingId: meetingId, AttendeeId: attendeeId }));
  } catch (err) {
    // NotFound here may mean only this attendee is gone (deleted earlier) while the meeting runs on, so only
    // this attendee's mapping is removed; purging the whole meeting would drop its live attendees' mappings.
    if (isChimeNotFound(err) && mapping) await deleteMapping(deps, mapping, attendeeId);
    throw err;
  }
  if (mapping) await deleteMapping(deps, mapping, attendeeId);
  return { statusCode: 204 };
}

export const handler = lambdaHandler(JoinServiceOperation.DELETE_ATTENDEE, deleteAttendee, awsDeps);
