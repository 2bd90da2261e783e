/**
 * Attendee state: joins (ExternalUserId is the idempotency token per meeting), the attendee cap, deletion and
 * paging. Inputs are already validated against the
 * model; the rules that need the meeting (capabilities against its features, the cap) are applied here.
 */
import type { Attendee, CreateAttendeeError } from '@aws-sdk/client-chime-sdk-meetings';
import { type Capabilities, resolveCapabilities } from './capabilities';
import type { CursorSealer } from './cursors';
import { ChimeError, errorCode } from './errors';
import { CHIME_LIMITS } from './limits';
import type { AttendeeRecord, MeetingRecord, MeetingStore, StoredAttendee } from './meetings';

export interface AttendeeItem {
  readonly ExternalUserId: string;
  readonly Capabilities?: Capabilities;
}

/** Creates an attendee, or returns the live one for the same ExternalUserId (Chime's idempotency). */
export function join(store: MeetingStore, record: MeetingRecord, item: AttendeeItem): StoredAttendee {
  const capabilities = resolveCapabilities(record.meeting.MeetingFeatures, item.Capabilities);
  const existingId = record.byExternalUserId.get(item.ExternalUserId);
  if (existingId !== undefined) return record.attendees.get(existingId)!.attendee;
  const cap = record.meeting.MeetingFeatures?.Attendee?.MaxCount ?? CHIME_LIMITS.attendeesPerMeeting;
  if (record.attendees.size >= cap) {
    throw new ChimeError('LimitExceededException', `The meeting has reached its limit of ${cap} attendees`);
  }
  const { random } = store.context;
  const attendeeId = random.uuid();
  // Shaped like Chime's tokens: base64 of "<AttendeeId>:<random>", unpadded; opaque to clients.
  const joinToken = Buffer.from(`${attendeeId}:${random.uuid()}`).toString('base64').replace(/=+$/, '');
  const attendee: StoredAttendee = {
    ExternalUserId: item.ExternalUserId,
    AttendeeId: attendeeId,
    JoinToken: joinToken,
    Capabilities: capabilities,
  };
  record.attendees.set(attendeeId, { attendee, seq: record.nextSeq++ });
  record.byExternalUserId.set(item.ExternalUserId, attendeeId);
  store.joinTokens.set(joinToken, { meetingId: record.meeting.MeetingId, attendeeId });
  return attendee;
}

/**
 * Joins each item; capability rules and the cap are reported per item in `Errors` (ErrorCode `BadRequest`,
 * `LimitExceeded`), as BatchCreateAttendee and CreateMeetingWithAttendees report them. A repeated ExternalUserId
 * is idempotent.
 */
export function joinEach(
  store: MeetingStore,
  record: MeetingRecord,
  items: readonly AttendeeItem[],
): { Attendees: Attendee[]; Errors: CreateAttendeeError[] } {
  const Attendees: Attendee[] = [];
  const Errors: CreateAttendeeError[] = [];
  for (const item of items) {
    try {
      Attendees.push(copy(join(store, record, item)));
    } catch (error) {
      if (!(error instanceof ChimeError)) throw error;
      Errors.push({
        ExternalUserId: item.ExternalUserId,
        ErrorCode: errorCode(error.type),
        ErrorMessage: error.message,
      });
    }
  }
  return { Attendees, Errors };
}

/** DeleteAttendee: the join token is void and the place is free. */
export function deleteAttendee(store: MeetingStore, meetingId: string, attendeeId: string): void {
  const { attendee } = store.liveAttendee(meetingId, attendeeId);
  const record = store.live(meetingId);
  record.attendees.delete(attendeeId);
  record.byExternalUserId.delete(attendee.ExternalUserId);
  store.joinTokens.delete(attendee.JoinToken);
}

/** One ListAttendees page in creation order; the NextToken seals the last position, so deletions never shift it. */
export function listAttendees(
  store: MeetingStore,
  cursors: CursorSealer,
  meetingId: string,
  maxResults: number,
  nextToken: string | undefined,
): { Attendees: Attendee[]; NextToken?: string } {
  const record = store.live(meetingId);
  const after = nextToken === undefined ? -1 : cursors.open(meetingId, nextToken);
  const page: AttendeeRecord[] = [];
  let more = false;
  for (const entry of record.attendees.values()) {
    if (entry.seq <= after) continue;
    if (page.length === maxResults) {
      more = true;
      break;
    }
    page.push(entry);
  }
  const Attendees = page.map((entry) => copy(entry.attendee));
  if (!more) return { Attendees };
  return { Attendees, NextToken: cursors.seal(meetingId, page.length > 0 ? page[page.length - 1].seq : after) };
}

/** A copy for an answer, so later updates never change what a caller holds. */
export const copy = (attendee: StoredAttendee): Attendee => structuredClone(attendee);
