/**
 * The consistency invariant of SERVICE.md "Idempotency and consistency", checked against the live stand-ins: for one
 * meeting, every attendee Chime (the emulator) holds has its mapping in the table, pointing at it, and every mapping
 * points at an attendee Chime holds. Also: one attendee per ExternalUserId, and no JoinToken in any item.
 *
 * The table is read directly from dynalite (never through the fault proxy), with a full Scan rather than the
 * byMeeting index, so the check depends on neither the service's code nor its index.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ChimeEmulator } from '../../local/chime-emulator';
import { scanTable as scanDynamoTable } from '../../local/dynamodb';

export interface ConsistencyPeers {
  readonly emulator?: ChimeEmulator;
  readonly dynamodbClient: DynamoDBClient;
  readonly tableName: string;
}

export interface AttendeeRef {
  readonly ExternalUserId: string;
  readonly AttendeeId: string;
}

export interface ConsistencyReport {
  readonly meetingId: string;
  /** Live attendees in Chime. */
  readonly attendees: number;
  /** Items in the table for this meeting. */
  readonly mappings: number;
  /** In Chime, with no mapping pointing at it (a mapping of the same user pointing elsewhere counts here too). */
  readonly attendeesWithoutMapping: AttendeeRef[];
  /** In the table, pointing at no live attendee. */
  readonly mappingsWithoutAttendee: AttendeeRef[];
  /** ExternalUserIds with more than one live attendee in the meeting. */
  readonly duplicateAttendees: string[];
  /** Items holding a JoinToken attribute or a live join token's value. */
  readonly itemsWithJoinToken: number;
  readonly consistent: boolean;
}

/** Every item of the table (all pages). */
export const scanTable = (peers: ConsistencyPeers) => scanDynamoTable(peers.dynamodbClient, peers.tableName);

/** Compares the emulator's attendees of one meeting with the table's mappings of that meeting. */
export async function checkMeetingConsistency(peers: ConsistencyPeers, meetingId: string): Promise<ConsistencyReport> {
  if (!peers.emulator) throw new Error('the consistency check needs the Chime emulator');
  const attendees = peers.emulator.attendees(meetingId);
  const items = (await scanTable(peers)).filter((item) => item.MeetingId?.S === meetingId);
  // Items that only record removed attendees (no AttendeeId) map nobody.
  const mappings: AttendeeRef[] = items
    .filter((item) => item.AttendeeId?.S)
    .map((item) => ({
      ExternalUserId: item.ExternalUserId?.S ?? '',
      AttendeeId: item.AttendeeId?.S ?? '',
    }));

  const mappedIds = new Set(mappings.map((m) => `${m.ExternalUserId}\u0000${m.AttendeeId}`));
  const liveIds = new Set(attendees.map((a) => `${a.ExternalUserId}\u0000${a.AttendeeId}`));
  const attendeesWithoutMapping = attendees
    .filter((a) => !mappedIds.has(`${a.ExternalUserId}\u0000${a.AttendeeId}`))
    .map((a) => ({ ExternalUserId: a.ExternalUserId!, AttendeeId: a.AttendeeId! }));
  const mappingsWithoutAttendee = mappings.filter((m) => !liveIds.has(`${m.ExternalUserId}\u0000${m.AttendeeId}`));

  const perUser = new Map<string, number>();
  for (const a of attendees) perUser.set(a.ExternalUserId!, (perUser.get(a.ExternalUserId!) ?? 0) + 1);
  const duplicateAttendees = [...perUser].filter(([, n]) => n > 1).map(([user]) => user);

  const tokens = attendees.map((a) => a.JoinToken!).filter(Boolean);
  const itemsWithJoinToken = items.filter((item) => {
    const text = JSON.stringify(item);
    return 'JoinToken' in item || tokens.some((token) => text.includes(token));
  }).length;

  return {
    meetingId,
    attendees: attendees.length,
    mappings: mappings.length,
    attendeesWithoutMapping,
    mappingsWithoutAttendee,
    duplicateAttendees,
    itemsWithJoinToken,
    consistent:
      attendeesWithoutMapping.length === 0 &&
      mappingsWithoutAttendee.length === 0 &&
      duplicateAttendees.length === 0 &&
      itemsWithJoinToken === 0,
  };
}

/** Throws, with the report, unless the meeting is consistent; returns the report for further checks. */
export async function expectConsistent(peers: ConsistencyPeers, meetingId: string): Promise<ConsistencyReport> {
  const report = await checkMeetingConsistency(peers, meetingId);
  if (!report.consistent) {
    const sample = (refs: AttendeeRef[]) => JSON.stringify(refs.slice(0, 5));
    throw new Error(
      `meeting ${meetingId} is inconsistent: ${report.attendees} attendees, ${report.mappings} mappings; ` +
        `${report.attendeesWithoutMapping.length} attendees without mapping ${sample(report.attendeesWithoutMapping)}, ` +
        `${report.mappingsWithoutAttendee.length} mappings without attendee ${sample(report.mappingsWithoutAttendee)}, ` +
        `duplicates ${JSON.stringify(report.duplicateAttendees)}, ${report.itemsWithJoinToken} items with a join token`,
    );
  }
  return report;
}
