/**
 * A local Amazon Chime SDK Meetings emulator for tests and `npm run local`: a node:http server on loopback that
 * speaks the service's REST-JSON protocol the way `@aws-sdk/client-chime-sdk-meetings` sends and parses it, with
 * Chime's rules read from its service model (model/), and its EventBridge meeting events.
 *
 * Behaviour (see SERVICE.md, "Chime behaviours to rely on"):
 * - Input is validated against the model before any lookup: BadRequestException 400 (validation.ts).
 * - CreateMeeting / CreateMeetingWithAttendees: ClientRequestToken binding, MeetingFeatures rules, media regions,
 *   at most `maxMeetings` live meetings (meetings.ts, capabilities.ts). Meetings end on their own after
 *   `maxMeetingDurationMs` (default 24 h), noticed on the next access.
 * - Attendees: ExternalUserId is the idempotency token per meeting; DeleteAttendee voids the JoinToken and frees a
 *   place; at most MeetingFeatures.Attendee.MaxCount (default 250); capabilities follow the seed rules against the
 *   meeting's features, on create and on UpdateAttendeeCapabilities / BatchUpdateAttendeeCapabilitiesExcept
 *   (attendees.ts). BatchCreateAttendee reports capability and cap failures per item in `Errors`.
 * - ListAttendees: creation order; MaxResults defaults to `defaultMaxResults` (10); NextToken is a sealed cursor
 *   bound to the meeting (cursors.ts); items include JoinToken, as the model's Attendee does.
 * - A deleted or ended meeting answers NotFoundException (404) to every call.
 * - Events: MeetingStarted, MeetingEnded, AttendeeAdded, AttendeeDeleted, and AttendeeJoined/Left/Dropped for
 *   simulated clients (`connect`), to `onEvent` and `subscribe` listeners (events.ts).
 * - Signature check (sigv4.ts), token buckets (rate-limits.ts), scripted faults limited to the model's errors of
 *   each operation (faults.ts), added latency (latency.ts), stats (stats.ts), and the `/_emulator` control API
 *   (control-api.ts). Memory is bounded: `maxMeetings` live meetings, 250 attendees each, 1 MiB request bodies.
 */
export { startChimeEmulator } from './emulator';
export type { ChimeEmulator, ChimeEmulatorOptions } from './types';
export { CHIME_OPERATIONS, OPERATION_ERRORS, type ChimeOperation } from './operations';
export { CHIME_ERROR_NAMES, CHIME_ERROR_STATUS, errorCode, type ChimeErrorName } from './errors';
export { CHIME_LIMITS } from './limits';
export { validateChimeInput, validationMessage } from './validation';
export { capabilitiesProblem, meetingFeaturesProblem, resolveCapabilities, type Capabilities } from './capabilities';
export type { RateLimit } from './rate-limits';
export type { Fault } from './faults';
export type { EmulatorStats, OperationStats } from './stats';
export type { MeetingInput } from './meeting-document';
export type {
  AttendeeConnectionState,
  ChimeMeetingEvent,
  ChimeMeetingEventDetail,
  ChimeMeetingEventListener,
  ChimeMeetingEventType,
} from './events';
