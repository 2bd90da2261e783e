// The meetings part of the benchmark (version 2, "one live meeting per ExternalMeetingId"), run by bench/run.ts as
// its own process (`tsx bench/meetings.ts <result file>`), like bench/meeting.ts: the whole join service on loopback
// (emulator, dynalite behind the counting proxy), a fresh one, driven over HTTP through POST /join.
//
// - first joins: a join of a name no meeting has yet, one at a time: the Chime and DynamoDB calls each one makes;
// - live joins: a second user joins each of those rooms, one at a time: the calls of a join of a live meeting;
// - a rush: 100 concurrent first joins of one new name, CreateMeeting limited to 10 calls per second;
// - a rush after the end: the emulator ends that meeting without telling the service (as Chime's auto-end or a
//   DeleteMeeting elsewhere would), then the same 100 users join the name again at once.
//
// Chime calls are counted by the emulator (every request, whatever its answer), DynamoDB calls by the proxy (every
// call the SDK put on the wire, retries included); meetings created are the emulator's MeetingStarted events of the
// name. The rushes' CPU time is this process's: every handler invocation, the emulator, dynalite and the proxy
// run in it, one thread, so concurrent joins queue for it as they would not across Lambda containers. Writes its results as JSON to the file named by its one argument.
import { writeFileSync } from 'node:fs';
import { scanTable } from '../local/dynamodb';
import { type ChimeEmulator } from '../local/chime-emulator';
import { type LocalJoinService, startLocalJoinService } from '../local/join-service';
import { call, deltas, type Reply } from './local-http';

const LIMIT = { ratePerSecond: 10, burst: 10 } as const;
const SEQUENTIAL_JOINS = 10;
const RUSH_JOINS = 100;

type Counts = Record<string, number>;

function chimeCounts(emulator: ChimeEmulator): Counts {
  return Object.fromEntries(Object.entries(emulator.stats().operations).map(([op, s]) => [op, s.requests]));
}
function chimeDeltas(before: Counts, after: Counts): Counts {
  return Object.fromEntries(
    Object.entries(after)
      .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}
const total = (counts: Counts) => Object.values(counts).reduce((a, b) => a + b, 0);
/** 'CreateMeeting + 2× UpdateItem', in a fixed order. */
const describe = (counts: Counts) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => (n === 1 ? op : `${n}× ${op}`))
    .join(' + ') || 'none';
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const tallyOf = (replies: Reply[]) =>
  replies.reduce<Counts>((t, r) => {
    const key = r.status >= 400 && r.body?.Code ? `${r.status} ${r.body.Code}` : String(r.status);
    t[key] = (t[key] ?? 0) + 1;
    return t;
  }, {});

/** Counts what each request of `run` made, run one after the other: the requests' call profiles. */
async function sequential(service: LocalJoinService, requests: Array<() => Promise<Reply>>) {
  const emulator = service.emulator!;
  const proxy = service.dynamodbFaults!;
  const joins: Array<{ status: number; ms: number; chime: Counts; dynamodb: Counts; meetingId?: string }> = [];
  for (const request of requests) {
    const [chimeBefore, dynamoBefore] = [chimeCounts(emulator), proxy.stats().operations];
    const started = performance.now();
    const reply = await request();
    const ms = performance.now() - started;
    joins.push({
      status: reply.status,
      ms,
      chime: chimeDeltas(chimeBefore, chimeCounts(emulator)),
      dynamodb: deltas(dynamoBefore, proxy.stats().operations),
      meetingId: reply.body?.Meeting?.MeetingId,
    });
  }
  // Joins that made the same calls, grouped: normally one profile.
  const profiles = new Map<string, { chime: string; dynamodb: string; joins: number }>();
  for (const j of joins) {
    const key = `${describe(j.chime)}|${describe(j.dynamodb)}`;
    const profile = profiles.get(key) ?? { chime: describe(j.chime), dynamodb: describe(j.dynamodb), joins: 0 };
    profile.joins += 1;
    profiles.set(key, profile);
  }
  const sorted = joins.map((j) => j.ms).sort((a, b) => a - b);
  const perOperationMax = (pick: (j: (typeof joins)[number]) => Counts) => {
    const out: Counts = {};
    for (const j of joins) for (const [op, n] of Object.entries(pick(j))) out[op] = Math.max(out[op] ?? 0, n);
    return out;
  };
  return {
    joins: joins.length,
    statuses: tallyOf(joins.map((j) => ({ status: j.status, retryAfter: null, body: undefined }))),
    chimeCallsMax: Math.max(...joins.map((j) => total(j.chime))),
    chimeCallsMin: Math.min(...joins.map((j) => total(j.chime))),
    chimeCallsByOperationMax: perOperationMax((j) => j.chime),
    dynamodbCallsMax: Math.max(...joins.map((j) => total(j.dynamodb))),
    dynamodbCallsMin: Math.min(...joins.map((j) => total(j.dynamodb))),
    dynamodbCallsByOperationMax: perOperationMax((j) => j.dynamodb),
    profiles: [...profiles.values()],
    p50Ms: quantile(sorted, 0.5),
    maxMs: sorted[sorted.length - 1],
    meetingIds: joins.map((j) => j.meetingId),
  };
}

/** `RUSH_JOINS` joins of one name sent at once; every caller's first answer, timed from send to answer. */
async function rush(service: LocalJoinService, name: string, users: string[]) {
  const emulator = service.emulator!;
  const proxy = service.dynamodbFaults!;
  const started: string[] = [];
  const unsubscribe = emulator.subscribe((event) => {
    if (event.detail.eventType === 'chime:MeetingStarted' && event.detail.externalMeetingId === name)
      started.push(event.detail.meetingId);
  });
  const [chimeBefore, dynamoBefore] = [chimeCounts(emulator), proxy.stats().operations];
  const { CreateMeeting: createMeetingBefore, CreateAttendee: createAttendeeBefore } = emulator.stats().operations;
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const answers = await Promise.all(
    users.map(async (ExternalUserId) => {
      const sent = performance.now();
      const reply = await call(service, 'POST', '/join', { ExternalMeetingId: name, ExternalUserId });
      return { user: ExternalUserId, reply, ms: performance.now() - sent };
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  unsubscribe();
  const { CreateMeeting: createMeeting, CreateAttendee: createAttendee } = emulator.stats().operations;
  const chime = chimeDeltas(chimeBefore, chimeCounts(emulator));
  const dynamodb = deltas(dynamoBefore, proxy.stats().operations);

  const ok = answers.filter((a) => a.reply.status === 200 || a.reply.status === 201);
  const meetingIds = [...new Set(ok.map((a) => a.reply.body.Meeting.MeetingId as string))];
  const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
  // Lost: a caller told it joined whose attendee Chime does not hold, or that has no mapping in the table.
  const meetingId = meetingIds[0];
  const attendees = new Map(emulator.attendees(meetingId).map((a) => [a.ExternalUserId!, a.AttendeeId!]));
  const mapped = new Set(
    (await scanTable(service.dynamodbClient, service.tableName))
      .filter((item) => item.MeetingId?.S === meetingId && item.AttendeeId?.S)
      .map((item) => `${item.ExternalUserId?.S}\u0000${item.AttendeeId?.S}`),
  );
  const lost = ok.filter(
    ({ user, reply }) =>
      attendees.get(user) !== reply.body.Attendee.AttendeeId ||
      !mapped.has(`${user}\u0000${reply.body.Attendee.AttendeeId}`),
  ).length;
  const record = (await scanTable(service.dynamodbClient, service.meetingTableName)).find(
    (item) => item.ExternalMeetingId?.S === name,
  );
  return {
    joins: users.length,
    limit: LIMIT,
    statuses: tallyOf(answers.map((a) => a.reply)),
    succeeded: ok.length,
    serverErrors: answers.filter((a) => a.reply.status >= 500).length,
    meetingsCreated: started.length,
    distinctMeetingIds: meetingIds.length,
    meetingId: meetingId ?? null,
    createMeetingCalls: createMeeting.requests - createMeetingBefore.requests,
    createMeetingThrottled: createMeeting.throttled - createMeetingBefore.throttled,
    chimeCalls: chime,
    /** CreateAttendee calls Chime refused (NotFound: the meeting had ended). */
    createAttendeeFailed: createAttendee.failed - createAttendeeBefore.failed,
    dynamodbCalls: dynamodb,
    dynamodbCallsTotal: total(dynamodb),
    wallMs,
    /** CPU time of this process meanwhile: the handlers, the emulator, dynalite and the proxy all run in it. */
    cpuMs: (cpu.user + cpu.system) / 1000,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1],
    attendeesInChime: attendees.size,
    lost,
    record: record && {
      generation: Number(record.Generation?.N ?? 0),
      state: record.State?.S ?? null,
      meetingId: record.MeetingId?.S ?? null,
    },
  };
}

async function main(): Promise<void> {
  // One log line per request from the handlers (and one EMF line on stdout): not the subject here.
  const quiet = () => undefined;
  console.log = console.info = console.warn = console.error = quiet;
  const service = await startLocalJoinService({ dynamodbFaultProxy: true, emulator: { seed: 'bench-meetings' } });
  try {
    const emulator = service.emulator!;
    const join = (ExternalMeetingId: string, ExternalUserId: string) => () =>
      call(service, 'POST', '/join', { ExternalMeetingId, ExternalUserId });
    // Warm-up, so that every figure is taken on warm functions: clients built, connections open.
    for (let i = 0; i < 3; i++) await join('bench-warmup', `warm-${i}`)();

    const rooms = Array.from({ length: SEQUENTIAL_JOINS }, (_, i) => `bench-room-${i}`);
    const firstJoins = await sequential(
      service,
      rooms.map((room) => join(room, 'host')),
    );
    const liveJoins = await sequential(
      service,
      rooms.map((room) => join(room, 'guest')),
    );
    // The guests joined the meetings the hosts' first joins made.
    const sameMeeting = liveJoins.meetingIds.every((id, i) => id !== undefined && id === firstJoins.meetingIds[i]);

    emulator.setRateLimit('CreateMeeting', LIMIT);
    const users = Array.from({ length: RUSH_JOINS }, (_, i) => `rusher-${String(i).padStart(3, '0')}`);
    const name = 'bench-rush-room';
    const first = await rush(service, name, users);
    const ended = first.meetingId !== null && emulator.endMeeting(first.meetingId);
    const afterEnd = await rush(service, name, users);
    emulator.resetFaults();

    const drop = <T extends { meetingIds: unknown }>({ meetingIds: _, ...rest }: T) => rest;
    writeFileSync(
      process.argv[2],
      JSON.stringify({
        firstJoin: drop(firstJoins),
        liveJoin: { ...drop(liveJoins), sameMeetingAsFirstJoin: sameMeeting },
        rush: first,
        rushAfterEnd: {
          ...afterEnd,
          endedMeetingId: ended ? first.meetingId : null,
          newMeeting: afterEnd.meetingId !== null && afterEnd.meetingId !== first.meetingId,
        },
      }),
    );
  } finally {
    await service.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench/meetings.ts: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
