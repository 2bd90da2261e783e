/** The emulator's public interface: its options and the methods tests and local mode call. */
import type { Attendee, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import type { AttendeeConnectionState, ChimeMeetingEvent, ChimeMeetingEventListener } from './events';
import type { Fault } from './faults';
import type { MeetingInput } from './meeting-document';
import type { ChimeOperation } from './operations';
import type { RateLimit } from './rate-limits';
import type { EmulatorStats } from './stats';

export interface ChimeEmulatorOptions {
  /** Port to listen on. @default 0 (the OS picks a free port) */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Account in MeetingArn and in events. @default '123456789012' */
  readonly accountId?: string;
  /** When set, requests signed with another access key id answer ForbiddenException. @default - any key */
  readonly accessKeyId?: string;
  /** Control-plane region for meetings created through `createMeeting` (signed requests use their scope). @default 'us-east-1' */
  readonly region?: string;
  /** Seed for ids, join tokens and cursor keys, for reproducible runs. @default - crypto-random */
  readonly seed?: string;
  /** Live meetings kept at most. @default 1000 */
  readonly maxMeetings?: number;
  /** ListAttendees page size when MaxResults is absent. @default 10 */
  readonly defaultMaxResults?: number;
  /**
   * How long a meeting lives before it ends on its own (MeetingEnded, then NotFoundException to every call),
   * measured on `now`. Checked on every access, so no timer runs. @default 86400000 (24 hours, as Chime's)
   */
  readonly maxMeetingDurationMs?: number;
  /** Millisecond clock for token buckets, meeting lifetimes and event timestamps. @default Date.now */
  readonly now?: () => number;
  /** Receives one line per request (method, path, operation, status, time); never bodies or tokens. */
  readonly log?: (line: string) => void;
  /** Receives every meeting event, synchronously, as `subscribe` does; kept across `reset()`. @default - none */
  readonly onEvent?: ChimeMeetingEventListener;
}

export interface ChimeEmulator {
  /** `http://127.0.0.1:<port>`: pass it as `endpoint` to the SDK client. */
  readonly endpoint: string;
  readonly port: number;
  /** Settings for `new ChimeSDKMeetingsClient(...)`: region, endpoint and static fake credentials. */
  clientConfig(): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Closes the server, its connections and pending delays. */
  stop(): Promise<void>;
  /** Token-bucket limit for one operation; `undefined` removes it. */
  setRateLimit(operation: ChimeOperation, limit: RateLimit | undefined): void;
  /** Queues a scripted fault; faults queued for one operation are served in order. */
  injectFault(operation: ChimeOperation, fault: Fault): void;
  /** Added latency for one operation, in milliseconds (0 removes it). */
  setLatency(operation: ChimeOperation, milliseconds: number): void;
  /** Removes rate limits, queued faults and latencies. */
  resetFaults(): void;
  /**
   * Back to a fresh emulator on the same port: faults, stats, meetings, attendees, token bindings and recorded
   * events (no MeetingEnded is emitted for the meetings it forgets). Subscribers stay subscribed.
   */
  reset(): void;
  /** Request counts per operation (a copy). */
  stats(): EmulatorStats;
  /** Creates a meeting directly (no signature, faults or stats; events as CreateMeeting); throws on invalid input. */
  createMeeting(input?: MeetingInput): Meeting;
  /** Ends a meeting as DeleteMeeting does (MeetingEnded); false when it was not live. */
  endMeeting(meetingId: string): boolean;
  /** The live meeting, or undefined. */
  getMeeting(meetingId: string): Meeting | undefined;
  /** The meeting's live attendees with their join tokens, in creation order ([] for an unknown meeting). */
  attendees(meetingId: string): Attendee[];
  /** Whether a join token is live, and for whom: what a client's join would be checked against. */
  resolveJoinToken(joinToken: string): { meetingId: string; attendeeId: string } | undefined;
  /** Calls `listener` with every meeting event from now on, synchronously; returns a function that unsubscribes. */
  subscribe(listener: ChimeMeetingEventListener): () => void;
  /** The events emitted since the start or the last `reset()` (the most recent 10,000), oldest first. */
  events(): ChimeMeetingEvent[];
  /**
   * Simulates what an attendee's client does and emits its event (AttendeeJoined, AttendeeLeft, AttendeeDropped,
   * networkType Voip): `joined` when never connected, left or dropped; `left` and `dropped` only while joined.
   * Throws when the meeting or attendee is not live, or the transition is impossible.
   */
  connect(meetingId: string, attendeeId: string, state: AttendeeConnectionState): ChimeMeetingEvent;
  /** The simulated client's last state, or undefined when it never connected (or the attendee is not live). */
  connectionState(meetingId: string, attendeeId: string): AttendeeConnectionState | undefined;
}
