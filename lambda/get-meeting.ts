/**
 * GET /meetings/{MeetingId}: the meeting, from its record when the service made it (no Chime call), else from
 * Chime. Administrators, and members: callers who hold an attendee in it.
 */
import { GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { awsDeps, type Deps } from './shared/clients';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { findMeetingRecord } from './shared/meeting-store';
import { requireMember } from './shared/meeting-lifecycle';
import { validateMeetingRoute } from './shared/meeting-validation';

export async function getMeeting(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId } = validateMeetingRoute(request);
  await requireMember(deps, request, meetingId);
  // Found through the MeetingId index, so the record's MeetingId is this one (an index item is keyed by it).
  const record = await findMeetingRecord(deps, meetingId);
  if (record?.state === 'live' && record.meeting) {
    return { statusCode: 200, body: { Meeting: record.meeting } };
  }
  // Not (yet) in the index, ended in the record, or made elsewhere: Chime has the last word (404 when gone).
  const { Meeting } = await deps.chime.send(new GetMeetingCommand({ MeetingId: meetingId }));
  return { statusCode: 200, body: { Meeting } };
}

export const handler = lambdaHandler(JoinServiceOperation.GET_MEETING, getMeeting, awsDeps);
