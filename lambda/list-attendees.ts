/** GET /meetings/{MeetingId}/attendees: one page of a meeting's attendees, without their JoinTokens. */
import { ListAttendeesCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { attendeeWithoutJoinToken, forgetMeetingIfGone } from './shared/chime';
import { awsDeps, type Deps } from './shared/clients';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { validateListAttendees } from './shared/validation';

export async function listAttendees(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, maxResults, nextToken } = validateListAttendees(request);
  const page = await deps.chime
    .send(new ListAttendeesCommand({ MeetingId: meetingId, MaxResults: maxResults, NextToken: nextToken }))
    .catch(forgetMeetingIfGone(deps, meetingId));
  return {
    statusCode: 200,
    body: {
      // Chime returns every attendee's JoinToken here; a lister must never be able to join as someone else.
      Attendees: (page.Attendees ?? []).map(attendeeWithoutJoinToken),
      ...(page.NextToken && { NextToken: page.NextToken }),
    },
  };
}

export const handler = lambdaHandler(JoinServiceOperation.LIST_ATTENDEES, listAttendees, awsDeps);
