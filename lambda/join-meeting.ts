/**
 * POST /join: joins the caller to the live meeting of a room (ExternalMeetingId), creating it when none is live and
 * the caller may create meetings. One Chime call for a live meeting (CreateAttendee: the Meeting comes from the
 * record), two for a new one (CreateMeeting, CreateAttendee). Answers `{Meeting, Attendee}`: 201 for a new mapping,
 * 200 for a re-join.
 */
import { CreateAttendeeCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { mappingOf, recordJoin } from './shared/attendee-store';
import { attendeeForCaller } from './shared/chime';
import { awsDeps, type Deps } from './shared/clients';
import { isChimeNotFound, JoinServiceError } from './shared/errors';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { closeMeeting } from './shared/meeting-lifecycle';
import { capabilitiesWithin, validateJoinMeeting } from './shared/meeting-validation';
import { findOrCreateMeeting, type LiveMeeting } from './shared/meetings';

/** A join that meets an ended meeting moves to the room's next one; after this many ends in one request, 503. */
const ATTEMPTS = 3;

export async function joinMeeting(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { externalMeetingId, attendee, create } = validateJoinMeeting(request, deps.config.mediaRegions);
  const { identity } = request;
  const mayCreate = identity.isAdmin || deps.config.meetingCreation === 'users';
  for (let attempt = 1; ; attempt++) {
    const live: LiveMeeting = await findOrCreateMeeting(deps, externalMeetingId, create, {
      mayCreate,
      host: identity.isAdmin ? undefined : identity.externalUserId,
    });
    const meetingId = live.meeting.MeetingId!;
    if (attendee.capabilities) capabilitiesWithin(attendee.capabilities, live.meeting.MeetingFeatures, 'Capabilities');
    let joined;
    try {
      ({ Attendee: joined } = await deps.chime.send(
        new CreateAttendeeCommand({
          MeetingId: meetingId,
          ExternalUserId: attendee.externalUserId,
          Capabilities: attendee.capabilities,
        }),
      ));
    } catch (err) {
      if (!isChimeNotFound(err)) throw err;
      // The meeting ended without the table knowing: close it, so this and every later join moves to the next one.
      await closeMeeting(deps, meetingId, externalMeetingId, { onlyIfClosedHere: true });
      if (attempt === ATTEMPTS) {
        // Meetings of this room keep ending under this request: a retry will meet a settled room.
        throw new JoinServiceError(503, 'ServiceUnavailable', 'The meeting ended while joining; retry shortly.', {
          'Retry-After': '1',
        });
      }
      continue;
    }
    const outcome = await recordJoin(deps, mappingOf(meetingId, joined, attendee.tags, deps));
    return {
      statusCode: outcome === 'created' ? 201 : 200,
      // joined is defined: mappingOf refuses an answer without an attendee.
      body: { Meeting: live.meeting, Attendee: attendeeForCaller(joined!, identity, outcome) },
    };
  }
}

export const handler = lambdaHandler(JoinServiceOperation.JOIN_MEETING, joinMeeting, awsDeps);
