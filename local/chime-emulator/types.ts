/** The emulator's public interface: its options and the methods tests and local mode call. */
import type { Attendee, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
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
  /** Account in MeetingArn. @default '123456789012' */
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
  /** Millisecond clock for the token buckets. @default Date.now */
  readonly now?: () => number;
  /** Receives one line per request (method, path, operation, status, time); never bodies or tokens. */
  readonly log?: (line: string) => void;
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
   * Back to a fresh emulator on the same port: faults, stats, meetings, attendees and token bindings.
   */
  reset(): void;
  /** Request counts per operation (a copy). */
  stats(): EmulatorStats;
  /** Creates a meeting directly (no signature, faults or stats); throws on invalid input. */
  createMeeting(input?: MeetingInput): Meeting;
  /** Ends a meeting as DeleteMeeting does; false when it was not live. */
  endMeeting(meetingId: string): boolean;
  /** The live meeting, or undefined. */
  getMeeting(meetingId: string): Meeting | undefined;
  /** The meeting's live attendees with their join tokens, in creation order ([] for an unknown meeting). */
  attendees(meetingId: string): Attendee[];
  /** Whether a join token is live, and for whom: what a client's join would be checked against. */
  resolveJoinToken(joinToken: string): { meetingId: string; attendeeId: string } | undefined;
}
