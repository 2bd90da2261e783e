/**
 * Chime's EventBridge meeting events (`source: aws.chime`, `detail-type: Chime Meeting State Change`), read and
 * checked: what the event handler, the local delivery and the tests share. Delivery is at least once, unordered and
 * best effort; the handler's writes are idempotent and order-tolerant, decided by each event's timestamp.
 */
import { GUID_PATTERN } from '../../lib/contract';
import type { PresenceState } from './attendee-store';

export interface ChimeEventDetail {
  readonly eventType: string;
  readonly timestamp: number;
  readonly meetingId: string;
  readonly externalMeetingId?: string;
  readonly attendeeId?: string;
  readonly externalUserId?: string;
}

/** What the event means for the service. */
export type MeetingEvent =
  | {
      kind: 'presence';
      state: PresenceState;
      detail: Required<Pick<ChimeEventDetail, 'attendeeId' | 'externalUserId'>> & ChimeEventDetail;
    }
  | {
      kind: 'attendee-deleted';
      detail: Required<Pick<ChimeEventDetail, 'attendeeId' | 'externalUserId'>> & ChimeEventDetail;
    }
  | { kind: 'meeting-ended'; detail: ChimeEventDetail }
  | { kind: 'ignored'; eventType: string };

const GUID = new RegExp(GUID_PATTERN);
const PRESENCE: Record<string, PresenceState> = {
  'chime:AttendeeJoined': 'Joined',
  'chime:AttendeeLeft': 'Left',
  'chime:AttendeeDropped': 'Dropped',
};

/** Reads one event; anything malformed, or of a type the service does not follow, is `ignored` (never thrown). */
export function readMeetingEvent(event: unknown): MeetingEvent {
  const envelope = event as { source?: unknown; 'detail-type'?: unknown; detail?: Record<string, unknown> } | null;
  const detail = envelope?.detail;
  const eventType = typeof detail?.eventType === 'string' ? detail.eventType : 'unknown';
  const ignored = { kind: 'ignored', eventType } as const;
  if (envelope?.source !== 'aws.chime' || envelope['detail-type'] !== 'Chime Meeting State Change' || !detail) {
    return ignored;
  }
  const { meetingId, timestamp, attendeeId, externalUserId, externalMeetingId } = detail;
  if (typeof meetingId !== 'string' || !GUID.test(meetingId)) return ignored;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return ignored;
  const base: ChimeEventDetail = {
    eventType,
    timestamp,
    meetingId,
    ...(typeof externalMeetingId === 'string' && { externalMeetingId }),
  };
  if (eventType === 'chime:MeetingEnded') return { kind: 'meeting-ended', detail: base };
  const attendee =
    typeof attendeeId === 'string' && GUID.test(attendeeId) && typeof externalUserId === 'string' && externalUserId
      ? { ...base, attendeeId, externalUserId }
      : undefined;
  if (!attendee) return ignored;
  if (eventType in PRESENCE) return { kind: 'presence', state: PRESENCE[eventType], detail: attendee };
  if (eventType === 'chime:AttendeeDeleted') return { kind: 'attendee-deleted', detail: attendee };
  return ignored;
}
