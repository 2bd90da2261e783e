/**
 * Meeting state: live meetings with their attendees, ClientRequestToken bindings (same token and parameters:
 * the same meeting; other parameters: ConflictException 409; freed when the meeting ends) and live join tokens.
 */
import type { Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import type { Capabilities } from './capabilities';
import { ChimeError } from './errors';
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
}

export interface MeetingRecord {
  readonly meeting: Meeting & { MeetingId: string; ExternalMeetingId: string; MediaRegion: string };
  /** Where CreateMeeting was called: MeetingArn's region and the events' region. */
  readonly controlRegion: string;
  /** The ClientRequestToken that created it (freed when the meeting ends). */
  readonly clientRequestToken: string;
  readonly attendees: Map<string, AttendeeRecord>;
  readonly byExternalUserId: Map<string, string>;
  nextSeq: number;
}

interface TokenBinding {
  readonly fingerprint: string;
  readonly meetingId: string;
  readonly answer: unknown;
}

export interface StoreContext {
  readonly now: () => number;
  readonly random: RandomSource;
  readonly accountId: string;
  readonly maxMeetings: number;
}

export class MeetingStore {
  readonly meetings = new Map<string, MeetingRecord>();
  /** Live join tokens: what a client's join would be checked against. */
  readonly joinTokens = new Map<string, { meetingId: string; attendeeId: string }>();
  private readonly tokens = new Map<string, TokenBinding>();

  constructor(readonly context: StoreContext) {}

  /** The live meeting, or NotFoundException. */
  live(meetingId: string): MeetingRecord {
    const record = this.meetings.get(meetingId);
    if (!record) {
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
    const meeting = meetingDocument(input, context.random, controlRegion, context.accountId);
    const record: MeetingRecord = {
      meeting,
      controlRegion,
      clientRequestToken: token,
      attendees: new Map(),
      byExternalUserId: new Map(),
      nextSeq: 0,
    };
    this.meetings.set(meeting.MeetingId, record);
    const result = answer(record);
    this.tokens.set(token, { fingerprint, meetingId: meeting.MeetingId, answer: structuredClone(result) });
    return result;
  }

  /** Ends a live meeting: its attendees, join tokens and ClientRequestToken are gone. False if not live. */
  end(meetingId: string): boolean {
    const record = this.meetings.get(meetingId);
    if (!record) return false;
    for (const { attendee } of record.attendees.values()) this.joinTokens.delete(attendee.JoinToken);
    this.tokens.delete(record.clientRequestToken);
    this.meetings.delete(meetingId);
    return true;
  }

  /** Live meetings and their attendees. */
  counts(): { meetings: number; attendees: number } {
    let attendees = 0;
    for (const record of this.meetings.values()) attendees += record.attendees.size;
    return { meetings: this.meetings.size, attendees };
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
