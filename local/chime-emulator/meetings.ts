/**
 * Meeting state: live meetings with their attendees, ClientRequestToken bindings, live join tokens, and the end
 * of meetings (DeleteMeeting, endMeeting, or the maximum duration passing, noticed on the next access so no timer
 * is ever left running).
 *
 * ClientRequestToken (the model documents only "use a different token for different meetings"; this is the
 * emulator's decision): a token stays bound to the answer of the call that used it for `maxMeetingDurationMs`
 * after that call, the longest its meeting can live, whether or not the meeting has ended since. In that time the
 * same token with the same parameters answers the original answer again, even when the meeting has ended (the
 * next call on it answers NotFoundException), and the token with other parameters (or with the other create
 * operation) answers ConflictException 409. So a caller that needs a new meeting after the end must use a new
 * token, as it must with Chime; a freed token would hide that mistake.
 */
import type { Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import type { Capabilities } from './capabilities';
import { ChimeError } from './errors';
import type { AttendeeConnectionState, ChimeMeetingEvent, ChimeMeetingEventType, EventBus } from './events';
import { meetingDocument, type MeetingInput } from './meeting-document';
import type { RandomSource } from './random';

export interface StoredAttendee {
  readonly ExternalUserId: string;
  readonly AttendeeId: string;
  readonly JoinToken: string;
  Capabilities: Capabilities;
}

export interface AttendeeRecord {
  readonly attendee: StoredAttendee;
  /** Creation order: the stable order of ListAttendees and the value a NextToken seals. */
  readonly seq: number;
  /** The simulated client's state; undefined until it first connects. */
  connection?: AttendeeConnectionState;
}

export interface MeetingRecord {
  readonly meeting: Meeting & { MeetingId: string; ExternalMeetingId: string; MediaRegion: string };
  /** Where CreateMeeting was called: MeetingArn's region and the events' region. */
  readonly controlRegion: string;
  readonly createdAt: number;
  /** When the meeting ends on its own (createdAt + maxMeetingDurationMs). */
  readonly endsAt: number;
  readonly attendees: Map<string, AttendeeRecord>;
  readonly byExternalUserId: Map<string, string>;
  nextSeq: number;
}

interface TokenBinding {
  readonly fingerprint: string;
  readonly meetingId: string;
  readonly answer: unknown;
  readonly expiresAt: number;
}

export interface StoreContext {
  readonly now: () => number;
  readonly random: RandomSource;
  readonly events: EventBus;
  readonly accountId: string;
  readonly maxMeetings: number;
  readonly maxMeetingDurationMs: number;
}

/** Token bindings kept at most, per allowed live meeting; the oldest of ended meetings are forgotten first. */
const TOKEN_BINDINGS_PER_MEETING = 10;

export class MeetingStore {
  readonly meetings = new Map<string, MeetingRecord>();
  /** Live join tokens: what a client's join would be checked against. */
  readonly joinTokens = new Map<string, { meetingId: string; attendeeId: string }>();
  private readonly tokens = new Map<string, TokenBinding>();

  constructor(readonly context: StoreContext) {}

  /** Ends the meetings whose maximum duration has passed, and forgets token bindings that expired. */
  expireDue(): void {
    const now = this.context.now();
    for (const record of this.meetings.values()) {
      if (record.endsAt <= now) this.end(record.meeting.MeetingId, record.endsAt);
    }
    for (const [token, binding] of this.tokens) {
      if (binding.expiresAt <= now) this.tokens.delete(token);
    }
  }

  /** The live meeting, or NotFoundException. */
  live(meetingId: string): MeetingRecord {
    const record = this.meetings.get(meetingId);
    if (record && record.endsAt <= this.context.now()) this.expireDue();
    if (!record || !this.meetings.has(meetingId)) {
      throw new ChimeError('NotFoundException', `The meeting ${meetingId} does not exist or has ended`);
    }
    return record;
  }

  /** The live attendee of a live meeting, or NotFoundException. */
  liveAttendee(meetingId: string, attendeeId: string): AttendeeRecord {
    const record = this.live(meetingId).attendees.get(attendeeId);
    if (!record) {
      throw new ChimeError('NotFoundException', `The attendee ${attendeeId} does not exist in meeting ${meetingId}`);
    }
    return record;
  }

  /**
   * Creates a meeting for CreateMeeting or CreateMeetingWithAttendees (input already validated), or replays the
   * answer bound to its ClientRequestToken. `answer` builds the operation's answer once the meeting exists.
   */
  create<T>(
    operation: string,
    input: MeetingInput & { ClientRequestToken: string; MediaRegion: string; ExternalMeetingId: string },
    controlRegion: string,
    answer: (record: MeetingRecord) => T,
  ): T {
    const { ClientRequestToken: token, ...rest } = input;
    const fingerprint = canonical({ operation, ...rest });
    const bound = this.tokens.get(token);
    if (bound) {
      if (bound.fingerprint !== fingerprint) {
        throw new ChimeError('ConflictException', 'ClientRequestToken was already used with different parameters');
      }
      return structuredClone(bound.answer) as T;
    }
    const { context } = this;
    if (this.meetings.size >= context.maxMeetings) {
      throw new ChimeError('LimitExceededException', 'The account has reached its limit of active meetings');
    }
    if (input.PrimaryMeetingId !== undefined && !this.meetings.has(input.PrimaryMeetingId)) {
      throw new ChimeError('BadRequestException', 'PrimaryMeetingId does not name an active meeting');
    }
    const now = context.now();
    const meeting = meetingDocument(input, context.random, controlRegion, context.accountId);
    const record: MeetingRecord = {
      meeting,
      controlRegion,
      createdAt: now,
      endsAt: now + context.maxMeetingDurationMs,
      attendees: new Map(),
      byExternalUserId: new Map(),
      nextSeq: 0,
    };
    this.meetings.set(meeting.MeetingId, record);
    this.emit('chime:MeetingStarted', record, undefined, now);
    const result = answer(record);
    this.bind(token, {
      fingerprint,
      meetingId: meeting.MeetingId,
      answer: structuredClone(result),
      expiresAt: record.endsAt,
    });
    return result;
  }

  /** Ends a live meeting: its attendees and join tokens are gone, MeetingEnded is emitted. False if not live. */
  end(meetingId: string, at = this.context.now()): boolean {
    const record = this.meetings.get(meetingId);
    if (!record) return false;
    for (const { attendee } of record.attendees.values()) this.joinTokens.delete(attendee.JoinToken);
    this.meetings.delete(meetingId);
    this.emit('chime:MeetingEnded', record, undefined, at);
    return true;
  }

  /** Live meetings and their attendees. */
  counts(): { meetings: number; attendees: number } {
    let attendees = 0;
    for (const record of this.meetings.values()) attendees += record.attendees.size;
    return { meetings: this.meetings.size, attendees };
  }

  emit(
    eventType: ChimeMeetingEventType,
    record: MeetingRecord,
    attendee?: StoredAttendee,
    at = this.context.now(),
  ): ChimeMeetingEvent {
    const { MeetingId, ExternalMeetingId, MediaRegion } = record.meeting;
    return this.context.events.emit(
      eventType,
      {
        meetingId: MeetingId,
        externalMeetingId: ExternalMeetingId,
        mediaRegion: MediaRegion,
        controlRegion: record.controlRegion,
        attendee,
      },
      at,
    );
  }

  private bind(token: string, binding: TokenBinding): void {
    this.tokens.set(token, binding);
    const cap = this.context.maxMeetings * TOKEN_BINDINGS_PER_MEETING;
    if (this.tokens.size <= cap) return;
    for (const [oldest, { meetingId }] of this.tokens) {
      if (this.meetings.has(meetingId)) continue;
      this.tokens.delete(oldest);
      if (this.tokens.size <= cap) return;
    }
  }
}

/** JSON with sorted keys, so two equal requests compare equal whatever their member order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
