// The service's own events survive a failed republish: when the event function writes a presence and then fails to
// put the event on the service's bus, Lambda retries the event, and the retry (which finds the presence written
// already) republishes it. Real DynamoDB semantics (dynalite) and the event function's own code (applyMeetingEvent,
// called again as Lambda's retry would); the bus is the function's publisher, failing as PutEvents can.
import { applyMeetingEvent } from '../../lambda/meeting-events';
import type { ServiceEvent } from '../../lambda/shared/event-bus';
import { chimeEvent as chimeMeetingEvent, freshEventService, useDynamoDb } from './event-function';

const MEETING_ID = '5c0ffee0-0000-4000-8000-000000000002';
const ATTENDEE_ID = 'a77e0000-0000-4000-8000-000000000001';
const ROOM = 'retro';
const JOINED_AT = Date.parse('2030-01-02T03:00:00.123Z');

const dynamodb = useDynamoDb();

/** Fresh tables with alice's join recorded, and a bus that fails its first `failures` PutEvents. */
async function freshService(failures = 0) {
  const published: ServiceEvent[] = [];
  let failed = 0;
  const publish = async (events: readonly ServiceEvent[]) => {
    if (failed++ < failures) throw new Error('PutEvents failed for 1 of 1 events');
    published.push(...events);
  };
  const deps = await freshEventService(
    dynamodb(),
    { meetingId: MEETING_ID, room: ROOM },
    [{ ExternalUserId: 'alice', AttendeeId: ATTENDEE_ID }],
    { bus: { publish }, eventBusName: 'service' },
  );
  return { deps, published };
}

const chimeEvent = (eventType: string, timestamp: number) =>
  chimeMeetingEvent(eventType, timestamp, { meetingId: MEETING_ID, attendeeId: ATTENDEE_ID, externalUserId: 'alice' });

const serviceEvent = (type: string, timestamp: number) => ({
  type,
  MeetingId: MEETING_ID,
  ExternalMeetingId: ROOM,
  AttendeeId: ATTENDEE_ID,
  ExternalUserId: 'alice',
  Time: new Date(timestamp).toISOString(),
});

it('republishes on the retry an event whose first attempt wrote the presence and then failed to publish', async () => {
  const { deps, published } = await freshService(1);
  const joined = chimeEvent('AttendeeJoined', JOINED_AT);
  await expect(applyMeetingEvent(joined, deps)).rejects.toThrow('PutEvents failed');
  expect(published).toEqual([]);
  await expect(applyMeetingEvent(joined, deps)).resolves.toBe('applied');
  expect(published).toEqual([serviceEvent('Attendee Joined', JOINED_AT)]);
});

it('republishes a duplicate of the event the table holds again (delivery is at least once)', async () => {
  const { deps, published } = await freshService();
  const joined = chimeEvent('AttendeeJoined', JOINED_AT);
  await expect(applyMeetingEvent(joined, deps)).resolves.toBe('applied');
  await expect(applyMeetingEvent(joined, deps)).resolves.toBe('applied');
  expect(published).toEqual([serviceEvent('Attendee Joined', JOINED_AT), serviceEvent('Attendee Joined', JOINED_AT)]);
});

it('republishes nothing for an event older than the presence the table holds, even on a retry', async () => {
  const { deps, published } = await freshService();
  await applyMeetingEvent(chimeEvent('AttendeeLeft', JOINED_AT + 60_000), deps);
  const joined = chimeEvent('AttendeeJoined', JOINED_AT);
  await expect(applyMeetingEvent(joined, deps)).resolves.toBe('stale');
  await expect(applyMeetingEvent(joined, deps)).resolves.toBe('stale');
  expect(published).toEqual([serviceEvent('Attendee Left', JOINED_AT + 60_000)]);
});
