/**
 * Chime's EventBridge meeting events, applied to the tables so they follow Chime (README, "Events"):
 * - AttendeeJoined / AttendeeLeft / AttendeeDropped set the attendee's presence (State and Since);
 * - AttendeeDeleted removes the attendee's mapping (and records the attendee as removed);
 * - MeetingEnded closes the meeting's record (the next join by name makes a new meeting) and removes its mappings.
 * Every write is idempotent and order-tolerant (decided by the event's timestamp), so duplicates and any order of
 * arrival end in the same state. A failure throws: Lambda retries the event, then hands it to the dead-letter queue.
 */
import { JoinServiceOperation } from '../lib/operations';
import { recordPresence, recordRemoved } from './shared/attendee-store';
import { awsTableDeps, type TableDeps } from './shared/clients';
import { eventBus, type EventBusDeps, type ServiceEvent, type ServiceEventType } from './shared/event-bus';
import { findMeetingRecord } from './shared/meeting-store';
import { closeMeeting } from './shared/meeting-lifecycle';
import { readMeetingEvent, type MeetingEvent } from './shared/meeting-events';
import { emitEventRecord, type EventOutcome } from './shared/metrics';

export type EventDeps = TableDeps & { readonly bus: EventBusDeps };

export async function applyMeetingEvent(event: unknown, deps: EventDeps): Promise<EventOutcome> {
  const meetingEvent = readMeetingEvent(event);
  if (meetingEvent.kind === 'ignored') return 'ignored';
  const { detail } = meetingEvent;
  const time = new Date(detail.timestamp);
  let outcome: EventOutcome = 'applied';
  switch (meetingEvent.kind) {
    case 'presence':
      outcome = await recordPresence(
        deps,
        { externalUserId: detail.externalUserId!, meetingId: detail.meetingId },
        detail.attendeeId!,
        meetingEvent.state,
        detail.timestamp,
      );
      break;
    case 'attendee-deleted':
      outcome = await recordRemoved(
        deps,
        { externalUserId: detail.externalUserId!, meetingId: detail.meetingId },
        detail.attendeeId!,
      );
      break;
    case 'meeting-ended':
      await closeMeeting(deps, detail.meetingId, detail.externalMeetingId, { endedAt: time });
      break;
  }
  if (outcome === 'applied' && deps.config.eventBusName) await republish(deps, meetingEvent, time);
  return outcome;
}

const SERVICE_EVENTS: Record<string, ServiceEventType> = {
  Joined: 'Attendee Joined',
  Left: 'Attendee Left',
  Dropped: 'Attendee Dropped',
};

async function republish(deps: EventDeps, event: Exclude<MeetingEvent, { kind: 'ignored' }>, time: Date) {
  const { detail } = event;
  const type: ServiceEventType =
    event.kind === 'presence'
      ? SERVICE_EVENTS[event.state]
      : event.kind === 'attendee-deleted'
        ? 'Attendee Removed'
        : 'Meeting Ended';
  // Chime's attendee events do not name the meeting's room; the record does (when the service made the meeting).
  const externalMeetingId =
    detail.externalMeetingId ?? (await findMeetingRecord(deps, detail.meetingId))?.externalMeetingId;
  const serviceEvent: ServiceEvent = {
    type,
    MeetingId: detail.meetingId,
    ...(externalMeetingId && { ExternalMeetingId: externalMeetingId }),
    ...(detail.attendeeId && { AttendeeId: detail.attendeeId }),
    ...(detail.externalUserId && { ExternalUserId: detail.externalUserId }),
    Time: time.toISOString(),
  };
  await deps.bus.publish([serviceEvent]);
}

const deps: EventDeps = {
  get dynamodb() {
    return awsTableDeps.dynamodb;
  },
  get config() {
    return awsTableDeps.config;
  },
  now: () => new Date(),
  bus: eventBus,
};

/** The Lambda entry: one EventBridge event per invocation, one EMF record per event. */
export const handler = async (event: unknown): Promise<void> => {
  const eventType = String((event as { detail?: { eventType?: unknown } } | null)?.detail?.eventType ?? 'unknown');
  try {
    emitEventRecord(await applyMeetingEvent(event, deps), eventType);
  } catch (err) {
    emitEventRecord('failed', eventType);
    console.error({
      operation: JoinServiceOperation.MEETING_EVENTS,
      eventType,
      cause: err instanceof Error ? { name: err.name, message: err.message.slice(0, 300) } : String(err),
    });
    throw err;
  }
};
