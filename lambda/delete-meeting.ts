/**
 * DELETE /meetings/{MeetingId}: ends a meeting (DeleteMeeting), closes its record (the next join by name makes a
 * new meeting) and removes its mappings: 204. Administrators, and the host (the user who created it).
 */
import { DeleteMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { awsDeps, type Deps } from './shared/clients';
import { isChimeNotFound } from './shared/errors';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { closeMeeting } from './shared/meeting-lifecycle';
import { validateMeetingRoute } from './shared/meeting-validation';
import { assertHost, meetingRecordOf } from './shared/meetings';

export async function deleteMeeting(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId } = validateMeetingRoute(request);
  const { identity } = request;
  const record = await meetingRecordOf(deps, meetingId);
  assertHost(identity, record, 'end this meeting');
  let gone: unknown;
  try {
    await deps.chime.send(new DeleteMeetingCommand({ MeetingId: meetingId }));
  } catch (err) {
    if (!isChimeNotFound(err)) throw err;
    gone = err; // ended already: close what the table still holds, then answer 404
  }
  await closeMeeting(deps, meetingId, record?.externalMeetingId);
  if (gone) throw gone;
  return { statusCode: 204 };
}

export const handler = lambdaHandler(JoinServiceOperation.DELETE_MEETING, deleteMeeting, awsDeps);
