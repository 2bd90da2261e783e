/**
 * POST /meetings/{MeetingId}/attendees/batch: creates up to 250 attendees for other users (an admin route).
 * Partial failure is per item, as Chime reports it in `Errors` (and `Conflict` for an attendee removed meanwhile).
 */
import { BatchCreateAttendeeCommand, type CreateAttendeeError } from '@aws-sdk/client-chime-sdk-meetings';
import { CHIME_BATCH_CHUNK_SIZE } from '../lib/contract';
import { JoinServiceOperation } from '../lib/operations';
import { bannedUsers, mappingOf, recordJoins, userBanned } from './shared/attendee-store';
import { attendeeForCaller, forgetMeetingIfGone } from './shared/chime';
import { awsDeps, type Deps } from './shared/clients';
import { JoinServiceError } from './shared/errors';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { type AttendeeInput, validateBatchCreateAttendee } from './shared/validation';

export async function batchCreateAttendee(request: JoinRequest, deps: Deps): Promise<JoinResponse> {
  const { meetingId, attendees } = validateBatchCreateAttendee(request);
  // Keyed by what Chime answers (its ExternalUserId is optional in the SDK's types; mappingOf refuses one without).
  const tagsOf = new Map<string | undefined, AttendeeInput['tags']>(
    attendees.map((attendee) => [attendee.externalUserId, attendee.tags]),
  );
  const created: ReturnType<typeof attendeeForCaller>[] = [];
  const errors: CreateAttendeeError[] = [];
  // Users banned from the meeting are left out before Chime is called (a ban the index does not show yet is still
  // refused at their write), and reported per item.
  const banned = await bannedUsers(deps, meetingId);
  const refused = userBanned();
  for (const { externalUserId } of attendees.filter((a) => banned.has(a.externalUserId))) {
    errors.push({ ExternalUserId: externalUserId, ErrorCode: refused.code, ErrorMessage: refused.message });
  }
  const admitted = attendees.filter((a) => !banned.has(a.externalUserId));
  // One chunk at a time, its mappings written before the next chunk is created: when a later chunk fails as a
  // whole, every attendee created so far already has its mapping.
  for (let i = 0; i < admitted.length; i += CHIME_BATCH_CHUNK_SIZE) {
    const chunk = admitted.slice(i, i + CHIME_BATCH_CHUNK_SIZE);
    const answer = await deps.chime
      .send(
        new BatchCreateAttendeeCommand({
          MeetingId: meetingId,
          Attendees: chunk.map((a) => ({ ExternalUserId: a.externalUserId, Capabilities: a.capabilities })),
        }),
      )
      .catch(forgetMeetingIfGone(deps, meetingId));
    const chunkAttendees = answer.Attendees ?? [];
    const mappings = chunkAttendees.map((a) => mappingOf(meetingId, a, tagsOf.get(a.ExternalUserId), deps));
    // Each written as a single join is (conditional, never bringing back a removed attendee); one that was removed
    // while the batch ran is reported per item, like Chime's own errors.
    const outcomes = await recordJoins(deps, mappings);
    chunkAttendees.forEach((attendee, n) => {
      const outcome = outcomes.get(mappings[n]);
      if (outcome instanceof JoinServiceError) {
        errors.push({
          ExternalUserId: attendee.ExternalUserId,
          ErrorCode: outcome.code,
          ErrorMessage: outcome.message,
        });
      } else {
        // Every mapping has its outcome (recordJoins throws otherwise); without one, no token is the safe answer.
        // Stryker disable next-line StringLiteral: equivalent, never reached (see above), and attendeeForCaller gives the token only for 'created', so '' and 'unchanged' answer alike
        created.push(attendeeForCaller(attendee, request.identity, outcome ?? 'unchanged'));
      }
    });
    errors.push(
      ...(answer.Errors ?? []).map(({ ExternalUserId, ErrorCode, ErrorMessage }) => ({
        ExternalUserId,
        ErrorCode,
        ErrorMessage,
      })),
    );
  }
  return { statusCode: 200, body: { Attendees: created, Errors: errors } };
}

export const handler = lambdaHandler(JoinServiceOperation.BATCH_CREATE_ATTENDEE, batchCreateAttendee, awsDeps);
