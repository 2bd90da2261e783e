/**
 * POST /meetings/{MeetingId}/attendees: joins one user to a meeting. Answers what `amazon-chime-sdk-js` needs
 * (`{Attendee, Meeting}`): 201 when the user's mapping is new, 200 for an idempotent re-join.
 */
import { CreateAttendeeCommand, GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { mappingOf, recordJoin } from './shared/attendee-store';
import { attendeeForCaller, forgetMeetingIfGone } from './shared/chime';
import { awsDeps, type Deps } from './shared/clients';
import { isChimeNotFound } from './shared/errors';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { accessMeetingOf, admitJoin } from './shared/meeting-access';
import { findMeetingRecord } from './shared/meeting-store';
import { validateCreateAttendee } from './shared/validation';

export async function createAttendee(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, attendee } = validateCreateAttendee(request);
  const key = { externalUserId: attendee.externalUserId, meetingId };
  // The index may lag a meeting created a moment ago: the policy then learns only its MeetingId.
  const about = async () => accessMeetingOf(meetingId, await findMeetingRecord(deps, meetingId));
  const capabilities = await admitJoin(deps, request.identity, key, about, attendee.capabilities);
  // ExternalUserId is Chime's idempotency token: a re-join returns the same attendee, never a second one.
  const [created, meeting] = await Promise.allSettled([
    deps.chime.send(
      new CreateAttendeeCommand({
        MeetingId: meetingId,
        ExternalUserId: attendee.externalUserId,
        Capabilities: capabilities,
      }),
    ),
    deps.config.includeMeeting ? deps.chime.send(new GetMeetingCommand({ MeetingId: meetingId })) : undefined,
  ]);
  const forgetMeeting = forgetMeetingIfGone(deps, meetingId);
  if (created.status === 'rejected') return forgetMeeting(created.reason);
  // The meeting ended between the two calls: the attendee ended with it, so there is nothing to map.
  // Stryker disable next-line ConditionalExpression: `meeting.status === 'rejected'` → true is equivalent (a fulfilled result has no reason, and isChimeNotFound(undefined) is false); → false is killed by the GetMeeting-NotFound tests but shares the line
  if (meeting.status === 'rejected' && isChimeNotFound(meeting.reason)) return forgetMeeting(meeting.reason);

  // Written even when GetMeeting failed otherwise, so the table knows every attendee Chime holds; the caller's
  // retry then gets the same attendee (200) with its Meeting.
  const joined = created.value.Attendee;
  const outcome = await recordJoin(deps, mappingOf(meetingId, joined, attendee.tags, deps));
  if (meeting.status === 'rejected') throw meeting.reason;
  return {
    statusCode: outcome === 'created' ? 201 : 200,
    // joined is defined: mappingOf refuses an answer without an attendee.
    body: {
      Attendee: attendeeForCaller(joined!, request.identity, outcome),
      ...(meeting.value && { Meeting: meeting.value.Meeting }),
    },
  };
}

export const handler = lambdaHandler(JoinServiceOperation.CREATE_ATTENDEE, createAttendee, awsDeps);
