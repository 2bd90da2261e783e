/**
 * PUT /meetings/{MeetingId}/attendees/capabilities: a host or an administrator sets the capabilities of every
 * attendee but the excluded ones (e.g. mute all but the speaker): 204.
 */
import { BatchUpdateAttendeeCapabilitiesExceptCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { awsDeps, type Deps } from './shared/clients';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { capabilitiesWithin } from './shared/meeting-validation';
import { requireHost } from './shared/meetings';
import { validateUpdateCapabilitiesExcept } from './shared/validation';

export async function updateCapabilitiesExcept(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, capabilities, excludedAttendeeIds } = validateUpdateCapabilitiesExcept(request);
  const record = await requireHost(deps, request.identity, meetingId, "change this meeting's capabilities");
  capabilitiesWithin(capabilities, record?.meeting?.MeetingFeatures, 'Capabilities');
  await deps.chime.send(
    new BatchUpdateAttendeeCapabilitiesExceptCommand({
      MeetingId: meetingId,
      Capabilities: capabilities,
      ExcludedAttendeeIds: excludedAttendeeIds.map((AttendeeId) => ({ AttendeeId })),
    }),
  );
  return { statusCode: 204 };
}

export const handler = lambdaHandler(
  JoinServiceOperation.UPDATE_CAPABILITIES_EXCEPT,
  updateCapabilitiesExcept,
  awsDeps,
);
