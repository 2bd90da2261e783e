/**
 * A randomized churn over HTTP against the local service (real SDK clients, the Chime emulator, dynalite behind the
 * fault proxy): joins, re-joins, batches, deletes and meeting ends of a few users and meetings, and meetings by name
 * (POST /join of a few room names, DELETE /meetings/{MeetingId} of a room's live meeting, and ends without notice:
 * the emulator ends a room's live meeting and the service is not told), from several workers at once, with random
 * latency on every peer and a lagging byMeeting index (the attendee table's; the meeting table's byMeetingId index
 * is not lagged: the proxy keys the lag on the attendee table's key). Afterwards, the invariants:
 * - every attendee Chime holds has exactly one mapping, pointing at it; no mapping points at an attendee Chime does
 *   not hold (ended meetings included, once the service has learnt of the end as it does: a call answered NotFound);
 *   this for the meetings the churn made in the emulator and for every meeting the service made for a room;
 * - every 2xx join answer (by MeetingId, batch, or POST /join by name) carried an attendee that Chime created for
 *   that user in that meeting and that was live when the request started (not deleted by a DELETE that had already
 *   answered, not in a meeting already ended: Chime's MeetingEnded is the moment of the end, whatever ended it);
 *   a POST /join answer's Meeting is one the service made for that room name;
 * - for each room name, at most one live Chime meeting that the service made for it (the emulator's meetings whose
 *   ExternalMeetingId is that name and that have not ended), and the room's meeting record (a scan of the meeting
 *   table) is `live` with that MeetingId, or, when Chime has none, absent or not `live`;
 * - no answer is a 5xx, but one: POST /join's 503 ServiceUnavailable with Retry-After when the room's meeting ended
 *   under it three times in one request (lambda/join-meeting.ts: a retry meets a settled room). The churn's room
 *   ends make that possible when a join is slow (seen once in CI on a loaded machine, a join of 910 ms); it is an
 *   answer the client can act on, not a broken table, and the report counts it under joinByName;
 * - afterwards each room is still joinable: a POST /join per room answers 2xx with the room's one live meeting.
 *
 * The repair pass. The service learns that a meeting ended only from a call that meets Chime's NotFound (events are
 * not wired yet), so before the checks, at quiescence, it is told as that call would tell it: every ended meeting's
 * attendees are listed (GET /meetings/{MeetingId}/attendees answers 404 and removes its stale mappings, as before),
 * and every room meeting ended without notice is deleted (DELETE /meetings/{MeetingId} answers 404 and closes the
 * record if it still holds it). Meetings ended through DELETE /meetings are not repaired: the service was told, so
 * its record must already be right. The events issue (MeetingEnded closes the record and its mappings) will replace
 * this pass.
 *
 * The seed fixes the operations, their arguments and the latencies; the interleaving depends on the machine too, so
 * a failure is reproduced by the same seed with high, not certain, probability.
 */
import { scanTable } from '../../local/dynamodb';
import type { LocalJoinService } from '../../local/join-service';
import { call, type Reply } from '../faults/helpers';
import { checkMeetingConsistency, type ConsistencyReport } from '../faults/invariants';

export interface ChurnOptions {
  readonly seed: number;
  readonly operations: number;
  /** Requests in flight at once. @default 8 */
  readonly workers?: number;
  /** @default 6 */
  readonly users?: number;
  /** Meetings live at a time. @default 2 */
  readonly meetings?: number;
  /** Room names (ExternalMeetingId) joined through POST /join. @default 3 */
  readonly rooms?: number;
  /** Largest random latency per call, in ms. @default 15 */
  readonly maxLatencyMs?: number;
  /** Called every 1,000 operations. */
  readonly progress?: (done: number) => void;
}

export interface ChurnSummary {
  readonly seed: number;
  readonly operations: number;
  readonly byOperation: Record<string, number>;
  readonly byStatus: Record<string, number>;
  /** The answers of the operations on meetings by name (joinByName, deleteMeeting), by status. */
  readonly byNameStatus: Record<string, Record<string, number>>;
  readonly meetings: number;
  readonly meetingsEnded: number;
  /** Meetings the service made for the rooms, and how many of them ended (any cause). */
  readonly roomMeetings: number;
  readonly roomMeetingsEnded: number;
  readonly violations: string[];
  readonly seconds: number;
}

/** A small seeded PRNG (mulberry32): the same seed, the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface JoinAnswer {
  readonly meetingId: string;
  readonly user: string;
  readonly attendeeId: string;
  readonly started: number;
}

const CHIME_OPERATIONS = [
  'CreateAttendee',
  'BatchCreateAttendee',
  'GetAttendee',
  'DeleteAttendee',
  'GetMeeting',
  'CreateMeeting',
  'DeleteMeeting',
  'ListAttendees',
] as const;
const DYNAMODB_OPERATIONS = ['UpdateItem', 'GetItem', 'Query', 'BatchWriteItem'];

export async function runChurn(service: LocalJoinService, options: ChurnOptions): Promise<ChurnSummary> {
  const emulator = service.emulator;
  const proxy = service.dynamodbFaults;
  if (!emulator || !proxy) throw new Error('the churn needs the Chime emulator and the DynamoDB fault proxy');
  const started = Date.now();
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const users = Array.from({ length: options.users ?? 6 }, (_, i) => `churn-user-${i}`);
  const rooms = Array.from({ length: options.rooms ?? 3 }, (_, i) => `churn-room-${options.seed}-${i}`);
  const maxLatency = options.maxLatencyMs ?? 15;

  // What Chime did, as its events tell it (synchronously, before the answer of the call that caused them): when each
  // meeting started and ended and for which name, and which attendee it created in which meeting for whom.
  const roomOfMeeting = new Map<string, string>();
  const roomMeetings = new Map<string, string[]>(rooms.map((room) => [room, []]));
  const endedAt = new Map<string, number>();
  const createdAttendees = new Map<string, { meetingId: string; user: string }>();
  const unsubscribe = emulator.subscribe(({ detail }) => {
    if (detail.eventType === 'chime:MeetingStarted' && roomMeetings.has(detail.externalMeetingId ?? '')) {
      roomOfMeeting.set(detail.meetingId, detail.externalMeetingId!);
      roomMeetings.get(detail.externalMeetingId!)!.push(detail.meetingId);
    } else if (detail.eventType === 'chime:MeetingEnded') {
      endedAt.set(detail.meetingId, detail.timestamp);
    } else if (detail.eventType === 'chime:AttendeeAdded') {
      createdAttendees.set(detail.attendeeId!, { meetingId: detail.meetingId, user: detail.externalUserId! });
    }
  });
  /** The room's meetings Chime still holds (normally at most one). */
  const liveMeetingsOf = (room: string) => roomMeetings.get(room)!.filter((id) => !endedAt.has(id));
  /** The room's latest meeting, live or not. */
  const latestMeetingOf = (room: string) => roomMeetings.get(room)!.at(-1);

  try {
    // Random latency on every peer; the index misses writes younger than 50 ms.
    for (const operation of DYNAMODB_OPERATIONS) {
      proxy.setLatency(operation, () => random() * maxLatency, random() < 0.5 ? 'before' : 'after');
    }
    proxy.setIndexLag(50, ['ExternalUserId', 'MeetingId']);
    const shuffleChimeLatency = () => {
      for (const operation of CHIME_OPERATIONS) emulator.setLatency(operation, Math.floor(random() * maxLatency));
    };
    shuffleChimeLatency();

    const meetings: string[] = [];
    const allMeetings: string[] = [];
    const newMeeting = () => {
      const id = emulator.createMeeting({
        ExternalMeetingId: `churn-${allMeetings.length}`,
      }).MeetingId!;
      meetings.push(id);
      allMeetings.push(id);
    };
    for (let i = 0; i < (options.meetings ?? 2); i++) newMeeting();
    /** Meetings the attendee operations work on: the churn's own, and each room's latest (ended ones answer 404). */
    const attendeeMeetings = () => [
      ...meetings,
      ...rooms.map(latestMeetingOf).filter((id): id is string => id !== undefined),
    ];

    const byOperation: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    const byNameStatus: Record<string, Record<string, number>> = {};
    const joins: JoinAnswer[] = [];
    const deletedAt = new Map<string, number>();
    const endedWithoutNotice = new Set<string>();
    const violations: string[] = [];
    const count = (operation: string, reply: Reply) => {
      byOperation[operation] = (byOperation[operation] ?? 0) + 1;
      const key = `${reply.status}${reply.body?.Code ? ` ${reply.body.Code}` : ''}`;
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      if (operation === 'joinByName' || operation === 'deleteMeeting') {
        const statuses = (byNameStatus[operation] ??= {});
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
      if (reply.status >= 500 && !(operation === 'joinByName' && roomKeptEnding(reply)))
        violations.push(`${operation} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
    };
    const roomKeptEnding = (reply: Reply) =>
      reply.status === 503 &&
      reply.body?.Code === 'ServiceUnavailable' &&
      reply.body?.Message === 'The meeting ended while joining; retry shortly.' &&
      reply.headers.get('retry-after') === '1';
    const noteJoined = (meetingId: string, attendee: { ExternalUserId: string; AttendeeId: string }, t: number) =>
      joins.push({ meetingId, user: attendee.ExternalUserId, attendeeId: attendee.AttendeeId, started: t });

    /** POST /join of a room; a 2xx answer must carry a meeting the service made for that name. */
    const joinByName = async (room: string, user: string, operation = 'joinByName') => {
      const t = Date.now();
      const reply = await call(service, 'POST', '/join', { ExternalMeetingId: room, ExternalUserId: user });
      count(operation, reply);
      if (reply.status >= 300) return reply;
      const meetingId: string = reply.body.Meeting?.MeetingId;
      if (roomOfMeeting.get(meetingId) !== room || reply.body.Meeting.ExternalMeetingId !== room) {
        violations.push(`POST /join of ${room} answered meeting ${meetingId}, not one made for that name`);
      }
      if (reply.body.Attendee?.ExternalUserId !== user) {
        violations.push(
          `POST /join of ${room} for ${user} answered an attendee of ${reply.body.Attendee?.ExternalUserId}`,
        );
      }
      noteJoined(meetingId, reply.body.Attendee, t);
      return reply;
    };

    /** One random operation, its arguments drawn before any await (so the seed fixes them). */
    async function operation(): Promise<void> {
      const roll = random();
      const meetingId = pick(attendeeMeetings());
      const room = pick(rooms);
      const t = Date.now();
      if (roll < 0.33) {
        const user = pick(users);
        const reply = await call(service, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: user });
        count('join', reply);
        if (reply.status < 300) noteJoined(meetingId, reply.body.Attendee, t);
      } else if (roll < 0.45) {
        const chosen = users.filter(() => random() < 0.5);
        if (chosen.length === 0) chosen.push(pick(users));
        const reply = await call(service, 'POST', `/meetings/${meetingId}/attendees/batch`, {
          Attendees: chosen.map((ExternalUserId) => ({ ExternalUserId })),
        });
        count('batch', reply);
        if (reply.status === 200) for (const attendee of reply.body.Attendees) noteJoined(meetingId, attendee, t);
      } else if (roll < 0.67) {
        const candidates = emulator!.attendees(meetingId);
        const attendeeId = candidates.length > 0 && random() < 0.9 ? pick(candidates).AttendeeId! : pickStale();
        const reply = await call(service, 'DELETE', `/meetings/${meetingId}/attendees/${attendeeId}`);
        count('delete', reply);
        if (reply.status === 204) deletedAt.set(attendeeId, Date.now());
      } else if (roll < 0.72) {
        const reply = await call(service, 'GET', `/users/${pick(users)}/attendees`);
        count('lookup', reply);
      } else if (roll < 0.75) {
        // One of the churn's own meetings ends (as after DeleteMeeting or its maximum length); a new one takes its
        // place. Its end is Chime's MeetingEnded, as for every meeting.
        const ending = pick(meetings);
        byOperation.endMeeting = (byOperation.endMeeting ?? 0) + 1;
        meetings.splice(meetings.indexOf(ending), 1);
        newMeeting();
        emulator!.endMeeting(ending);
        shuffleChimeLatency();
      } else if (roll < 0.91) {
        await joinByName(room, pick(users));
      } else if (roll < 0.955) {
        // The room's live meeting, else its latest (ended: the service answers 404 and closes what it still holds).
        const target = liveMeetingsOf(room)[0] ?? latestMeetingOf(room);
        if (target === undefined) return void (await joinByName(room, pick(users)));
        const reply = await call(service, 'DELETE', `/meetings/${target}`);
        count('deleteMeeting', reply);
      } else {
        // The room's live meeting ends without the service being told (Chime's auto-end, a DeleteMeeting elsewhere).
        const target = liveMeetingsOf(room)[0];
        if (target === undefined) return void (await joinByName(room, pick(users)));
        byOperation.endRoom = (byOperation.endRoom ?? 0) + 1;
        endedWithoutNotice.add(target);
        emulator!.endMeeting(target);
        shuffleChimeLatency();
      }
    }
    const pickStale = () => (joins.length > 0 ? pick(joins).attendeeId : '00000000-0000-4000-8000-000000000000');

    let next = 0;
    const worker = async () => {
      while (next < options.operations) {
        next += 1;
        if (next % 1000 === 0) options.progress?.(next);
        await operation();
      }
    };
    await Promise.all(Array.from({ length: options.workers ?? 8 }, worker));

    // Quiescence: no latency, no lag.
    proxy.resetFaults();
    for (const operation of CHIME_OPERATIONS) emulator.setLatency(operation, 0);

    // The repair pass (see the header): the service learns of each end as it does, from a call answered NotFound.
    const roomMeetingIds = [...roomOfMeeting.keys()];
    for (const meetingId of [...allMeetings, ...roomMeetingIds].filter((id) => endedAt.has(id))) {
      const reply = await call(service, 'GET', `/meetings/${meetingId}/attendees`);
      if (reply.status !== 404) violations.push(`ended meeting ${meetingId} answered ${reply.status}, not 404`);
    }
    for (const meetingId of endedWithoutNotice) {
      const reply = await call(service, 'DELETE', `/meetings/${meetingId}`);
      if (reply.status !== 404) {
        violations.push(`DELETE of meeting ${meetingId}, ended without notice, answered ${reply.status}, not 404`);
      }
    }

    // Attendees and mappings, meeting by meeting.
    const reports: ConsistencyReport[] = [];
    for (const meetingId of [...allMeetings, ...roomMeetingIds]) {
      reports.push(await checkMeetingConsistency(service, meetingId));
    }
    for (const report of reports.filter((r) => !r.consistent)) {
      violations.push(
        `meeting ${report.meetingId}: ${report.attendeesWithoutMapping.length} attendees without mapping, ` +
          `${report.mappingsWithoutAttendee.length} mappings without attendee, ` +
          `${report.duplicateAttendees.length} users with two attendees, ${report.itemsWithJoinToken} items with a token`,
      );
    }
    // Every join answer, against what Chime did.
    for (const answer of joins) {
      const created = createdAttendees.get(answer.attendeeId);
      if (created?.meetingId !== answer.meetingId || created.user !== answer.user) {
        violations.push(
          `a join answered attendee ${answer.attendeeId} of meeting ${answer.meetingId} for ${answer.user}, ` +
            `which Chime did not create for that user there`,
        );
      }
      const deleted = deletedAt.get(answer.attendeeId);
      if (deleted !== undefined && deleted < answer.started) {
        violations.push(
          `a join answered attendee ${answer.attendeeId}, deleted by a DELETE answered before it started`,
        );
      }
      const ended = endedAt.get(answer.meetingId);
      if (ended !== undefined && ended < answer.started) {
        violations.push(
          `a join answered attendee ${answer.attendeeId} of meeting ${answer.meetingId}, ended before it started`,
        );
      }
    }
    // One live meeting per room at most, and the room's record agrees with Chime.
    violations.push(...(await checkRooms()));
    async function checkRooms(): Promise<string[]> {
      const found: string[] = [];
      const records = new Map(
        (await scanTable(service.dynamodbClient, service.meetingTableName)).map((item) => [
          item.ExternalMeetingId?.S,
          item,
        ]),
      );
      for (const room of rooms) {
        const live = liveMeetingsOf(room).filter((id) => emulator!.getMeeting(id) !== undefined);
        const record = records.get(room);
        const [state, recorded] = [record?.State?.S, record?.MeetingId?.S];
        if (live.length > 1) found.push(`room ${room}: ${live.length} live meetings in Chime (${live.join(', ')})`);
        if (live.length > 0 && (state !== 'live' || !live.includes(recorded ?? ''))) {
          found.push(`room ${room}: Chime holds meeting ${live.join(', ')}, the record is ${state} with ${recorded}`);
        }
        if (live.length === 0 && state === 'live') {
          found.push(`room ${room}: Chime holds no meeting, the record is live with ${recorded}`);
        }
      }
      return found;
    }
    // Each room is still joinable, and then holds exactly the one meeting the join answered.
    for (const room of rooms) {
      const reply = await joinByName(room, 'churn-final', 'finalJoinByName');
      if (reply.status >= 300) {
        violations.push(`the final POST /join of ${room} answered ${reply.status} ${reply.text.slice(0, 200)}`);
      } else if (liveMeetingsOf(room).join() !== reply.body.Meeting.MeetingId) {
        violations.push(`after the final POST /join, ${room} has live meetings [${liveMeetingsOf(room).join(', ')}]`);
      }
    }
    violations.push(...(await checkRooms()));

    return {
      seed: options.seed,
      operations: options.operations,
      byOperation,
      byStatus,
      byNameStatus,
      meetings: allMeetings.length,
      meetingsEnded: allMeetings.filter((id) => endedAt.has(id)).length,
      roomMeetings: roomMeetingIds.length,
      roomMeetingsEnded: roomMeetingIds.filter((id) => endedAt.has(id)).length,
      violations,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    unsubscribe();
  }
}

/** The summary as a few lines, for the test's failure message and the script's output. */
export function formatChurn(summary: ChurnSummary): string {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, n]) => `${key}=${n}`)
      .join(', ');
  return [
    `churn: seed ${summary.seed}, ${summary.operations} operations in ${summary.seconds.toFixed(1)} s`,
    `  operations: ${counts(summary.byOperation)}`,
    `  answers: ${counts(summary.byStatus)}`,
    ...Object.entries(summary.byNameStatus)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([operation, statuses]) => `    ${operation}: ${counts(statuses)}`),
    `  meetings: ${summary.meetings} (${summary.meetingsEnded} ended); made for rooms: ${summary.roomMeetings} (${summary.roomMeetingsEnded} ended)`,
    `  invariant violations: ${summary.violations.length}`,
    ...summary.violations.slice(0, 20).map((v) => `    - ${v}`),
  ].join('\n');
}
