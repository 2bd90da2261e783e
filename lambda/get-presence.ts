/**
 * GET /meetings/{MeetingId}/presence: who is in a meeting, from the table alone (no Chime call): each mapped
 * attendee with the State and Since of its latest connection event (`Joined`, `Left`, `Dropped`; absent: never
 * connected). ListAttendees cannot tell this: it returns attendees who left until they are deleted.
 */
import { JoinServiceOperation } from '../lib/operations';
import { listMeetingMappings } from './shared/attendee-store';
import { awsDeps, type Deps } from './shared/clients';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { validateMeetingRoute } from './shared/meeting-validation';
import { requireMember } from './shared/meeting-lifecycle';

export async function getPresence(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId } = validateMeetingRoute(request);
  await requireMember(deps, request, meetingId);
  const mappings = await listMeetingMappings(deps, meetingId);
  return {
    statusCode: 200,
    body: {
      Attendees: mappings.map((m) => ({
        ExternalUserId: m.externalUserId,
        AttendeeId: m.attendeeId,
        ...(m.presence && { State: m.presence.state, Since: m.presence.since }),
      })),
    },
  };
}

export const handler = lambdaHandler(JoinServiceOperation.GET_PRESENCE, getPresence, awsDeps);
