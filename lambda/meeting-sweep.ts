/**
 * The scheduled sweep: Chime delivers its events best effort, so a meeting may end without a MeetingEnded. Each run
 * checks the live meeting records least recently checked first, at most SWEEP_MAX_CHECKS GetMeeting calls, and closes
 * the ones Chime no longer knows (record and mappings), as the event would have.
 */
import { GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { JoinServiceOperation } from '../lib/operations';
import { awsDeps, type Deps } from './shared/clients';
import { isChimeNotFound } from './shared/errors';
import { liveMeetings, markChecked } from './shared/meeting-store';
import { closeMeeting } from './shared/meeting-lifecycle';

export interface SweepResult {
  readonly live: number;
  readonly checked: number;
  readonly closed: number;
}

export async function sweepMeetings(deps: Deps): Promise<SweepResult> {
  const records = await liveMeetings(deps);
  const due = records.slice(0, deps.config.sweepMaxChecks);
  let closed = 0;
  for (const record of due) {
    try {
      await deps.chime.send(new GetMeetingCommand({ MeetingId: record.meetingId }));
      await markChecked(deps, record);
    } catch (err) {
      if (!isChimeNotFound(err)) throw err;
      await closeMeeting(deps, record.meetingId!, record.externalMeetingId);
      closed += 1;
    }
  }
  return { live: records.length, checked: due.length, closed };
}

export const handler = async (): Promise<SweepResult> => {
  const result = await sweepMeetings(awsDeps);
  process.stdout.write(`${JSON.stringify({ operation: JoinServiceOperation.MEETING_SWEEP, ...result })}\n`);
  return result;
};
