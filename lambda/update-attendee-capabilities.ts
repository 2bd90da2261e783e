/**
 * PUT /meetings/{MeetingId}/attendees/{AttendeeId}/capabilities: a host or an administrator sets one attendee's
 * capabilities (moderation: mute, stop video or screen share). Answers `200 {Attendee}` without its JoinToken. The
 * table keeps the capabilities the attendee joined with: Chime is the authority on their current ones.
 */
import { UpdateAttendeeCapabilitiesCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { attendeeWithoutJoinToken } from './shared/chime';
import { awsDeps, type Deps } from './shared/clients';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { capabilitiesWithin } from './shared/meeting-validation';
import { requireHost } from './shared/meetings';
import { validateUpdateAttendeeCapabilities } from './shared/validation';

export async function updateAttendeeCapabilities(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, attendeeId, capabilities } = validateUpdateAttendeeCapabilities(request);
  const record = await requireHost(deps, request.identity, meetingId, "change this meeting's capabilities");
  // The host's meeting is known from its record: its features bound the capabilities before Chime is asked.
  capabilitiesWithin(capabilities, record?.meeting?.MeetingFeatures, 'Capabilities');
  const { Attendee } = await deps.chime.send(
    new UpdateAttendeeCapabilitiesCommand({ MeetingId: meetingId, AttendeeId: attendeeId, Capabilities: capabilities }),
  );
  if (!Attendee) throw new Error('Chime returned no attendee');
  return { statusCode: 200, body: { Attendee: attendeeWithoutJoinToken(Attendee) } };
}

export const handler = lambdaHandler(
  JoinServiceOperation.UPDATE_ATTENDEE_CAPABILITIES,
  updateAttendeeCapabilities,
  awsDeps,
);
