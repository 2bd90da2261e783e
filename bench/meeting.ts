// The load part of the benchmark, run by bench/run.ts as its own process (`tsx bench/meeting.ts`): the whole join
// service on loopback (local/join-service.ts: API adapter → handler sources → real AWS SDK clients → Chime
// emulator and dynalite), driven over HTTP as a meeting backend would drive it. Writes its results as JSON to the
// file named by its one argument.
//
// - a full meeting: 250 attendees through the batch route, BatchCreateAttendee limited to 10 calls per second;
// - a rush: 500 concurrent single joins to one meeting, CreateAttendee limited to 10 calls per second; callers
//   that get 429 come back after its Retry-After, as amazon-chime-sdk-js backends are told to.
//
// Chime calls are counted by the emulator, DynamoDB calls by the counting proxy in front of dynalite (every call
// the SDK put on the wire, retries included). Peer time is measured inside the handlers' own SDK clients, as the
// time each attempt waits for its answer, so that what remains of the wall time is the service's own.
import { writeFileSync } from 'node:fs';
import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import { chimeClient, dynamodbClient } from '../lambda/shared/clients';
import { ATTENDEE_TABLE, MAX_ATTENDEES_PER_MEETING } from '../lib/contract';
import type { OperationStats } from '../local/chime-emulator';
import { type LocalJoinService, startLocalJoinService } from '../local/join-service';
import { call, deltas, type Reply } from './local-http';

const LIMIT = { ratePerSecond: 10, burst: 10 } as const;
const BATCH_ATTENDEES = 250;
const RUSH_JOINS = 500;
/** The rush gives up on callers still throttled after this long (it needs ~50 s at 10 calls per second). */
const RUSH_DEADLINE_MS = 150_000;
const DYNAMODB_WRITES = ['PutItem', 'BatchWriteItem', 'DeleteItem', 'UpdateItem', 'TransactWriteItems'];

/** Intervals during which at least one AWS call of the handlers waited for its peer. */
class PeerTimer {
  private intervals: Array<[number, number]> = [];
  constructor() {
    // Innermost middleware: wraps only the transport's round trip of each attempt.
    const timer: DeserializeMiddleware<object, object> = (next) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        this.intervals.push([started, performance.now()]);
      }
    };
    for (const stack of [chimeClient().middlewareStack, dynamodbClient().middlewareStack] as MiddlewareStack<
      object,
      object
    >[]) {
      stack.add(timer, { step: 'deserialize', priority: 'low', name: 'benchPeerTimer' });
    }
  }
  reset(): void {
    this.intervals = [];
  }
  /** Length of the union of the intervals: time with at least one call in flight. */
  busyMs(): number {
    const sorted = [...this.intervals].sort((a, b) => a[0] - b[0]);
    let busy = 0;
    let [start, end] = sorted[0] ?? [0, 0];
    for (const [s, e] of sorted.slice(1)) {
      if (s > end) {
        busy += end - start;
        [start, end] = [s, e];
      } else end = Math.max(end, e);
    }
    return busy + (end - start);
  }
}

/** The meeting's mappings, read from the byMeeting index, every page. */
async function mappingsOf(service: LocalJoinService, meetingId: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await service.dynamodbClient.send(
      new QueryCommand({
        TableName: service.tableName,
        IndexName: ATTENDEE_TABLE.meetingIndexName,
        KeyConditionExpression: '#m = :m',
        ExpressionAttributeNames: { '#m': ATTENDEE_TABLE.meetingIndexPartitionKey },
        ExpressionAttributeValues: { ':m': { S: meetingId } },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Lost: an attendee Chime holds without exactly one mapping, or a caller told it joined whose attendee or mapping
 * is missing. Duplicated: a user with two attendees or two mappings, an attendee with two mappings.
 */
async function consistency(service: LocalJoinService, meetingId: string, joined: Map<string, string>) {
  const attendees = service.emulator!.attendees(meetingId);
  const mappings = await mappingsOf(service, meetingId);
  const count = (values: string[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
  const attendeesPerUser = count(attendees.map((a) => a.ExternalUserId!));
  const mappingsPerAttendee = count(mappings.map((m) => m.AttendeeId?.S ?? ''));
  const mappingsPerUser = count(mappings.map((m) => m[ATTENDEE_TABLE.partitionKey]?.S ?? ''));
  const chimeIds = new Set(attendees.map((a) => a.AttendeeId!));
  const attendeeOfUser = new Map(attendees.map((a) => [a.ExternalUserId!, a.AttendeeId!]));
  return {
    attendeesInChime: attendees.length,
    mappings: mappings.length,
    attendeesWithoutMapping: attendees.filter((a) => !mappingsPerAttendee.has(a.AttendeeId!)).length,
    mappingsWithoutAttendee: mappings.filter((m) => !chimeIds.has(m.AttendeeId?.S ?? '')).length,
    joinedButMissing: [...joined].filter(
      ([user, id]) => attendeeOfUser.get(user) !== id || !mappingsPerAttendee.has(id),
    ).length,
    attendeesOfCallersNotToldJoined: attendees.filter((a) => !joined.has(a.ExternalUserId!)).length,
    usersWithTwoAttendees: [...attendeesPerUser.values()].filter((n) => n > 1).length,
    attendeesWithTwoMappings: [...mappingsPerAttendee.values()].filter((n) => n > 1).length,
    usersWithTwoMappings: [...mappingsPerUser.values()].filter((n) => n > 1).length,
  };
}

const writesOf = (calls: Record<string, number>) =>
  Object.entries(calls).reduce((n, [operation, c]) => n + (DYNAMODB_WRITES.includes(operation) ? c : 0), 0);

function chimeDelta(before: OperationStats, after: OperationStats) {
  return {
    requests: after.requests - before.requests,
    succeeded: after.succeeded - before.succeeded,
    throttled: after.throttled - before.throttled,
  };
}

async function fullMeeting(service: LocalJoinService, peers: PeerTimer) {
  const emulator = service.emulator!;
  const meetingId = emulator.createMeeting({ ExternalMeetingId: 'bench-full-meeting' }).MeetingId!;
  emulator.setRateLimit('BatchCreateAttendee', LIMIT);
  const users = Array.from({ length: BATCH_ATTENDEES }, (_, i) => `member-${String(i).padStart(3, '0')}`);
  const chimeBefore = emulator.stats().operations;
  const dynamoBefore = service.dynamodbFaults!.stats().operations;
  peers.reset();

  const started = performance.now();
  const reply = await call(service, 'POST', `/meetings/${meetingId}/attendees/batch`, {
    Attendees: users.map((ExternalUserId) => ({ ExternalUserId })),
  });
  const wallMs = performance.now() - started;
  const peerBusyMs = peers.busyMs();

  const chime = chimeDelta(chimeBefore.BatchCreateAttendee, emulator.stats().operations.BatchCreateAttendee);
  const dynamodbCalls = deltas(dynamoBefore, service.dynamodbFaults!.stats().operations);
  emulator.resetFaults();
  const joined = new Map<string, string>(
    (reply.body?.Attendees ?? []).map((a: { ExternalUserId: string; AttendeeId: string }) => [
      a.ExternalUserId,
      a.AttendeeId,
    ]),
  );
  // The limit lets `burst` calls through at once, then one per 1/rate s.
  const rateLimitFloorMs = (Math.max(0, chime.requests - LIMIT.burst) / LIMIT.ratePerSecond) * 1000;
  return {
    attendees: BATCH_ATTENDEES,
    limit: LIMIT,
    status: reply.status,
    created: joined.size,
    errors: reply.body?.Errors?.length ?? null,
    batchCreateAttendeeCalls: chime.requests,
    batchCreateAttendeeThrottled: chime.throttled,
    dynamodbCalls,
    dynamodbWriteCalls: writesOf(dynamodbCalls),
    wallMs,
    peerBusyMs,
    serviceMs: wallMs - peerBusyMs,
    rateLimitFloorMs,
    idealMs: Math.max(rateLimitFloorMs, peerBusyMs),
    consistency: await consistency(service, meetingId, joined),
  };
}

async function rush(service: LocalJoinService, peers: PeerTimer) {
  const emulator = service.emulator!;
  const meetingId = emulator.createMeeting({ ExternalMeetingId: 'bench-rush' }).MeetingId!;
  emulator.setRateLimit('CreateAttendee', LIMIT);
  const users = Array.from({ length: RUSH_JOINS }, (_, i) => `rusher-${String(i).padStart(3, '0')}`);
  const chimeBefore = emulator.stats().operations;
  const dynamoBefore = service.dynamodbFaults!.stats().operations;
  peers.reset();

  const path = `/meetings/${meetingId}/attendees`;
  const statuses: Record<string, number> = {};
  const tally = (reply: Reply) => {
    const key = reply.status === 400 ? `400 ${reply.body?.Code}` : String(reply.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  let throttledAnswers = 0;
  let throttledWithoutRetryAfter = 0;
  const started = performance.now();
  let firstWave: Record<string, number> = {};
  let firstWaveMs = 0;
  const final = new Map<string, Reply>();
  let pendingFirst = users.length;

  await Promise.all(
    users.map(async (user) => {
      for (let attempt = 1; ; attempt++) {
        const reply = await call(service, 'POST', path, { ExternalUserId: user });
        if (attempt === 1) {
          tally(reply);
          if (--pendingFirst === 0) {
            firstWave = { ...statuses };
            firstWaveMs = performance.now() - started;
          }
        }
        if (reply.status !== 429) return void final.set(user, reply);
        throttledAnswers += 1;
        if (!reply.retryAfter) throttledWithoutRetryAfter += 1;
        const waitMs = Number(reply.retryAfter ?? 1) * 1000 + Math.random() * 1000; // Retry-After plus jitter
        if (performance.now() - started + waitMs > RUSH_DEADLINE_MS) return void final.set(user, reply);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }),
  );
  const wallMs = performance.now() - started;

  const outcome: Record<string, number> = {};
  for (const reply of final.values()) {
    const key = reply.status === 400 ? `400 ${reply.body?.Code}` : String(reply.status);
    outcome[key] = (outcome[key] ?? 0) + 1;
  }
  const joined = new Map<string, string>();
  for (const [user, reply] of final)
    if (reply.status === 200 || reply.status === 201) joined.set(user, reply.body.Attendee.AttendeeId);
  const dynamodbCalls = deltas(dynamoBefore, service.dynamodbFaults!.stats().operations);
  const createAttendee = chimeDelta(chimeBefore.CreateAttendee, emulator.stats().operations.CreateAttendee);
  emulator.resetFaults();
  return {
    joins: RUSH_JOINS,
    limit: LIMIT,
    attendeeCap: MAX_ATTENDEES_PER_MEETING,
    firstWave,
    firstWaveMs,
    outcome,
    succeeded: joined.size,
    limitExceeded: outcome['400 LimitExceeded'] ?? 0,
    stillThrottled: outcome['429'] ?? 0,
    throttledAnswers,
    throttledWithoutRetryAfter,
    createAttendeeCalls: createAttendee,
    dynamodbCalls,
    dynamodbWriteCalls: writesOf(dynamodbCalls),
    wallMs,
    // 10 calls at once, then one per 100 ms; every join needs one CreateAttendee call that the limit lets through.
    rateLimitFloorMs: (Math.max(0, RUSH_JOINS - LIMIT.burst) / LIMIT.ratePerSecond) * 1000,
    consistency: await consistency(service, meetingId, joined),
  };
}

async function main(): Promise<void> {
  // One log line per request from the handlers (and one EMF line on stdout): not the subject here.
  const quiet = () => undefined;
  console.log = console.info = console.warn = console.error = quiet;
  const service = await startLocalJoinService({ dynamodbFaultProxy: true, emulator: { seed: 'bench' } });
  try {
    const peers = new PeerTimer();
    // Warm-up, so that the full meeting is timed on warm functions: clients built, connections open.
    const warmup = service.emulator!.createMeeting({ ExternalMeetingId: 'bench-warmup' }).MeetingId!;
    await call(service, 'POST', `/meetings/${warmup}/attendees/batch`, {
      Attendees: [{ ExternalUserId: 'w1' }, { ExternalUserId: 'w2' }],
    });
    await call(service, 'POST', `/meetings/${warmup}/attendees`, { ExternalUserId: 'w3' });
    const meeting = await fullMeeting(service, peers);
    const joins = await rush(service, peers);
    writeFileSync(process.argv[2], JSON.stringify({ fullMeeting: meeting, concurrentJoins: joins }));
  } finally {
    await service.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench/meeting.ts: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
