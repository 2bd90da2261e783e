// The sweep's gauges, end to end: after closing the meetings that ended without an event, a run counts the live
// meetings and the attendees connected to them (presence Joined, of the attendee each mapping holds), and writes both
// as one EMF record (`LiveMeetings`, `AttendeesConnected`) that the dashboard draws.
import { ChimeSDKMeetingsClient, DeleteAttendeeCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { scanTable } from '../../local/dynamodb';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { handler } from '../../lambda/meeting-sweep';
import { sweepRecord } from '../../lambda/shared/metrics';
import { call } from '../faults/helpers';

let service: LocalJoinService;
beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  service = await startLocalJoinService({ port: 0 });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
});

const emulator = () => service.emulator!;
const join = async (room: string, user: string) => {
  const reply = await call(service, 'POST', '/join', { ExternalMeetingId: room, ExternalUserId: user });
  expect(reply.status).toBe(201);
  return { meetingId: reply.body.Meeting.MeetingId as string, attendeeId: reply.body.Attendee.AttendeeId as string };
};

/** Runs the Lambda entry and returns what it wrote on stdout: its EMF record. */
async function runSweep(): Promise<Record<string, any>> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await handler();
  } finally {
    write.mockRestore();
  }
  const records = lines.filter((line) => line.startsWith('{"_aws"'));
  expect(records).toHaveLength(1);
  return JSON.parse(records[0]);
}

it('counts the live meetings and the attendees connected to them, after closing the meetings that ended', async () => {
  // Whatever other rooms local mode holds (its demo room): nobody is connected there.
  const a = await join('gauges-a', 'alice');
  const b = await join('gauges-a', 'bob');
  const carol = await join('gauges-b', 'carol');
  const dave = await join('gauges-c', 'dave');
  const erin = await join('gauges-d', 'erin');
  emulator().connect(a.meetingId, a.attendeeId, 'joined');
  emulator().connect(b.meetingId, b.attendeeId, 'joined');
  emulator().connect(b.meetingId, b.attendeeId, 'dropped'); // connected, then dropped: not connected now
  emulator().connect(carol.meetingId, carol.attendeeId, 'joined'); // connected
  emulator().connect(erin.meetingId, erin.attendeeId, 'joined');
  await service.eventsDelivered();
  // gauges-c ends without an event reaching the service: the sweep closes it, so it is not counted as live.
  service.setEventDelivery(false);
  emulator().endMeeting(dave.meetingId);
  service.setEventDelivery(true);
  // erin's attendee is deleted in Chime: her mapping goes, so her last presence (Joined) no longer counts.
  const client = new ChimeSDKMeetingsClient(emulator().clientConfig());
  await client.send(new DeleteAttendeeCommand({ MeetingId: erin.meetingId, AttendeeId: erin.attendeeId }));
  client.destroy();
  await service.eventsDelivered();

  const record = await runSweep();
  const live = (await scanTable(service.dynamodbClient, service.meetingTableName)).filter(
    (item) => item.State?.S === 'live',
  );
  expect(live.map((item) => item.ExternalMeetingId?.S)).toEqual(
    expect.arrayContaining(['gauges-a', 'gauges-b', 'gauges-d']),
  );
  expect(live.map((item) => item.ExternalMeetingId?.S)).not.toContain('gauges-c');
  expect(record).toMatchObject({
    LiveMeetings: live.length,
    AttendeesConnected: 2, // alice and carol
    operation: 'meeting-sweep',
    closed: 1,
  });
  expect(record._aws.CloudWatchMetrics).toEqual([
    {
      Namespace: 'ChimeJoinService',
      Dimensions: [['Service']],
      Metrics: [
        { Name: 'LiveMeetings', Unit: 'Count' },
        { Name: 'AttendeesConnected', Unit: 'Count' },
      ],
    },
  ]);
  expect(typeof record.Service).toBe('string');
});

it('writes the gauges of a run as the EMF record the dashboard reads', () => {
  const record = sweepRecord({ live: 7, connected: 12, checked: 7, closed: 2 }, 'meeting-sweep', 'App/Join', 1000);
  expect(record).toEqual({
    _aws: {
      Timestamp: 1000,
      CloudWatchMetrics: [
        {
          Namespace: 'ChimeJoinService',
          Dimensions: [['Service']],
          Metrics: [
            { Name: 'LiveMeetings', Unit: 'Count' },
            { Name: 'AttendeesConnected', Unit: 'Count' },
          ],
        },
      ],
    },
    Service: 'App/Join',
    LiveMeetings: 5, // the meetings it closed are no longer live
    AttendeesConnected: 12,
    operation: 'meeting-sweep',
    live: 7,
    connected: 12,
    checked: 7,
    closed: 2,
  });
});
