// Chime delivers its meeting events at least once, in no promised order. Property: for generated event sequences of
// one meeting (each attendee added, joined, maybe dropped and rejoined, maybe left, maybe deleted; maybe the meeting
// ended), every permutation with duplicates leaves the same table state as the ordered sequence. The state compared
// is the service's contract: the items that map an attendee, with their presence, and the meeting's record
// (state, meeting, end time). Real DynamoDB semantics (dynalite), the event function's own code (applyMeetingEvent).
import fc from 'fast-check';
import { scanTable } from '../../local/dynamodb';
import { applyMeetingEvent, type EventDeps } from '../../lambda/meeting-events';
import { chimeEvent as chimeMeetingEvent, freshEventService, useDynamoDb } from '../e2e/event-function';

const MEETING_ID = '5c0ffee0-0000-4000-8000-000000000001';
const ROOM = 'standup';
const attendeeId = (i: number) => `a77e0000-0000-4000-8000-${String(i).padStart(12, '0')}`;

const dynamodb = useDynamoDb();

/** Fresh tables, the room's record live, and each user's join recorded (as POST /join leaves them). */
const freshService = (users: number): Promise<EventDeps> =>
  freshEventService(
    dynamodb(),
    { meetingId: MEETING_ID, room: ROOM },
    Array.from({ length: users }, (_, i) => ({ ExternalUserId: `user-${i}`, AttendeeId: attendeeId(i) })),
  );

/** The service-visible state: mappings with their presence, and the meeting record. */
async function contractState(deps: EventDeps) {
  const mappings = (await scanTable(dynamodb(), deps.config.tableName))
    .filter((item) => item.AttendeeId?.S)
    .map((item) => ({
      user: item.ExternalUserId.S,
      attendee: item.AttendeeId.S,
      presence:
        item.PresenceAttendeeId?.S === item.AttendeeId.S
          ? { state: item.PresenceState?.S, since: item.PresenceSince?.N }
          : undefined,
    }))
    .sort((a, b) => a.user!.localeCompare(b.user!));
  const [room] = await scanTable(dynamodb(), deps.config.meetingTableName!);
  return { mappings, room: { state: room.State?.S, meetingId: room.MeetingId?.S, endedAt: room.EndedAt?.S } };
}

/** Every item of the attendee table, by key: mappings, records of removed attendees, presence, the end marker. */
async function itemKeys(deps: EventDeps) {
  return (await scanTable(dynamodb(), deps.config.tableName))
    .map((item) => `${item.ExternalUserId.S} ${item.MeetingId.S}`)
    .sort();
}

const chimeEvent = (eventType: string, timestamp: number, attendee?: number) =>
  chimeMeetingEvent(eventType, timestamp, {
    meetingId: MEETING_ID,
    externalMeetingId: ROOM,
    ...(attendee !== undefined && { attendeeId: attendeeId(attendee), externalUserId: `user-${attendee}` }),
  });

/** One attendee's life: its events in order, with timestamps that may tie (Chime's are in milliseconds). */
const attendeeLife = fc.record({
  dropAndRejoin: fc.boolean(),
  leaves: fc.boolean(),
  deleted: fc.boolean(),
  gaps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }),
});

const scenario = fc.record({
  lives: fc.array(attendeeLife, { minLength: 1, maxLength: 3 }),
  meetingEnds: fc.boolean(),
  seed: fc.integer(),
  duplicates: fc.integer({ min: 0, max: 6 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function orderedEvents({ lives, meetingEnds }: Scenario) {
  const events: ReturnType<typeof chimeEvent>[] = [];
  let last = 1_000;
  lives.forEach((life, i) => {
    let t = 1_000;
    const next = (step: number) => (t += life.gaps[step]);
    events.push(chimeEvent('AttendeeAdded', next(0), i), chimeEvent('AttendeeJoined', next(1), i));
    if (life.dropAndRejoin)
      events.push(chimeEvent('AttendeeDropped', next(2), i), chimeEvent('AttendeeJoined', next(3), i));
    if (life.leaves) events.push(chimeEvent('AttendeeLeft', next(4), i));
    if (life.deleted) events.push(chimeEvent('AttendeeDeleted', next(5), i));
    last = Math.max(last, t);
  });
  if (meetingEnds) events.push(chimeEvent('MeetingEnded', last + 1));
  // Ordered: by timestamp; at a tie, as the attendee's life lists them (stable sort).
  return events.sort((a, b) => a.detail.timestamp - b.detail.timestamp);
}

/** A deterministic shuffle with duplicates, from the scenario's seed. */
function permuted(events: ReturnType<typeof chimeEvent>[], seed: number, duplicates: number) {
  let state = seed >>> 0 || 1;
  const random = () => ((state = Math.imul(state ^ (state >>> 15), 2246822507) >>> 0), state / 4294967296);
  const copies = [...events];
  for (let i = 0; i < duplicates; i++) copies.push(events[Math.floor(random() * events.length)]);
  for (let i = copies.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copies[i], copies[j]] = [copies[j], copies[i]];
  }
  return copies;
}

it('ends every permutation with duplicates of a meeting’s events in the state of the ordered sequence', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (generated) => {
      const events = orderedEvents(generated);
      const ordered = await freshService(generated.lives.length);
      for (const event of events) await applyMeetingEvent(event, ordered);
      const shuffled = await freshService(generated.lives.length);
      for (const event of permuted(events, generated.seed, generated.duplicates))
        await applyMeetingEvent(event, shuffled);
      expect(await contractState(shuffled)).toEqual(await contractState(ordered));
      // Beyond the contract: the same items exist (no event after the end brings one back).
      expect(await itemKeys(shuffled)).toEqual(await itemKeys(ordered));
    }),
    { numRuns: 60 },
  );
}, 120_000);

it('applies presence, removal and the end as the events say, in order', async () => {
  const deps = await freshService(2);
  for (const event of [
    chimeEvent('AttendeeJoined', 10, 0),
    chimeEvent('AttendeeJoined', 11, 1),
    chimeEvent('AttendeeDropped', 12, 0),
    chimeEvent('AttendeeDeleted', 13, 1),
  ]) {
    await applyMeetingEvent(event, deps);
  }
  expect(await contractState(deps)).toEqual({
    mappings: [{ user: 'user-0', attendee: attendeeId(0), presence: { state: 'Dropped', since: '12' } }],
    room: { state: 'live', meetingId: MEETING_ID, endedAt: undefined },
  });
  // A late, older event is stale; an event of a type the service does not follow is ignored.
  expect(await applyMeetingEvent(chimeEvent('AttendeeJoined', 11, 0), deps)).toBe('stale');
  expect(await applyMeetingEvent(chimeEvent('AttendeeVideoStarted', 20, 0), deps)).toBe('ignored');
  expect(await applyMeetingEvent(chimeEvent('MeetingEnded', 30), deps)).toBe('applied');
  expect(await contractState(deps)).toEqual({
    mappings: [],
    room: { state: 'ended', meetingId: MEETING_ID, endedAt: new Date(30).toISOString() },
  });
});

it('takes back what an event arriving after the meeting ended would write: stale, nothing republished, no item', async () => {
  const deps = await freshService(1);
  const published: unknown[] = [];
  const withBus: EventDeps = {
    ...deps,
    config: { ...deps.config, eventBusName: 'service-events' },
    bus: { publish: async (events) => void published.push(...events) },
  };
  for (const event of [chimeEvent('AttendeeJoined', 10, 0), chimeEvent('MeetingEnded', 30)])
    expect(await applyMeetingEvent(event, withBus)).toBe('applied');
  expect(await itemKeys(deps)).toEqual([`aws:meeting-ended ${MEETING_ID}`]);
  published.length = 0;
  // Older than the end, delivered after it: a presence change, and the deletion of another attendee.
  expect(await applyMeetingEvent(chimeEvent('AttendeeLeft', 20, 0), withBus)).toBe('stale');
  expect(await applyMeetingEvent(chimeEvent('AttendeeDeleted', 25, 1), withBus)).toBe('stale');
  expect(await itemKeys(deps)).toEqual([`aws:meeting-ended ${MEETING_ID}`]);
  expect(published).toEqual([]);
});
