/**
 * A randomized churn over HTTP against the local service (real SDK clients, the Chime emulator, dynalite behind the
 * fault proxy): joins, re-joins, batches, deletes and meeting ends of a few users and meetings, from several
 * workers at once, with random latency on every peer and a lagging byMeeting index. Afterwards, the invariants:
 * - every attendee Chime holds has exactly one mapping, pointing at it; no mapping points at an attendee Chime does
 *   not hold (ended meetings included, once the service has learnt of the end as it does: a call answered NotFound);
 * - every 2xx join answer carried an attendee that was live when the request started (not deleted by a DELETE that
 *   had already answered, not in a meeting already ended) and that Chime created for that user.
 *
 * The seed fixes the operations, their arguments and the latencies; the interleaving depends on the machine too, so
 * a failure is reproduced by the same seed with high, not certain, probability.
 */
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
  readonly meetings: number;
  readonly meetingsEnded: number;
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
  const maxLatency = options.maxLatencyMs ?? 15;

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
  const endedAt = new Map<string, number>();
  const newMeeting = () => {
    const id = emulator.createMeeting({ ExternalMeetingId: `churn-${allMeetings.length}` }).MeetingId!;
    meetings.push(id);
    allMeetings.push(id);
  };
  for (let i = 0; i < (options.meetings ?? 2); i++) newMeeting();

  const byOperation: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const joins: JoinAnswer[] = [];
  const deletedAt = new Map<string, number>();
  const violations: string[] = [];
  const count = (operation: string, reply: Reply) => {
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    const key = `${reply.status}${reply.body?.Code ? ` ${reply.body.Code}` : ''}`;
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (reply.status >= 500) violations.push(`${operation} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
  };
  const noteJoined = (meetingId: string, attendee: { ExternalUserId: string; AttendeeId: string }, t: number) =>
    joins.push({ meetingId, user: attendee.ExternalUserId, attendeeId: attendee.AttendeeId, started: t });

  /** One random operation, its arguments drawn before any await (so the seed fixes them). */
  async function operation(): Promise<void> {
    const roll = random();
    const meetingId = pick(meetings);
    const t = Date.now();
    if (roll < 0.45) {
      const user = pick(users);
      const reply = await call(service, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: user });
      count('join', reply);
      if (reply.status < 300) noteJoined(meetingId, reply.body.Attendee, t);
    } else if (roll < 0.6) {
      const chosen = users.filter(() => random() < 0.5);
      if (chosen.length === 0) chosen.push(pick(users));
      const reply = await call(service, 'POST', `/meetings/${meetingId}/attendees/batch`, {
        Attendees: chosen.map((ExternalUserId) => ({ ExternalUserId })),
      });
      count('batch', reply);
      if (reply.status === 200) for (const attendee of reply.body.Attendees) noteJoined(meetingId, attendee, t);
    } else if (roll < 0.9) {
      const candidates = emulator!.attendees(meetingId);
      const attendeeId = candidates.length > 0 && random() < 0.9 ? pick(candidates).AttendeeId! : pickStale();
      const reply = await call(service, 'DELETE', `/meetings/${meetingId}/attendees/${attendeeId}`);
      count('delete', reply);
      if (reply.status === 204) deletedAt.set(attendeeId, Date.now());
    } else if (roll < 0.96) {
      const reply = await call(service, 'GET', `/users/${pick(users)}/attendees`);
      count('lookup', reply);
    } else {
      // The meeting ends (as after DeleteMeeting or its maximum length); a new one takes its place.
      byOperation.endMeeting = (byOperation.endMeeting ?? 0) + 1;
      meetings.splice(meetings.indexOf(meetingId), 1);
      newMeeting();
      emulator!.endMeeting(meetingId);
      endedAt.set(meetingId, Date.now());
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

  // Quiescence: no latency, no lag; the service learns of each ended meeting as it does (a call answered NotFound).
  proxy.resetFaults();
  for (const operation of CHIME_OPERATIONS) emulator.setLatency(operation, 0);
  for (const meetingId of endedAt.keys()) {
    const reply = await call(service, 'GET', `/meetings/${meetingId}/attendees`);
    if (reply.status !== 404) violations.push(`ended meeting ${meetingId} answered ${reply.status}, not 404`);
  }

  const reports: ConsistencyReport[] = [];
  for (const meetingId of allMeetings) reports.push(await checkMeetingConsistency(service, meetingId));
  for (const report of reports.filter((r) => !r.consistent)) {
    violations.push(
      `meeting ${report.meetingId}: ${report.attendeesWithoutMapping.length} attendees without mapping, ` +
        `${report.mappingsWithoutAttendee.length} mappings without attendee, ` +
        `${report.duplicateAttendees.length} users with two attendees, ${report.itemsWithJoinToken} items with a token`,
    );
  }
  for (const answer of joins) {
    const deleted = deletedAt.get(answer.attendeeId);
    if (deleted !== undefined && deleted < answer.started) {
      violations.push(`a join answered attendee ${answer.attendeeId}, deleted by a DELETE answered before it started`);
    }
    const ended = endedAt.get(answer.meetingId);
    if (ended !== undefined && ended < answer.started) {
      violations.push(
        `a join answered attendee ${answer.attendeeId} of meeting ${answer.meetingId}, ended before it started`,
      );
    }
  }

  return {
    seed: options.seed,
    operations: options.operations,
    byOperation,
    byStatus,
    meetings: allMeetings.length,
    meetingsEnded: endedAt.size,
    violations,
    seconds: (Date.now() - started) / 1000,
  };
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
    `  meetings: ${summary.meetings} (${summary.meetingsEnded} ended)`,
    `  invariant violations: ${summary.violations.length}`,
    ...summary.violations.slice(0, 20).map((v) => `    - ${v}`),
  ].join('\n');
}
