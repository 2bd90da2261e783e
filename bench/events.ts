// The meeting-events part of the benchmark (issue "Events", item 8), run by bench/run.ts as its own process
// (`tsx bench/events.ts <result file>`), like bench/meeting.ts: a 250-attendee meeting's burst of Chime meeting
// events, applied by the event function's own code (lambda/meeting-events.ts applyMeetingEvent) with the handlers'
// own DynamoDB client, through the counting proxy of the local service (local/join-service.ts) to its dynalite.
//
// The meeting is made through the API as a backend makes one: POST /join for its first user (the room's record, the
// meeting, one mapping), then one batch request for the other 249. The service's own delivery of the emulator's
// events is off: the burst is built here, with the shape Chime's events have (the emulator's ChimeMeetingEvent),
// from a fixed seed, so every run applies the same events:
// - per attendee: AttendeeAdded, AttendeeJoined, 0–2 × (AttendeeDropped, AttendeeJoined), AttendeeLeft, timestamps
//   strictly increasing per attendee (Chime's are milliseconds); then one MeetingEnded after the last of them.
// Two deliveries of it, each to its own copy of the meeting's tables as the API left them, in a random order (a seed
// per run, recorded; BENCH_EVENTS_ORDER_SEED repeats one) with 10% duplicates drawn from its events, `CONCURRENCY`
// events in flight as Lambda runs several invocations at once, after one untimed delivery (the warm-up):
// - `beforeEnd`: every event but MeetingEnded. After the end everything is removed, so this is where the presence
//   of the 250 attendees is compared;
// - `burst`: every event, MeetingEnded included.
// Each is compared with the same events, without duplicates, applied one at a time in timestamp order to another
// copy (direct to dynalite, not counted): the contract state of test/consistency/event-order.test.ts (the items
// that map an attendee, with their presence; the room's record). DynamoDB calls are counted twice: by the proxy
// (every call the SDK put on the wire, retries included) and per event, by a wrapper around the client's `send`
// (so that each event's writes are known although 8 run at once). Writes its results as JSON to the file named by
// its one argument.
import { writeFileSync } from 'node:fs';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { applyMeetingEvent, type EventDeps } from '../lambda/meeting-events';
import { awsTableDeps, dynamodbClient } from '../lambda/shared/clients';
import type { ChimeMeetingEvent, ChimeMeetingEventType } from '../local/chime-emulator';
import { createAttendeeTable, createMeetingTable, scanTable } from '../local/dynamodb';
import { type LocalJoinService, startLocalJoinService } from '../local/join-service';
import { call, deltas } from './local-http';

const ATTENDEES = 250;
const ROOM = 'bench-events-room';
/** Events in flight at once, as Lambda would run several invocations of the event function. */
const CONCURRENCY = 8;
/** Duplicates added to each delivery, as a share of its distinct events (Chime delivers at least once). */
const DUPLICATE_SHARE = 0.1;
/** The burst's events, from this seed: the same every run. */
const EVENTS_SEED = 20_260_801;
/** How many times a drop-and-rejoin happens to one attendee, and how likely each is. */
const DROP_CYCLES: Array<[cycles: number, weight: number]> = [
  [0, 0.3],
  [1, 0.45],
  [2, 0.25],
];
/** The meeting's first event (any fixed time: the state compared is relative to the events). */
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const DYNAMODB_WRITES = ['PutItem', 'BatchWriteItem', 'DeleteItem', 'UpdateItem', 'TransactWriteItems'];
/** Lambda's asynchronous invocation retries an event that failed twice. */
const LAMBDA_RETRIES = 2;

type Counts = Record<string, number>;
type Random = () => number;

/** A small seeded generator (mulberry32): the same seed, the same burst and order. */
function random(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const between = (rnd: Random, min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));

interface Meeting {
  meetingId: string;
  mediaRegion: string;
  attendees: Array<{ AttendeeId: string; ExternalUserId: string }>;
}

function chimeEvent(
  meeting: Meeting,
  eventType: ChimeMeetingEventType,
  timestamp: number,
  attendee?: { AttendeeId: string; ExternalUserId: string },
): ChimeMeetingEvent {
  const connection = ['chime:AttendeeJoined', 'chime:AttendeeLeft', 'chime:AttendeeDropped'].includes(eventType);
  return {
    version: '0',
    id: `bench-${eventType}-${timestamp}-${attendee?.AttendeeId ?? 'meeting'}`,
    'detail-type': 'Chime Meeting State Change',
    source: 'aws.chime',
    account: '111122223333',
    time: new Date(timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: {
      version: '0',
      eventType,
      timestamp,
      meetingId: meeting.meetingId,
      // As Chime sends them: attendee events name the attendee, meeting events the room.
      ...(attendee
        ? { attendeeId: attendee.AttendeeId, externalUserId: attendee.ExternalUserId }
        : { externalMeetingId: ROOM }),
      ...(connection && { networkType: 'Voip' as const }),
      mediaRegion: meeting.mediaRegion,
    },
  };
}

/**
 * The burst, in timestamp order: each attendee is added over the first two minutes, joins within 3 s, may drop and
 * rejoin (after 1–30 s) up to twice over the meeting, and leaves; the meeting ends 1–5 s after the last event.
 */
function burstOf(meeting: Meeting) {
  const rnd = random(EVENTS_SEED);
  const events: ChimeMeetingEvent[] = [];
  let last = T0;
  const cyclesOf = () => {
    let r = rnd();
    for (const [cycles, weight] of DROP_CYCLES) if ((r -= weight) < 0) return cycles;
    return 0;
  };
  const expected = new Map<string, { state: string; since: number }>();
  for (const attendee of meeting.attendees) {
    let t = T0 + between(rnd, 0, 120_000);
    const push = (type: ChimeMeetingEventType) => events.push(chimeEvent(meeting, type, t, attendee));
    push('chime:AttendeeAdded');
    t += between(rnd, 300, 3_000);
    push('chime:AttendeeJoined');
    for (let cycle = cyclesOf(); cycle > 0; cycle--) {
      t += between(rnd, 10_000, 20 * 60_000);
      push('chime:AttendeeDropped');
      t += between(rnd, 1_000, 30_000);
      push('chime:AttendeeJoined');
    }
    t += between(rnd, 10_000, 30 * 60_000);
    push('chime:AttendeeLeft');
    expected.set(attendee.ExternalUserId, { state: 'Left', since: t });
    last = Math.max(last, t);
  }
  // Ordered by timestamp; at a tie (two attendees' events), as generated (a stable sort).
  events.sort((a, b) => a.detail.timestamp - b.detail.timestamp);
  const ended = chimeEvent(meeting, 'chime:MeetingEnded', last + between(rnd, 1_000, 5_000));
  return { ordered: [...events, ended], beforeEnd: events, expected };
}

/** The delivery: the events in a random order, with `DUPLICATE_SHARE` of them again (drawn with replacement). */
function delivery(events: readonly ChimeMeetingEvent[], rnd: Random): ChimeMeetingEvent[] {
  const copies = [...events];
  const duplicates = Math.round(events.length * DUPLICATE_SHARE);
  for (let i = 0; i < duplicates; i++) copies.push(events[Math.floor(rnd() * events.length)]);
  for (let i = copies.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [copies[i], copies[j]] = [copies[j], copies[i]];
  }
  return copies;
}

/** A client whose calls are also counted into `counts`, per operation: one event's own calls. */
function counted(client: DynamoDBClient, counts: Counts): DynamoDBClient {
  return {
    send(command: object, ...rest: unknown[]) {
      const operation = command.constructor.name.replace(/Command$/, '');
      counts[operation] = (counts[operation] ?? 0) + 1;
      return (client.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    },
  } as unknown as DynamoDBClient;
}

const writesOf = (calls: Counts) =>
  Object.entries(calls).reduce((n, [operation, c]) => n + (DYNAMODB_WRITES.includes(operation) ? c : 0), 0);
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const add = (into: Counts, counts: Counts) => {
  for (const [k, v] of Object.entries(counts)) into[k] = (into[k] ?? 0) + v;
  return into;
};

interface Applied {
  type: string;
  outcome: string;
  calls: Counts;
  attempts: number;
  ms: number;
}

/** Applies the events, `concurrency` at a time in the order given; a failed event is retried as Lambda would. */
async function apply(events: readonly ChimeMeetingEvent[], deps: EventDeps, concurrency: number): Promise<Applied[]> {
  const applied: Applied[] = [];
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const event = events[next++];
      const calls: Counts = {};
      const eventDeps: EventDeps = { ...deps, dynamodb: counted(deps.dynamodb, calls) };
      const started = performance.now();
      let outcome = 'failed';
      let attempts = 0;
      while (attempts <= LAMBDA_RETRIES) {
        attempts += 1;
        try {
          outcome = await applyMeetingEvent(event, eventDeps);
          break;
        } catch (error) {
          process.stderr.write(`bench/events.ts: ${event.detail.eventType} failed: ${String(error)}\n`);
        }
      }
      applied.push({
        type: event.detail.eventType.replace(/^chime:/, ''),
        outcome,
        calls,
        attempts,
        ms: performance.now() - started,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return applied;
}

interface Tables {
  tableName: string;
  meetingTableName: string;
}

let copies = 0;
/** New tables holding `items` (the meeting's mappings and the room's record as the API left them), written directly. */
async function copyOf(
  service: LocalJoinService,
  items: { attendees: Record<string, AttributeValue>[]; record: Record<string, AttributeValue> },
  label: string,
): Promise<Tables> {
  const n = ++copies;
  const tables = {
    tableName: `bench-events-${n}-${label}-attendees`,
    meetingTableName: `bench-events-${n}-${label}-meetings`,
  };
  const client = service.dynamodbClient;
  await createAttendeeTable(client, tables.tableName);
  await createMeetingTable(client, tables.meetingTableName);
  const write = async (tableName: string, requests: WriteRequest[]) => {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: WriteRequest[] | undefined = requests.slice(i, i + 25);
      while (pending?.length) {
        const answer: BatchWriteItemCommandOutput = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = answer.UnprocessedItems?.[tableName];
      }
    }
  };
  await write(
    tables.tableName,
    items.attendees.map((Item) => ({ PutRequest: { Item } })),
  );
  await write(tables.meetingTableName, [{ PutRequest: { Item: items.record } }]);
  return tables;
}

/**
 * The service-visible state, as test/consistency/event-order.test.ts compares it: the items that map an attendee,
 * with their presence, and the room's record (state, meeting, end time). Also the items left that map no attendee.
 */
async function contractState(service: LocalJoinService, tables: Tables, meetingId: string) {
  const items = (await scanTable(service.dynamodbClient, tables.tableName)).filter(
    (item) => item.MeetingId?.S === meetingId,
  );
  const mappings = items
    .filter((item) => item.AttendeeId?.S)
    .map((item) => ({
      user: item.ExternalUserId.S!,
      attendee: item.AttendeeId.S!,
      presence:
        item.PresenceAttendeeId?.S === item.AttendeeId.S
          ? { state: item.PresenceState?.S, since: item.PresenceSince?.N }
          : undefined,
    }))
    .sort((a, b) => a.user.localeCompare(b.user));
  const room = (await scanTable(service.dynamodbClient, tables.meetingTableName)).find(
    (item) => item.ExternalMeetingId?.S === ROOM,
  );
  return {
    mappings,
    room: { state: room?.State?.S, meetingId: room?.MeetingId?.S, endedAt: room?.EndedAt?.S },
    itemsWithoutMapping: items.length - mappings.length,
  };
}
type State = Awaited<ReturnType<typeof contractState>>;

/** Where two states differ: mappings (by user) that are not equal, and whether the records are. */
function compare(actual: State, expected: State) {
  const key = (m: State['mappings'][number]) => JSON.stringify(m);
  const byUser = new Map(expected.mappings.map((m) => [m.user, key(m)]));
  const users = new Set([...actual.mappings.map((m) => m.user), ...expected.mappings.map((m) => m.user)]);
  const actualByUser = new Map(actual.mappings.map((m) => [m.user, key(m)]));
  const differing = [...users].filter((user) => actualByUser.get(user) !== byUser.get(user));
  const roomEqual = JSON.stringify(actual.room) === JSON.stringify(expected.room);
  return {
    equal: differing.length === 0 && roomEqual,
    mappingsDiffering: differing.length,
    roomEqual,
    examples: differing.slice(0, 3).map((user) => ({
      user,
      actual: actualByUser.get(user) ?? null,
      expected: byUser.get(user) ?? null,
    })),
  };
}

/** One delivery's figures: calls (proxy and per event), per-type writes, outcomes, times. */
function summary(applied: Applied[], proxyCalls: Counts, wallMs: number, cpuMs: number) {
  const perType: Record<
    string,
    { events: number; writesMax: number; writes: number; outcomes: Counts; calls: Counts }
  > = {};
  for (const a of applied) {
    const t = (perType[a.type] ??= { events: 0, writesMax: 0, writes: 0, outcomes: {}, calls: {} });
    const writes = writesOf(a.calls);
    t.events += 1;
    t.writes += writes;
    t.writesMax = Math.max(t.writesMax, writes);
    t.outcomes[a.outcome] = (t.outcomes[a.outcome] ?? 0) + 1;
    add(t.calls, a.calls);
  }
  const perEventCalls = applied.reduce((all, a) => add(all, a.calls), {} as Counts);
  // Writes besides the end's purge: MeetingEnded's BatchWriteItem calls are the batches of its mappings' deletes.
  const writesBesidesPurge = (a: Applied) =>
    writesOf(a.calls) - (a.type === 'MeetingEnded' ? (a.calls.BatchWriteItem ?? 0) : 0);
  const sorted = applied.map((a) => a.ms).sort((x, y) => x - y);
  const ended = applied.filter((a) => a.type === 'MeetingEnded');
  return {
    events: applied.length,
    failedAttempts: applied.reduce((n, a) => n + a.attempts - 1 + (a.outcome === 'failed' ? 1 : 0), 0),
    failed: applied.filter((a) => a.outcome === 'failed').length,
    outcomes: applied.reduce<Counts>((o, a) => ((o[a.outcome] = (o[a.outcome] ?? 0) + 1), o), {}),
    perType,
    dynamodbCalls: proxyCalls,
    dynamodbWriteCalls: writesOf(proxyCalls),
    /** The per-event counts summed: equal to the proxy's unless the SDK retried a call on the wire. */
    dynamodbCallsCountedPerEvent: perEventCalls,
    writesPerEvent: writesOf(proxyCalls) / applied.length,
    maxWritesPerEventBesidesPurge: Math.max(...applied.map(writesBesidesPurge)),
    purgeBatchWriteCalls: ended.map((a) => a.calls.BatchWriteItem ?? 0),
    wallMs,
    cpuMs,
    eventsPerSecond: (applied.length / wallMs) * 1000,
    /** The same per second of the process's CPU time: what a machine busy with other work slows less. */
    eventsPerCpuSecond: (applied.length / cpuMs) * 1000,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1],
  };
}

async function main(): Promise<void> {
  // The handlers' log lines (and EMF lines on stdout): not the subject here.
  const quiet = () => undefined;
  console.log = console.info = console.warn = console.error = quiet;
  const service = await startLocalJoinService({
    dynamodbFaultProxy: true,
    deliverEvents: false,
    emulator: { seed: 'bench-events' },
  });
  try {
    // The meeting, through the API: POST /join makes the room's meeting and record, one batch request the rest.
    const users = Array.from({ length: ATTENDEES }, (_, i) => `member-${String(i).padStart(3, '0')}`);
    const first = await call(service, 'POST', '/join', { ExternalMeetingId: ROOM, ExternalUserId: users[0] });
    if (first.status !== 201) throw new Error(`POST /join answered ${first.status}: ${JSON.stringify(first.body)}`);
    const meetingId: string = first.body.Meeting.MeetingId;
    const batch = await call(service, 'POST', `/meetings/${meetingId}/attendees/batch`, {
      Attendees: users.slice(1).map((ExternalUserId) => ({ ExternalUserId })),
    });
    if (batch.status !== 200 && batch.status !== 201)
      throw new Error(`the batch request answered ${batch.status}: ${JSON.stringify(batch.body)}`);
    const attendees = service.emulator!.attendees(meetingId).map(({ AttendeeId, ExternalUserId }) => ({
      AttendeeId: AttendeeId!,
      ExternalUserId: ExternalUserId!,
    }));
    if (attendees.length !== ATTENDEES) throw new Error(`the meeting has ${attendees.length} attendees`);
    const meeting: Meeting = {
      meetingId,
      mediaRegion: first.body.Meeting.MediaRegion ?? 'us-east-1',
      attendees: attendees.sort((a, b) => a.ExternalUserId.localeCompare(b.ExternalUserId)),
    };
    const items = {
      attendees: (await scanTable(service.dynamodbClient, service.tableName)).filter(
        (item) => item.MeetingId?.S === meetingId,
      ),
      record: (await scanTable(service.dynamodbClient, service.meetingTableName)).find(
        (item) => item.ExternalMeetingId?.S === ROOM,
      )!,
    };
    if (items.attendees.length !== ATTENDEES || items.record?.State?.S !== 'live')
      throw new Error(`the API left ${items.attendees.length} mappings and a ${items.record?.State?.S} record`);

    const burst = burstOf(meeting);
    const orderSeed = Number(process.env.BENCH_EVENTS_ORDER_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const rnd = random(orderSeed);
    // The event function's dependencies, as its handler builds them, on copies of the tables: the handlers' own
    // DynamoDB client (through the counting proxy), the configuration local mode gives them, no event bus.
    const config = awsTableDeps.config;
    const depsOn = (tables: Tables, client: DynamoDBClient): EventDeps => ({
      dynamodb: client,
      config: { ...config, ...tables, eventBusName: undefined },
      now: () => new Date(),
      bus: { publish: async () => undefined },
    });
    const viaProxy = dynamodbClient();

    // Warm-up, so that the deliveries are timed on a warm function (client built, connections open, the optimizing
    // compiler settled): one untimed delivery of the same events to a copy of its own, in an order of its own.
    // With only 200 events first, the first timed delivery ran at about half the second's rate.
    const warm = await copyOf(service, items, 'warmup');
    await apply(delivery(burst.beforeEnd, random(orderSeed ^ 0x5eed)), depsOn(warm, viaProxy), CONCURRENCY);

    const run = async (label: string, events: ChimeMeetingEvent[]) => {
      const [shuffledTables, orderedTables] = [
        await copyOf(service, items, label),
        await copyOf(service, items, `${label}-ordered`),
      ];
      // The same events, once each, one at a time in timestamp order: the state to compare with.
      await apply(events, depsOn(orderedTables, service.dynamodbClient), 1);
      const deliveries = delivery(events, rnd);
      const proxy = service.dynamodbFaults!;
      const before = proxy.stats().operations;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const applied = await apply(deliveries, depsOn(shuffledTables, viaProxy), CONCURRENCY);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const figures = summary(
        applied,
        deltas(before, proxy.stats().operations),
        wallMs,
        (cpu.user + cpu.system) / 1000,
      );
      const [actual, expected] = [
        await contractState(service, shuffledTables, meetingId),
        await contractState(service, orderedTables, meetingId),
      ];
      return {
        distinctEvents: events.length,
        duplicates: deliveries.length - events.length,
        ...figures,
        state: {
          ...compare(actual, expected),
          mappings: actual.mappings.length,
          mappingsOrdered: expected.mappings.length,
          withPresence: actual.mappings.filter((m) => m.presence).length,
          room: actual.room,
          roomOrdered: expected.room,
          itemsWithoutMapping: actual.itemsWithoutMapping,
          itemsWithoutMappingOrdered: expected.itemsWithoutMapping,
        },
        actual,
      };
    };

    const { actual: beforeEndState, ...beforeEnd } = await run('before-end', burst.beforeEnd);
    // Beside the ordered application: every attendee's last event, as generated (each one left).
    const lastEventDiffering = [...burst.expected].filter(([user, last]) => {
      const mapping = beforeEndState.mappings.find((m) => m.user === user);
      return mapping?.presence?.state !== last.state || mapping.presence.since !== String(last.since);
    }).length;
    const { actual: _burstState, ...full } = await run('burst', burst.ordered);

    const count = (events: ChimeMeetingEvent[]) =>
      events.reduce<Counts>((c, e) => {
        const type = e.detail.eventType.replace(/^chime:/, '');
        c[type] = (c[type] ?? 0) + 1;
        return c;
      }, {});
    writeFileSync(
      process.argv[2],
      JSON.stringify({
        attendees: ATTENDEES,
        concurrency: CONCURRENCY,
        duplicateShare: DUPLICATE_SHARE,
        eventsSeed: EVENTS_SEED,
        orderSeed,
        eventsByType: count(burst.ordered),
        beforeEnd: { ...beforeEnd, state: { ...beforeEnd.state, lastEventDiffering } },
        burst: full,
      }),
    );
  } finally {
    await service.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench/events.ts: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
