/**
 * The service's own events on the `eventBus` (when the construct has one): `Attendee Joined`, `Attendee Left`,
 * `Attendee Dropped`, `Attendee Removed` and `Meeting Ended`, with the ExternalUserId and ExternalMeetingId an
 * application knows its users and rooms by. Never a JoinToken: no event of Chime's carries one, and none is added.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SERVICE_EVENT_SOURCE } from '../../lib/contract';
import { clientOptions, leanClient } from './clients';
import { handlerConfig } from './config';

export type ServiceEventType =
  'Attendee Joined' | 'Attendee Left' | 'Attendee Dropped' | 'Attendee Removed' | 'Meeting Ended';

export interface ServiceEvent {
  readonly type: ServiceEventType;
  readonly MeetingId: string;
  readonly ExternalMeetingId?: string;
  readonly AttendeeId?: string;
  readonly ExternalUserId?: string;
  /** ISO-8601: when Chime says it happened. */
  readonly Time: string;
}

export interface EventBusDeps {
  readonly publish: (events: readonly ServiceEvent[]) => Promise<void>;
}

let client: EventBridgeClient | undefined;

/** Publishes on the configured bus; does nothing without one. */
export const eventBus: EventBusDeps = {
  async publish(events) {
    const busName = handlerConfig().eventBusName;
    if (!busName || events.length === 0) return;
    // Built like the other clients: bounded retries (throttling retried) and per-attempt timeouts, so a hung PutEvents
    // fails the event inside the function's timeout, for Lambda to retry.
    // Stryker disable next-line ObjectLiteral: equivalent, retryThrottling is true by default (retry.ts); stated here
    client ??= leanClient(new EventBridgeClient(clientOptions(undefined, { retryThrottling: true })), 'events');
    const { FailedEntryCount } = await client.send(
      new PutEventsCommand({
        Entries: events.map(({ type, ...detail }) => ({
          EventBusName: busName,
          Source: SERVICE_EVENT_SOURCE,
          DetailType: type,
          Time: new Date(detail.Time),
          Detail: JSON.stringify(detail),
        })),
      }),
    );
    // A failed entry fails the event, so Lambda retries it (the table writes are idempotent).
    if (FailedEntryCount) throw new Error(`PutEvents failed for ${FailedEntryCount} of ${events.length} events`);
  },
};
