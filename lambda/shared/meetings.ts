/**
 * One live meeting per ExternalMeetingId, whatever the concurrency (README, "Meetings"). A request that may create
 * first tries to claim the room's next generation (one conditional write: it succeeds only when the room has no
 * meeting or its meeting ended); the one that wins calls CreateMeeting with the generation's ClientRequestToken and
 * records the meeting as live; the others read the record and wait for it to be live. A claim whose request died
 * goes stale and is taken over with the same token, so Chime answers the meeting it may already have made.
 */
import { CreateMeetingCommand, GetMeetingCommand, type Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import { MEDIA_REGIONS } from '../../lib/contract';
import type { Deps } from './clients';
import { chimeRegion } from './config';
import { isChimeNotFound, JoinServiceError } from './errors';
import type { MeetingCreateFields } from './meeting-validation';
import {
  abandonClaim,
  claimNextMeeting,
  clientRequestToken,
  findMeetingRecord,
  isStaleClaim,
  type MeetingRecord,
  type MeetingRequest,
  readMeeting,
  recordLive,
  takeOverClaim,
} from './meeting-store';
import type { CallerIdentity } from './types';

export interface LiveMeeting {
  readonly record: MeetingRecord;
  readonly meeting: Meeting;
  /** Whether this request created it. */
  readonly created: boolean;
}

export interface FindOrCreateOptions {
  /** Whether the caller may create the meeting when none is live (else 404). */
  readonly mayCreate: boolean;
  /** The creator's ExternalUserId (the host), when a user creates it. */
  readonly host?: string;
}

/** How long a request waits for another's claim to become a live meeting before it answers 503 (retry). */
const WAIT_FOR_CLAIM_MS = 8_000;

export async function findOrCreateMeeting(
  deps: Deps,
  externalMeetingId: string,
  fields: MeetingCreateFields,
  options: FindOrCreateOptions,
): Promise<LiveMeeting> {
  const deadline = deps.now().getTime() + WAIT_FOR_CLAIM_MS;
  const request: MeetingRequest = { ...fields, MediaRegion: fields.MediaRegion ?? defaultMediaRegion(deps) };
  for (let wait = 25; ; wait = Math.min(wait * 2, 400)) {
    if (options.mayCreate) {
      const claim = await claimNextMeeting(deps, externalMeetingId, request, options.host);
      if (claim) return createClaimed(deps, claim);
    }
    const current = await readMeeting(deps, externalMeetingId);
    if (current?.state === 'live' && current.meeting)
      return { record: current, meeting: current.meeting, created: false };
    if (!current || current.state === 'ended') {
      // Ended meanwhile: claim the next generation, if this caller may.
      if (!options.mayCreate) throw noLiveMeeting(externalMeetingId);
      continue;
    }
    if (options.mayCreate && isStaleClaim(current, deps.now())) {
      const takeover = await takeOverClaim(deps, current);
      if (takeover) return createClaimed(deps, takeover);
    }
    if (deps.now().getTime() + wait > deadline) {
      throw new JoinServiceError(503, 'ServiceUnavailable', 'The meeting is being created; retry shortly.', {
        'Retry-After': '1',
      });
    }
    await sleep(wait);
  }
}

/** The meeting of a MeetingId and its record, if the service made it (the index first, then Chime and the record). */
export async function meetingRecordOf(deps: Deps, meetingId: string): Promise<MeetingRecord | undefined> {
  const indexed = await findMeetingRecord(deps, meetingId);
  if (indexed?.meetingId === meetingId) return indexed;
  // The index may lag a fresh meeting: Chime names its room, and the record by name is read consistently.
  let meeting: Meeting | undefined;
  try {
    meeting = (await deps.chime.send(new GetMeetingCommand({ MeetingId: meetingId }))).Meeting;
  } catch (err) {
    if (isChimeNotFound(err)) return undefined;
    throw err;
  }
  if (!meeting?.ExternalMeetingId) return undefined;
  const record = await readMeeting(deps, meeting.ExternalMeetingId);
  return record?.meetingId === meetingId ? record : undefined;
}

/**
 * Refuses (403) a caller who is neither an administrator nor the meeting's host (the user who created it). For an
 * administrator nothing is read; for a user, the meeting's record, which is answered.
 */
export async function requireHost(
  deps: Deps,
  identity: CallerIdentity,
  meetingId: string,
  action: string,
): Promise<MeetingRecord | undefined> {
  if (identity.isAdmin) return undefined;
  const record = await meetingRecordOf(deps, meetingId);
  assertHost(identity, record, action);
  return record;
}

/** The host check on a record already read. */
export function assertHost(identity: CallerIdentity, record: MeetingRecord | undefined, action: string): void {
  if (identity.isAdmin) return;
  if (record?.host === undefined || record.host !== identity.externalUserId) {
    throw new JoinServiceError(403, 'Forbidden', `Only administrators and the meeting host may ${action}`);
  }
}

export const noLiveMeeting = (externalMeetingId: string) =>
  new JoinServiceError(404, 'NotFound', `No meeting named "${truncate(externalMeetingId)}" is live.`);

async function createClaimed(deps: Deps, claim: MeetingRecord): Promise<LiveMeeting> {
  const request = claim.request!;
  let meeting: Meeting | undefined;
  try {
    ({ Meeting: meeting } = await deps.chime.send(
      new CreateMeetingCommand({
        ClientRequestToken: clientRequestToken(claim.externalMeetingId, claim.generation),
        ExternalMeetingId: claim.externalMeetingId,
        ...request,
      }),
    ));
  } catch (err) {
    // Another request may take the generation over at once, with the same token.
    await abandonClaim(deps, claim);
    throw err;
  }
  if (!meeting?.MeetingId) throw new Error('Chime returned a meeting without MeetingId');
  if (!(await recordLive(deps, claim, meeting))) {
    // A takeover recorded the same meeting (same token), or the room moved on: answer what the record holds.
    const current = await readMeeting(deps, claim.externalMeetingId);
    if (current?.state === 'live' && current.meeting)
      return { record: current, meeting: current.meeting, created: false };
    throw new JoinServiceError(409, 'Conflict', 'The meeting changed while it was being created; retry.');
  }
  const record: MeetingRecord = { ...claim, state: 'live', meeting, meetingId: meeting.MeetingId };
  return { record, meeting, created: true };
}

/** The first allowed media region, else the Chime control region when it hosts media, else us-east-1. */
function defaultMediaRegion(deps: Deps): string {
  if (deps.config.mediaRegions.length > 0) return deps.config.mediaRegions[0];
  const region = chimeRegion();
  return region && (MEDIA_REGIONS as readonly string[]).includes(region) ? region : 'us-east-1';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const truncate = (name: string) => (name.length > 64 ? `${name.slice(0, 64)}…` : name);
