/**
 * DELETE /meetings/{MeetingId}/bans/{ExternalUserId}: a host or an administrator readmits a user banned from the
 * meeting (`DELETE .../attendees/{AttendeeId}?ban=true`): 204, also when the user was not banned. No Chime call.
 */
import { JoinServiceOperation } from '../lib/operations';
import { readmitUser } from './shared/attendee-store';
import { awsDeps, type Deps } from './shared/clients';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { requireHost } from './shared/meetings';
import { validateDeleteBan } from './shared/validation';

export async function deleteBan(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, externalUserId } = validateDeleteBan(request);
  await requireHost(deps, request.identity, meetingId, 'readmit users to this meeting');
  await readmitUser(deps, { externalUserId, meetingId });
  return { statusCode: 204 };
}

export const handler = lambdaHandler(JoinServiceOperation.DELETE_BAN, deleteBan, awsDeps);
