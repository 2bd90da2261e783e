/**
 * POST /meetings: the live meeting of a room (ExternalMeetingId), created when none is live: 201 `{Meeting}` when
 * this request created it, 200 when it was live already. Administrators, and any user when `meetingCreation` allows
 * it (the creator is then the meeting's host).
 */
import { JoinServiceOperation } from '../lib/operations';
import { awsDeps, type Deps } from './shared/clients';
import { JoinServiceError } from './shared/errors';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { validateCreateMeeting } from './shared/meeting-validation';
import { findOrCreateMeeting } from './shared/meetings';

export async function createMeeting(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { identity } = request;
  if (!identity.isAdmin && deps.config.meetingCreation !== 'users') {
    throw new JoinServiceError(403, 'Forbidden', 'Only administrators may create meetings');
  }
  const { externalMeetingId, create } = validateCreateMeeting(request, deps.config.mediaRegions);
  const live = await findOrCreateMeeting(deps, externalMeetingId, create, {
    mayCreate: true,
    host: identity.isAdmin ? undefined : identity.externalUserId,
  });
  return { statusCode: live.created ? 201 : 200, body: { Meeting: live.meeting } };
}

export const handler = lambdaHandler(JoinServiceOperation.CREATE_MEETING, createMeeting, awsDeps);
