// Chime's EventBridge meeting events: which ones the service follows and what it reads from them
// (lambda/shared/meeting-events.ts), what each writes and what it republishes on the service's own bus, and when
// (lambda/meeting-events.ts applyMeetingEvent), and the Lambda entry's EMF record and error log line.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/contract';
import { applyMeetingEvent, type EventDeps, handler } from '../../lambda/meeting-events';
import type { ServiceEvent } from '../../lambda/shared/event-bus';
import { readMeetingEvent } from '../../lambda/shared/meeting-events';
import { ATTENDEE_ID, captureLogs, MEETING_ID, NOW, requestRecord, TABLE, testDeps } from './fixtures';

process.env[ENV.tableName] = TABLE;
process.env[ENV.meetingTableName] = 'meetings';

const ROOM = 'standup';
/** When Chime says the event happened: not the handler's clock (NOW), so the two cannot be confused. */
const TIMESTAMP = Date.parse('2030-01-02T03:00:00.123Z');
const TIME = new Date(TIMESTAMP).toISOString();

/** One of Chime's meeting events, as a rule on `source: aws.chime` receives it (shared/reference). */
function chimeEvent(eventType: string, detail: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '6f1e0c2a-0000-4000-8000-000000000000',
    source: 'aws.chime',
    account: '111122223333',
    region: 'us-east-1',
    'detail-type': 'Chime Meeting State Change',
    time: '2030-01-02T03:00:00Z',
    resources: [],
    detail: {
      version: '0',
      eventType: `chime:${eventType}`,
      timestamp: TIMESTAMP,
      meetingId: MEETING_ID,
      mediaRegion: 'us-east-1',
      ...detail,
    },
  };
}
/** An attendee event: Chime names the attendee and its user, not the meeting's room. */
const attendeeEvent = (eventType: string, detail: Record<string, unknown> = {}) =>
  chimeEvent(eventType, { attendeeId: ATTENDEE_ID, externalUserId: 'alice', networkType: 'Voip', ...detail });
const meetingEnded = (detail: Record<string, unknown> = {}) =>
  chimeEvent('MeetingEnded', { externalMeetingId: ROOM, ...detail });

describe('readMeetingEvent', () => {
  const attendeeDetail = (eventType: string) => ({
    eventType: `chime:${eventType}`,
    timestamp: TIMESTAMP,
    meetingId: MEETING_ID,
    attendeeId: ATTENDEE_ID,
    externalUserId: 'alice',
  });

  it.each([
    ['AttendeeJoined', 'Joined'],
    ['AttendeeLeft', 'Left'],
    ['AttendeeDropped', 'Dropped'],
  ])('reads chime:%s as the presence %s, keeping only the fields the service uses', (type, state) => {
    expect(readMeetingEvent(attendeeEvent(type))).toStrictEqual({
      kind: 'presence',
      state,
      detail: attendeeDetail(type),
    });
  });

  it('reads chime:AttendeeDeleted as the attendee’s removal', () => {
    expect(readMeetingEvent(attendeeEvent('AttendeeDeleted'))).toStrictEqual({
      kind: 'attendee-deleted',
      detail: attendeeDetail('AttendeeDeleted'),
    });
  });

  it('keeps an externalMeetingId on an attendee event, should Chime send one', () => {
    expect(readMeetingEvent(attendeeEvent('AttendeeLeft', { externalMeetingId: ROOM }))).toStrictEqual({
      kind: 'presence',
      state: 'Left',
      detail: { ...attendeeDetail('AttendeeLeft'), externalMeetingId: ROOM },
    });
  });

  it('reads chime:MeetingEnded with its room, and needs no attendee', () => {
    const detail = { eventType: 'chime:MeetingEnded', timestamp: TIMESTAMP, meetingId: MEETING_ID };
    expect(readMeetingEvent(meetingEnded())).toStrictEqual({
      kind: 'meeting-ended',
      detail: { ...detail, externalMeetingId: ROOM },
    });
    // A room that is not a string is left out, not passed on.
    for (const externalMeetingId of [undefined, null, 42, { S: ROOM }]) {
      expect(readMeetingEvent(meetingEnded({ externalMeetingId }))).toStrictEqual({ kind: 'meeting-ended', detail });
    }
  });

  const joined = attendeeEvent('AttendeeJoined');
  const ignored: [string, unknown, string][] = [
    ['no event', null, 'unknown'],
    ['an undefined event', undefined, 'unknown'],
    ['another source', { ...joined, source: 'aws.events' }, 'chime:AttendeeJoined'],
    ['another detail-type', { ...joined, 'detail-type': 'Chime Transcription State Change' }, 'chime:AttendeeJoined'],
    ['no detail', { ...joined, detail: undefined }, 'unknown'],
    ['an eventType that is not a string', attendeeEvent('AttendeeJoined', { eventType: 42 }), 'unknown'],
    ['no meetingId', attendeeEvent('AttendeeJoined', { meetingId: undefined }), 'chime:AttendeeJoined'],
    [
      'a meetingId that is not a GUID',
      attendeeEvent('AttendeeJoined', { meetingId: 'standup' }),
      'chime:AttendeeJoined',
    ],
    [
      'a meetingId that only stringifies to a GUID',
      attendeeEvent('AttendeeJoined', { meetingId: [MEETING_ID] }),
      'chime:AttendeeJoined',
    ],
    ['no timestamp', attendeeEvent('AttendeeJoined', { timestamp: undefined }), 'chime:AttendeeJoined'],
    [
      'a timestamp that is a string',
      attendeeEvent('AttendeeJoined', { timestamp: String(TIMESTAMP) }),
      'chime:AttendeeJoined',
    ],
    ['a timestamp that is NaN', attendeeEvent('AttendeeJoined', { timestamp: Number.NaN }), 'chime:AttendeeJoined'],
    ['an infinite timestamp', attendeeEvent('AttendeeJoined', { timestamp: Infinity }), 'chime:AttendeeJoined'],
    [
      'an attendee event without attendeeId',
      attendeeEvent('AttendeeJoined', { attendeeId: undefined }),
      'chime:AttendeeJoined',
    ],
    [
      'an attendeeId that is not a GUID',
      attendeeEvent('AttendeeLeft', { attendeeId: 'alice-1' }),
      'chime:AttendeeLeft',
    ],
    [
      'an attendeeId that only stringifies to a GUID',
      attendeeEvent('AttendeeDropped', { attendeeId: [ATTENDEE_ID] }),
      'chime:AttendeeDropped',
    ],
    [
      'an attendee event without externalUserId',
      attendeeEvent('AttendeeDeleted', { externalUserId: undefined }),
      'chime:AttendeeDeleted',
    ],
    ['an empty externalUserId', attendeeEvent('AttendeeJoined', { externalUserId: '' }), 'chime:AttendeeJoined'],
    [
      'an externalUserId that is not a string',
      attendeeEvent('AttendeeJoined', { externalUserId: 42 }),
      'chime:AttendeeJoined',
    ],
    ['chime:AttendeeAdded (the join already wrote the mapping)', attendeeEvent('AttendeeAdded'), 'chime:AttendeeAdded'],
    ['chime:AttendeeVideoStarted', attendeeEvent('AttendeeVideoStarted'), 'chime:AttendeeVideoStarted'],
    ['chime:MeetingStarted', chimeEvent('MeetingStarted', { externalMeetingId: ROOM }), 'chime:MeetingStarted'],
  ];
  it.each(ignored)('ignores %s, naming its eventType', (_, event, eventType) => {
    expect(readMeetingEvent(event)).toStrictEqual({ kind: 'ignored', eventType });
  });
});

describe('applyMeetingEvent', () => {
  const dynamodb = mockClient(DynamoDBClient);
  let published: ServiceEvent[][];
  /** The deps of a construct with an event bus, or (`withBus` false) without one. */
  const deps = (withBus = true): EventDeps => ({
    ...testDeps(withBus ? { eventBusName: 'service-events' } : {}),
    bus: { publish: async (events) => void published.push([...events]) },
  });
  const roomRecord = marshall({ ExternalMeetingId: ROOM, Generation: 1, State: 'live', MeetingId: MEETING_ID });
  const meetingTableQueries = () =>
    dynamodb.commandCalls(QueryCommand).filter((call) => call.args[0].input.TableName === 'meetings');

  beforeEach(() => {
    published = [];
    dynamodb.reset();
    // The attendee's mapping is there (the join wrote it): the update answers its old attributes.
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { AttendeeId: { S: ATTENDEE_ID } } });
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    dynamodb.on(QueryCommand, { TableName: 'meetings' }).resolves({ Items: [roomRecord] });
  });

  it.each([
    ['AttendeeJoined', 'Joined', 'Attendee Joined'],
    ['AttendeeLeft', 'Left', 'Attendee Left'],
    ['AttendeeDropped', 'Dropped', 'Attendee Dropped'],
  ] as const)(
    'writes chime:%s as the presence %s and republishes it as “%s”, with the room the meeting record names',
    async (type, state, serviceType) => {
      expect(await applyMeetingEvent(attendeeEvent(type), deps())).toBe('applied');

      const [write] = dynamodb.commandCalls(UpdateItemCommand);
      expect(write.args[0].input).toMatchObject({
        TableName: TABLE,
        Key: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
        ExpressionAttributeValues: {
          ':a': { S: ATTENDEE_ID },
          ':state': { S: state },
          ':ts': { N: String(TIMESTAMP) },
        },
      });
      // Chime's attendee events do not name the room: it is looked up by the meeting.
      expect(meetingTableQueries()).toHaveLength(1);
      expect(meetingTableQueries()[0].args[0].input.ExpressionAttributeValues).toEqual({ ':m': { S: MEETING_ID } });
      expect(published).toStrictEqual([
        [
          {
            type: serviceType,
            MeetingId: MEETING_ID,
            ExternalMeetingId: ROOM,
            AttendeeId: ATTENDEE_ID,
            ExternalUserId: 'alice',
            Time: TIME,
          },
        ],
      ]);
    },
  );

  it('republishes an attendee event of a meeting the service has no record of without an ExternalMeetingId', async () => {
    dynamodb.on(QueryCommand, { TableName: 'meetings' }).resolves({ Items: [] });
    expect(await applyMeetingEvent(attendeeEvent('AttendeeJoined'), deps())).toBe('applied');
    expect(published).toStrictEqual([
      [
        {
          type: 'Attendee Joined',
          MeetingId: MEETING_ID,
          AttendeeId: ATTENDEE_ID,
          ExternalUserId: 'alice',
          Time: TIME,
        },
      ],
    ]);
  });

  it('republishes with the room the event names, without looking the record up', async () => {
    expect(await applyMeetingEvent(attendeeEvent('AttendeeLeft', { externalMeetingId: 'retro' }), deps())).toBe(
      'applied',
    );
    expect(meetingTableQueries()).toHaveLength(0);
    expect(published).toStrictEqual([
      [
        {
          type: 'Attendee Left',
          MeetingId: MEETING_ID,
          ExternalMeetingId: 'retro',
          AttendeeId: ATTENDEE_ID,
          ExternalUserId: 'alice',
          Time: TIME,
        },
      ],
    ]);
  });

  it('removes the mapping on chime:AttendeeDeleted and republishes it as “Attendee Removed”', async () => {
    expect(await applyMeetingEvent(attendeeEvent('AttendeeDeleted'), deps())).toBe('applied');
    const [removal] = dynamodb.commandCalls(UpdateItemCommand);
    expect(removal.args[0].input).toMatchObject({
      TableName: TABLE,
      Key: { ExternalUserId: { S: 'alice' }, MeetingId: { S: MEETING_ID } },
      ConditionExpression: '#a = :a',
      ExpressionAttributeValues: { ':ids': { SS: [ATTENDEE_ID] }, ':a': { S: ATTENDEE_ID } },
    });
    expect(published).toStrictEqual([
      [
        {
          type: 'Attendee Removed',
          MeetingId: MEETING_ID,
          ExternalMeetingId: ROOM,
          AttendeeId: ATTENDEE_ID,
          ExternalUserId: 'alice',
          Time: TIME,
        },
      ],
    ]);
  });

  it('closes the room’s record at the time Chime gives on chime:MeetingEnded and republishes “Meeting Ended”', async () => {
    expect(await applyMeetingEvent(meetingEnded(), deps())).toBe('applied');

    const writes = dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    // The record, closed at the event's time (not the handler's clock), on condition it still holds this meeting.
    expect(writes).toContainEqual(
      expect.objectContaining({
        TableName: 'meetings',
        Key: { ExternalMeetingId: { S: ROOM } },
        ConditionExpression: '#meetingId = :meetingId AND #state = :live',
        ExpressionAttributeValues: expect.objectContaining({
          ':now': { S: TIME },
          ':meetingId': { S: MEETING_ID },
        }),
      }),
    );
    // The meeting's end marker in the attendee table, at the same time.
    expect(writes).toContainEqual(
      expect.objectContaining({
        TableName: TABLE,
        Key: { ExternalUserId: { S: 'aws:meeting-ended' }, MeetingId: { S: MEETING_ID } },
        ExpressionAttributeValues: expect.objectContaining({ ':ended': { S: TIME } }),
      }),
    );
    expect(NOW.toISOString()).not.toBe(TIME);
    // The event names its room: no look-up.
    expect(meetingTableQueries()).toHaveLength(0);
    expect(published).toStrictEqual([
      [{ type: 'Meeting Ended', MeetingId: MEETING_ID, ExternalMeetingId: ROOM, Time: TIME }],
    ]);
  });

  /** The item as the table holds it after a presence of alice's attendee at `since`. */
  const presence = (state: string, since: number) =>
    marshall({
      ExternalUserId: 'alice',
      MeetingId: MEETING_ID,
      AttendeeId: ATTENDEE_ID,
      PresenceAttendeeId: ATTENDEE_ID,
      PresenceState: state,
      PresenceSince: since,
    });
  const refused = () =>
    dynamodb
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' }));

  it('republishes nothing for a stale event (the table holds a newer presence)', async () => {
    refused();
    dynamodb.on(GetItemCommand).resolves({ Item: presence('Joined', TIMESTAMP + 1000) });
    expect(await applyMeetingEvent(attendeeEvent('AttendeeLeft'), deps())).toBe('stale');
    expect(published).toEqual([]);
  });

  it('republishes an event the table already holds: a retry after the first attempt wrote it but failed to publish', async () => {
    refused();
    dynamodb.on(GetItemCommand).resolves({ Item: presence('Left', TIMESTAMP) });
    expect(await applyMeetingEvent(attendeeEvent('AttendeeLeft'), deps())).toBe('applied');
    expect(published).toStrictEqual([
      [
        {
          type: 'Attendee Left',
          MeetingId: MEETING_ID,
          ExternalMeetingId: ROOM,
          AttendeeId: ATTENDEE_ID,
          ExternalUserId: 'alice',
          Time: TIME,
        },
      ],
    ]);
  });

  it('republishes nothing when the construct has no event bus', async () => {
    expect(await applyMeetingEvent(attendeeEvent('AttendeeJoined'), deps(false))).toBe('applied');
    expect(await applyMeetingEvent(meetingEnded(), deps(false))).toBe('applied');
    expect(dynamodb.commandCalls(UpdateItemCommand).length).toBeGreaterThan(0);
    expect(published).toEqual([]);
  });

  it('writes and republishes nothing for an event the service does not follow', async () => {
    expect(await applyMeetingEvent(attendeeEvent('AttendeeAdded'), deps())).toBe('ignored');
    expect(dynamodb.calls()).toHaveLength(0);
    expect(published).toEqual([]);
  });

  describe('the Lambda entry', () => {
    let logs: string[];
    beforeEach(() => {
      logs = captureLogs();
    });
    afterEach(() => jest.restoreAllMocks());
    const records = () => logs.filter((line) => line.startsWith('{"_aws"')).map(requestRecord);

    it('writes one EMF record per event: its outcome and Chime’s eventType', async () => {
      await expect(handler(attendeeEvent('AttendeeJoined'))).resolves.toBeUndefined();
      await handler(attendeeEvent('AttendeeVideoStarted'));
      expect(records()).toEqual([
        { Service: 'local', EventsApplied: 1, eventType: 'chime:AttendeeJoined', outcome: 'applied' },
        { Service: 'local', EventsIgnored: 1, eventType: 'chime:AttendeeVideoStarted', outcome: 'ignored' },
      ]);
    });

    it('names the eventType of an event without one "unknown"', async () => {
      await handler(null);
      await handler({ source: 'aws.chime' });
      expect(records()).toEqual([
        { Service: 'local', EventsIgnored: 1, eventType: 'unknown', outcome: 'ignored' },
        { Service: 'local', EventsIgnored: 1, eventType: 'unknown', outcome: 'ignored' },
      ]);
    });

    it('on a failure: an EventsFailed record, one error line with the cause (message cut to 300 characters), and the error rethrown for Lambda to retry', async () => {
      const failure = Object.assign(new Error(`${'x'.repeat(300)}TAIL`), { name: 'InternalServerError' });
      dynamodb.on(UpdateItemCommand).rejects(failure);
      await expect(handler(attendeeEvent('AttendeeDropped'))).rejects.toBe(failure);
      expect(records()).toEqual([
        { Service: 'local', EventsFailed: 1, eventType: 'chime:AttendeeDropped', outcome: 'failed' },
      ]);
      const errors = logs.filter((line) => !line.startsWith('{"_aws"')).map((line) => JSON.parse(line));
      expect(errors).toStrictEqual([
        {
          operation: 'meeting-events',
          eventType: 'chime:AttendeeDropped',
          cause: { name: 'InternalServerError', message: 'x'.repeat(300) },
        },
      ]);
    });

    it('logs a thrown value that is not an Error as its string', async () => {
      dynamodb.on(UpdateItemCommand).callsFake(() => Promise.reject('socket hang up'));
      await expect(handler(attendeeEvent('AttendeeJoined'))).rejects.toBe('socket hang up');
      const errors = logs.filter((line) => !line.startsWith('{"_aws"')).map((line) => JSON.parse(line));
      expect(errors).toStrictEqual([
        { operation: 'meeting-events', eventType: 'chime:AttendeeJoined', cause: 'socket hang up' },
      ]);
    });
  });
});
