/**
 * The scheduled sweep: Chime delivers its events best effort, so a meeting may end without a MeetingEnded. Each run
 * checks the live meeting records least recently checked first, at most SWEEP_MAX_CHECKS GetMeeting calls, and closes
 * the ones Chime no longer knows (record and mappings), as the event would have. Then it counts the attendees connected
 * to the meetings still live (one Query per meeting), and writes both gauges as one EMF record.
 */
import { GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { countConnected } from './shared/attendee-store';
import { awsDeps, type Deps } from './shared/clients';
import { isChimeNotFound } from './shared/errors';
import { liveMeetings, markChecked } from './shared/meeting-store';
import { closeMeeting } from './shared/meeting-lifecycle';
import { emitSweepRecord, type SweepGauges } from './shared/metrics';

/** `live`: live records found (those closed included); `connected`: attendees connected to the ones left live. */
export type SweepResult = SweepGauges;

/** Meetings whose connected attendees are counted at once. */
const COUNT_CONCURRENCY = 8;

export async function sweepMeetings(deps: Deps): Promise<SweepResult> {
  const records = await liveMeetings(deps);
  const due = records.slice(0, deps.config.sweepMaxChecks);
  const closedIds = new Set<string>();
  for (const record of due) {
    try {
      await deps.chime.send(new GetMeetingCommand({ MeetingId: record.meetingId }));
      await markChecked(deps, record);
    } catch (err) {
      if (!isChimeNotFound(err)) throw err;
      await closeMeeting(deps, record.meetingId!, record.externalMeetingId);
      closedIds.add(record.meetingId!);
    }
  }
  const stillLive = records.filter((record) => !closedIds.has(record.meetingId!));
  let connected = 0;
  let next = 0;
  const worker = async () => {
    while (next < stillLive.length) {
      const count = await countConnected(deps, stillLive[next++].meetingId!);
      connected += count; // after the await: `connected += await …` would read `connected` before it
    }
  };
  await Promise.all(Array.from({ length: Math.min(COUNT_CONCURRENCY, stillLive.length) }, worker));
  return { live: records.length, connected, checked: due.length, closed: closedIds.size };
}

export const handler = async (): Promise<SweepResult> => {
  const result = await sweepMeetings(awsDeps);
  emitSweepRecord(result, JoinServiceOperation.MEETING_SWEEP);
  return result;
};
