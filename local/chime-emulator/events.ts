/**
 * Chime's EventBridge meeting events (shared/reference/chime-meeting-events.md): the envelope, built from the
 * emulator's clock, and the subscribers that receive each event synchronously, before the response of the call
 * that caused it is sent.
 *
 * What the emulator emits, and when:
 * - `chime:MeetingStarted` when a meeting is created (CreateMeeting, CreateMeetingWithAttendees, createMeeting).
 * - `chime:MeetingEnded` when it ends: DeleteMeeting, endMeeting, or its maximum duration passing (the event's
 *   timestamp is then the moment it ended, not the moment the emulator noticed).
 * - `chime:AttendeeAdded` for each attendee created (an idempotent re-join creates nothing and emits nothing).
 * - `chime:AttendeeDeleted` for DeleteAttendee only. The end of a meeting emits no attendee events: the reference
 *   lists AttendeeDeleted for DeleteAttendee, and a consumer must treat MeetingEnded as the end of every attendee.
 * - `chime:AttendeeJoined` / `AttendeeLeft` / `AttendeeDropped` (networkType `Voip`) only when a test or the
 *   control API simulates a client (`connect`), since no real client connects to the emulator.
 * Meeting events carry externalMeetingId; attendee events carry attendeeId and externalUserId, as the reference
 * lists them (no externalMeetingId, so a consumer cannot come to rely on it).
 */
import { randomUUID } from 'node:crypto';

export type ChimeMeetingEventType =
  | 'chime:MeetingStarted'
  | 'chime:MeetingEnded'
  | 'chime:AttendeeAdded'
  | 'chime:AttendeeDeleted'
  | 'chime:AttendeeJoined'
  | 'chime:AttendeeLeft'
  | 'chime:AttendeeDropped';

/** What a simulated client does: `joined` connects, `left` leaves cleanly, `dropped` loses the connection. */
export type AttendeeConnectionState = 'joined' | 'left' | 'dropped';

export interface ChimeMeetingEventDetail {
  readonly version: '0';
  readonly eventType: ChimeMeetingEventType;
  /** Epoch milliseconds, from the emulator's `now` clock. */
  readonly timestamp: number;
  readonly meetingId: string;
  /** Meeting events only. */
  readonly externalMeetingId?: string;
  /** Attendee events only. */
  readonly attendeeId?: string;
  /** Attendee events only. */
  readonly externalUserId?: string;
  /** AttendeeJoined, AttendeeLeft and AttendeeDropped only. */
  readonly networkType?: 'Voip';
  readonly mediaRegion: string;
}

/** One EventBridge event, as a rule on `source: aws.chime` receives it. */
export interface ChimeMeetingEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Chime Meeting State Change';
  readonly source: 'aws.chime';
  readonly account: string;
  /** ISO-8601 to the second, as EventBridge writes it. */
  readonly time: string;
  /** The meeting's control region (where CreateMeeting was called). */
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: ChimeMeetingEventDetail;
}

export type ChimeMeetingEventListener = (event: ChimeMeetingEvent) => void;

/** What an event is about: the meeting, and for attendee events the attendee. */
export interface EventSubject {
  readonly meetingId: string;
  readonly externalMeetingId: string;
  readonly mediaRegion: string;
  readonly controlRegion: string;
  readonly attendee?: { readonly AttendeeId: string; readonly ExternalUserId: string };
}

const CONNECTION_EVENTS: ReadonlySet<ChimeMeetingEventType> = new Set([
  'chime:AttendeeJoined',
  'chime:AttendeeLeft',
  'chime:AttendeeDropped',
]);

/** Events kept for `events()` and `GET /_emulator/events`; older ones are dropped first. */
export const RECORDED_EVENTS_MAX = 10_000;

export class EventBus {
  private readonly listeners = new Set<ChimeMeetingEventListener>();
  private recorded: ChimeMeetingEvent[] = [];

  constructor(
    private readonly account: string,
    private readonly log?: (line: string) => void,
  ) {}

  subscribe(listener: ChimeMeetingEventListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(eventType: ChimeMeetingEventType, subject: EventSubject, timestamp: number): ChimeMeetingEvent {
    const { attendee } = subject;
    const connection = CONNECTION_EVENTS.has(eventType);
    const event: ChimeMeetingEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Chime Meeting State Change',
      source: 'aws.chime',
      account: this.account,
      time: new Date(timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: subject.controlRegion,
      resources: [],
      detail: {
        version: '0',
        eventType,
        timestamp,
        meetingId: subject.meetingId,
        ...(attendee
          ? { attendeeId: attendee.AttendeeId, externalUserId: attendee.ExternalUserId }
          : { externalMeetingId: subject.externalMeetingId }),
        ...(connection ? { networkType: 'Voip' as const } : {}),
        mediaRegion: subject.mediaRegion,
      },
    };
    this.recorded.push(event);
    if (this.recorded.length > RECORDED_EVENTS_MAX) this.recorded.shift();
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(event));
      } catch (error) {
        // A subscriber's failure must not fail the Chime call that caused the event (EventBridge is decoupled too).
        this.log?.(`chime-emulator: event listener failed: ${String(error)}`);
      }
    }
    return structuredClone(event);
  }

  /** Recorded events, oldest first (copies). */
  events(): ChimeMeetingEvent[] {
    return structuredClone(this.recorded);
  }

  clearRecorded(): void {
    this.recorded = [];
  }
}
