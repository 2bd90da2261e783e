/**
 * Attendee state: joins (ExternalUserId is the idempotency token per meeting), the attendee cap, deletion,
 * paging, capability updates and the simulated clients' connections. Inputs are already validated against the
 * model; the rules that need the meeting (capabilities against its features, the cap) are applied here.
 */
import type { Attendee, CreateAttendeeError } from '@aws-sdk/client-chime-sdk-meetings';
import { capabilitiesProblem, type Capabilities, resolveCapabilities } from './capabilities';
import type { CursorSealer } from './cursors';
import { ChimeError, ControlError, errorCode } from './errors';
import type { AttendeeConnectionState, ChimeMeetingEvent, ChimeMeetingEventType } from './events';
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
  store.emit('chime:AttendeeAdded', record, attendee);
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
  store.emit('chime:AttendeeDeleted', record, attendee);
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

/** UpdateAttendeeCapabilities: the attendee's new capabilities, checked against the meeting's features. */
export function updateCapabilities(
  store: MeetingStore,
  meetingId: string,
  attendeeId: string,
  capabilities: Capabilities,
): Attendee {
  const { attendee } = store.liveAttendee(meetingId, attendeeId);
  checkAllowed(store.live(meetingId), capabilities);
  attendee.Capabilities = pick(capabilities);
  return copy(attendee);
}

/** BatchUpdateAttendeeCapabilitiesExcept: every attendee but the excluded ones (unknown ids are ignored). */
export function updateCapabilitiesExcept(
  store: MeetingStore,
  meetingId: string,
  excludedAttendeeIds: readonly string[],
  capabilities: Capabilities,
): void {
  const record = store.live(meetingId);
  checkAllowed(record, capabilities);
  const excluded = new Set(excludedAttendeeIds);
  for (const { attendee } of record.attendees.values()) {
    if (!excluded.has(attendee.AttendeeId)) attendee.Capabilities = pick(capabilities);
  }
}

const CONNECTION_EVENTS: Record<AttendeeConnectionState, ChimeMeetingEventType> = {
  joined: 'chime:AttendeeJoined',
  left: 'chime:AttendeeLeft',
  dropped: 'chime:AttendeeDropped',
};

/**
 * What a real client causes: `joined` (first join, or a rejoin after leaving or dropping), `left` and `dropped`
 * (only while joined). Refuses what no client can do with ControlError 404 (no such live meeting or attendee),
 * 409 (not a possible transition) or 400 (unknown state).
 */
export function connect(
  store: MeetingStore,
  meetingId: string,
  attendeeId: string,
  state: AttendeeConnectionState,
): ChimeMeetingEvent {
  if (!Object.hasOwn(CONNECTION_EVENTS, state)) {
    throw new ControlError(400, `state must be one of ${Object.keys(CONNECTION_EVENTS).join(', ')}`);
  }
  let record: MeetingRecord;
  let entry: AttendeeRecord;
  try {
    record = store.live(meetingId);
    entry = store.liveAttendee(meetingId, attendeeId);
  } catch (error) {
    if (error instanceof ChimeError) throw new ControlError(404, error.message);
    throw error;
  }
  const joined = entry.connection === 'joined';
  if (state === 'joined' ? joined : !joined) {
    throw new ControlError(
      409,
      `attendee ${attendeeId} cannot go from ${entry.connection ?? 'never connected'} to ${state}`,
    );
  }
  entry.connection = state;
  return store.emit(CONNECTION_EVENTS[state], record, entry.attendee);
}

function checkAllowed(record: MeetingRecord, capabilities: Capabilities): void {
  const problem = capabilitiesProblem(record.meeting.MeetingFeatures, capabilities);
  if (problem) throw new ChimeError('BadRequestException', problem);
}

const pick = ({ Audio, Video, Content }: Capabilities): Capabilities => ({ Audio, Video, Content });

/** A copy for an answer, so later updates never change what a caller holds. */
export const copy = (attendee: StoredAttendee): Attendee => structuredClone(attendee);
