/** GET /users/{ExternalUserId}/attendees: the meetings a user has joined, from the table alone (no Chime call). */
import { JoinServiceOperation } from '../lib/operations';
import { listUserMappings } from './shared/attendee-store';
import { awsTableDeps, type TableDeps } from './shared/clients';
import { type JoinRequest, type JoinResponse, lambdaHandler } from './shared/http';
import { validateListUserAttendees } from './shared/validation';

export async function listUserAttendees(request: JoinRequest, deps: TableDeps): Promise<JoinResponse> {
  const { externalUserId } = validateListUserAttendees(request);
  const mappings = await listUserMappings(deps, externalUserId);
  // TTL deletion runs up to days late, so an expired mapping may still be read: it is no longer current.
  const nowSeconds = Math.floor(deps.now().getTime() / 1000);
  const current = mappings.filter((m) => m.expiresAt === undefined || m.expiresAt > nowSeconds);
  return {
    statusCode: 200,
    body: {
      Attendees: current.map((m) => ({
        MeetingId: m.meetingId,
        AttendeeId: m.attendeeId,
        ExternalUserId: m.externalUserId,
        Capabilities: m.capabilities,
        Tags: m.tags ?? [],
        CreatedAt: m.createdAt,
        ...(m.presence && { State: m.presence.state, Since: m.presence.since }),
      })),
    },
  };
}

export const handler = lambdaHandler(JoinServiceOperation.LIST_USER_ATTENDEES, listUserAttendees, awsTableDeps);
