// The scheduled sweep on mocked clients: which live records it checks (at most SWEEP_MAX_CHECKS, least recently
// checked first), what it does with each answer of GetMeeting (stamp the record, close the meeting, or fail the run),
// and how it counts connected attendees (only of the meetings still live, at most 8 counts at once).
import {
  ChimeSDKMeetingsClient,
  GetMeetingCommand,
  NotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient, QueryCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { sweepMeetings } from '../../lambda/meeting-sweep';
import { MEETING, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
const meta = { $metadata: {} };
const record = (name: string, checkedAt: number) =>
  marshall({ ExternalMeetingId: name, Generation: 1, State: 'live', MeetingId: `id-${name}`, CheckedAt: checkedAt });
/** Connected attendees by MeetingId, as the byMeeting index counts them. */
let connected: Record<string, number>;

beforeEach(() => {
  chime.reset();
  dynamodb.reset();
  connected = {};
  chime.on(GetMeetingCommand).resolves({ Meeting: MEETING });
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(QueryCommand).callsFake(async (input) => {
    const meetingId = input.ExpressionAttributeValues[':m'].S;
    return input.Select === 'COUNT' ? { Count: connected[meetingId] ?? 0 } : { Items: [] };
  });
});

const checkedIds = () => chime.commandCalls(GetMeetingCommand).map((c) => c.args[0].input.MeetingId);
const countedIds = () =>
  dynamodb
    .commandCalls(QueryCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.Select === 'COUNT')
    .map((input) => input.ExpressionAttributeValues![':m'].S);
/** The records a write of the sweep touched, by what it wrote. */
const meetingWrites = () =>
  dynamodb
    .commandCalls(UpdateItemCommand)
    .map((c) => c.args[0].input)
    .filter((input) => input.TableName === 'meetings')
    .map((input) => `${input.UpdateExpression!.split(' ')[1]} ${input.Key!.ExternalMeetingId.S}`);

it('checks the SWEEP_MAX_CHECKS least recently checked, closes the ones Chime no longer knows, counts the rest', async () => {
  dynamodb.on(ScanCommand).resolves({ Items: [record('a', 30), record('b', 10), record('c', 20)] });
  chime.on(GetMeetingCommand, { MeetingId: 'id-c' }).rejects(new NotFoundException({ ...meta, message: 'gone' }));
  connected = { 'id-a': 4, 'id-b': 3, 'id-c': 100 };

  const result = await sweepMeetings(testDeps({ sweepMaxChecks: 2 }));

  expect(checkedIds()).toEqual(['id-b', 'id-c']);
  // b is stamped as checked, c's record closed; a waits for the next run.
  expect(meetingWrites()).toEqual(['#checked b', '#state c']);
  // c's attendees are not counted: it is no longer live.
  expect(countedIds().sort()).toEqual(['id-a', 'id-b']);
  expect(result).toEqual({ live: 3, connected: 7, checked: 2, closed: 1 });
});

it('fails the run on a Chime failure other than NotFound, closing nothing', async () => {
  dynamodb.on(ScanCommand).resolves({ Items: [record('a', 1), record('b', 2)] });
  chime.on(GetMeetingCommand).rejects(new ThrottlingException({ ...meta, message: 'Rate exceeded' }));
  await expect(sweepMeetings(testDeps())).rejects.toThrow('Rate exceeded');
  expect(checkedIds()).toEqual(['id-a']);
  expect(meetingWrites()).toEqual([]);
});

it('counts the connected attendees of at most 8 meetings at once, every live meeting once', async () => {
  const names = Array.from({ length: 10 }, (_, i) => `m${i}`);
  dynamodb.on(ScanCommand).resolves({ Items: names.map((name, i) => record(name, i)) });
  let inFlight = 0;
  let most = 0;
  dynamodb.on(QueryCommand).callsFake(async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    return { Count: 1 };
  });
  const result = await sweepMeetings(testDeps({ sweepMaxChecks: 0 }));
  expect(most).toBe(8);
  expect(countedIds().sort()).toEqual(names.map((name) => `id-${name}`));
  expect(result).toEqual({ live: 10, connected: 10, checked: 0, closed: 0 });
});

it('counts nothing when no meeting is live', async () => {
  dynamodb.on(ScanCommand).resolves({ Items: [] });
  await expect(sweepMeetings(testDeps())).resolves.toEqual({ live: 0, connected: 0, checked: 0, closed: 0 });
  expect(chime.calls()).toHaveLength(0);
});
