// One live meeting per name, as a unit (mocked DynamoDB and Chime, a clock the test moves): who claims, who waits
// and for how long, who takes a stale claim over, what a failed or lost creation leaves, the default media region,
// and how a MeetingId is traced back to its record when the index lags. test/e2e/meetings.test.ts drives the same
// module end to end; the races (a claim lost, a record of another generation) are staged here.
import {
  ChimeSDKMeetingsClient,
  CreateMeetingCommand,
  GetMeetingCommand,
  type Meeting,
  NotFoundException,
  ServiceFailureException,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/contract';
import type { HandlerConfig } from '../../lambda/shared/config';
import { JoinServiceError } from '../../lambda/shared/errors';
import { clientRequestToken, type MeetingRecord } from '../../lambda/shared/meeting-store';
import { findOrCreateMeeting, meetingRecordOf, noLiveMeeting } from '../../lambda/shared/meetings';
import { MEETING, MEETING_ID, NOW, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
const ROOM = 'standup';
const START = NOW.getTime();
const conditionFailed = () =>
  new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });
const meetingOf = (meetingId = MEETING_ID): Meeting => ({ ...MEETING, MeetingId: meetingId, ExternalMeetingId: ROOM });

// The conditional writes, told apart by their conditions (meeting-store.ts).
const CLAIM = { ConditionExpression: 'attribute_not_exists(#state) OR #state = :ended' };
const TAKEOVER = { ConditionExpression: '#state = :creating AND #gen = :gen AND #since < :stale' };
const RECORD_LIVE = {
  ConditionExpression: '#gen = :gen AND (#state = :creating OR (#state = :live AND #meetingId = :meetingId))',
};
const ABANDON = { ConditionExpression: '#gen = :gen AND #state = :creating' };
const writes = (kind: { ConditionExpression: string }) =>
  dynamodb
    .commandCalls(UpdateItemCommand)
    .filter((call) => call.args[0].input.ConditionExpression === kind.ConditionExpression);

/** A meeting record as the table holds it. */
const item = (fields: Record<string, unknown>) =>
  marshall({ ExternalMeetingId: ROOM, Generation: 1, ...fields }, { removeUndefinedValues: true });
const liveItem = (meetingId = MEETING_ID, generation = 1) =>
  item({ Generation: generation, State: 'live', MeetingId: meetingId, Meeting: meetingOf(meetingId) });
const creatingItem = (since: number, generation = 1) =>
  item({ Generation: generation, State: 'creating', CreatingSince: since, Request: { MediaRegion: 'us-east-1' } });
/** The claim DynamoDB answers (ALL_NEW): generation 1 with the request the claim wrote. */
const claimed = (input: UpdateItemCommandInput, generation = 1) => ({
  Attributes: item({
    Generation: generation,
    State: 'creating',
    CreatingSince: START,
    Request: unmarshall(input.ExpressionAttributeValues!)[':request'],
  }),
});

let clock: number;
let pauses: number[];
const deps = (config: Partial<HandlerConfig> = {}) => ({ ...testDeps(config), now: () => new Date(clock) });
const reader = { mayCreate: false };
const creator = { mayCreate: true };

async function refusal(promise: Promise<unknown>): Promise<[number, string, string, unknown]> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof JoinServiceError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return [err.statusCode, err.code, err.message, err.headers];
}

beforeEach(() => {
  chime.reset();
  dynamodb.reset();
  clock = START;
  pauses = [];
  delete process.env[ENV.chimeRegion];
  // The waits between reads: recorded, and the clock moved by them, without waiting.
  const realSetTimeout = global.setTimeout;
  jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
    pauses.push(ms);
    clock += ms;
    return realSetTimeout(fn, 0);
  }) as typeof setTimeout);
  chime
    .on(CreateMeetingCommand)
    .callsFake((input) => ({ Meeting: { ...meetingOf(), MediaRegion: input.MediaRegion } }));
  dynamodb.on(UpdateItemCommand, CLAIM).callsFake((input) => claimed(input));
  dynamodb.on(UpdateItemCommand, RECORD_LIVE).resolves({});
});
afterEach(() => jest.restoreAllMocks());

describe('findOrCreateMeeting', () => {
  it("creates the room's meeting when its claim wins: CreateMeeting with the generation's token, recorded live", async () => {
    const live = await findOrCreateMeeting(deps(), ROOM, {}, creator);

    expect(chime.commandCalls(CreateMeetingCommand).map((call) => call.args[0].input)).toEqual([
      { ClientRequestToken: clientRequestToken(ROOM, 1), ExternalMeetingId: ROOM, MediaRegion: 'us-east-1' },
    ]);
    expect(writes(RECORD_LIVE)).toHaveLength(1);
    expect(live).toEqual({
      record: expect.objectContaining({ state: 'live', generation: 1, meetingId: MEETING_ID, meeting: meetingOf() }),
      meeting: meetingOf(),
      created: true,
    });
    expect(dynamodb.commandCalls(GetItemCommand)).toEqual([]);
  });

  it.each([
    ['the first allowed media region', { mediaRegions: ['eu-west-2', 'eu-west-1'] }, 'eu-central-1', 'eu-west-2'],
    ['the Chime control region (it hosts media)', {}, 'eu-central-1', 'eu-central-1'],
    ['us-east-1 (the control region hosts no media)', {}, 'me-central-1', 'us-east-1'],
    ['us-east-1 (no control region set)', {}, undefined, 'us-east-1'],
  ] as [string, Partial<HandlerConfig>, string | undefined, string][])(
    'asks for %s when the request names no MediaRegion',
    async (_, config, controlRegion, expected) => {
      if (controlRegion) process.env[ENV.chimeRegion] = controlRegion;
      await findOrCreateMeeting(deps(config), ROOM, {}, creator);
      expect(chime.commandCalls(CreateMeetingCommand)[0].args[0].input.MediaRegion).toBe(expected);
    },
  );

  it("keeps the request's own MediaRegion", async () => {
    await findOrCreateMeeting(deps({ mediaRegions: ['eu-west-2'] }), ROOM, { MediaRegion: 'ap-south-1' }, creator);
    expect(chime.commandCalls(CreateMeetingCommand)[0].args[0].input.MediaRegion).toBe('ap-south-1');
  });

  it('answers the live meeting of a room another request holds, without creating one', async () => {
    dynamodb.on(UpdateItemCommand, CLAIM).rejects(conditionFailed());
    dynamodb.on(GetItemCommand).resolves({ Item: liveItem() });

    const live = await findOrCreateMeeting(deps(), ROOM, {}, creator);

    expect(live).toEqual({ record: expect.objectContaining({ state: 'live' }), meeting: meetingOf(), created: false });
    expect(chime.commandCalls(CreateMeetingCommand)).toEqual([]);
  });

  it.each([
    ['has no record', {}],
    ['holds an ended meeting', { Item: item({ State: 'ended', MeetingId: MEETING_ID }) }],
  ])('refuses a caller who may not create (404) when the room %s, at once and writing nothing', async (_, answer) => {
    dynamodb.on(GetItemCommand).resolves(answer);

    expect(await refusal(findOrCreateMeeting(deps(), ROOM, {}, reader))).toEqual([
      404,
      'NotFound',
      'No meeting named "standup" is live.',
      undefined,
    ]);
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
    expect(pauses).toEqual([]);
  });

  it('claims again, at once, when the meeting that held the room ended meanwhile', async () => {
    dynamodb
      .on(UpdateItemCommand, CLAIM)
      .rejectsOnce(conditionFailed())
      .callsFake((input) => claimed(input, 2));
    dynamodb.on(GetItemCommand).resolves({ Item: item({ State: 'ended', MeetingId: MEETING_ID }) });

    const live = await findOrCreateMeeting(deps(), ROOM, {}, creator);

    expect(live.created).toBe(true);
    expect(writes(CLAIM)).toHaveLength(2);
    expect(chime.commandCalls(CreateMeetingCommand)[0].args[0].input.ClientRequestToken).toBe(
      clientRequestToken(ROOM, 2),
    );
    expect(pauses).toEqual([]);
  });

  it("waits for another request's claim with pauses doubling from 25 ms to at most 400 ms, then answers its meeting", async () => {
    dynamodb.on(UpdateItemCommand, CLAIM).rejects(conditionFailed());
    const getItem = dynamodb.on(GetItemCommand);
    for (let i = 0; i < 6; i++) getItem.resolvesOnce({ Item: creatingItem(START) });
    getItem.resolves({ Item: liveItem() });

    const live = await findOrCreateMeeting(deps(), ROOM, {}, creator);

    expect(pauses).toEqual([25, 50, 100, 200, 400, 400]);
    expect(live).toEqual({ record: expect.objectContaining({ state: 'live' }), meeting: meetingOf(), created: false });
    // A fresh claim is never taken over: only the caller's own claims were written.
    expect(writes(TAKEOVER)).toEqual([]);
    expect(writes(CLAIM)).toHaveLength(7);
    expect(chime.commandCalls(CreateMeetingCommand)).toEqual([]);
  });

  it('lets a caller who may not create wait for a stale claim, never take it over', async () => {
    dynamodb
      .on(GetItemCommand)
      .resolvesOnce({ Item: creatingItem(START - 60_000) })
      .resolves({ Item: liveItem() });

    const live = await findOrCreateMeeting(deps(), ROOM, {}, reader);

    expect(live.created).toBe(false);
    expect(pauses).toEqual([25]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
    expect(chime.commandCalls(CreateMeetingCommand)).toEqual([]);
  });

  it("takes a stale claim over and creates its meeting with the claim's generation and token", async () => {
    dynamodb.on(UpdateItemCommand, CLAIM).rejects(conditionFailed());
    dynamodb.on(GetItemCommand).resolves({ Item: creatingItem(START - 20_001, 3) });
    dynamodb.on(UpdateItemCommand, TAKEOVER).resolves({ Attributes: creatingItem(START, 3) });

    const live = await findOrCreateMeeting(deps(), ROOM, {}, creator);

    expect(writes(TAKEOVER).map((call) => unmarshall(call.args[0].input.ExpressionAttributeValues!))).toEqual([
      { ':creating': 'creating', ':now': START, ':gen': 3, ':stale': START - 20_000 },
    ]);
    expect(chime.commandCalls(CreateMeetingCommand).map((call) => call.args[0].input)).toEqual([
      { ClientRequestToken: clientRequestToken(ROOM, 3), ExternalMeetingId: ROOM, MediaRegion: 'us-east-1' },
    ]);
    expect(live).toMatchObject({ created: true, record: { generation: 3, state: 'live' } });
    expect(pauses).toEqual([]);
  });

  it("waits for the winner's meeting when another request took the stale claim over first", async () => {
    dynamodb.on(UpdateItemCommand, CLAIM).rejects(conditionFailed());
    dynamodb
      .on(GetItemCommand)
      .resolvesOnce({ Item: creatingItem(START - 60_000) })
      .resolves({ Item: liveItem() });
    dynamodb.on(UpdateItemCommand, TAKEOVER).rejects(conditionFailed());

    const live = await findOrCreateMeeting(deps(), ROOM, {}, creator);

    expect(live.created).toBe(false);
    expect(writes(TAKEOVER)).toHaveLength(1);
    expect(pauses).toEqual([25]);
    expect(chime.commandCalls(CreateMeetingCommand)).toEqual([]);
  });

  it('answers 503 with Retry-After 1 once the next pause would end past the 8 s deadline, not before', async () => {
    // The first read comes 7,975 ms after the request started: a 25 ms pause ends exactly at the deadline (waited),
    // a 50 ms one after it (503). A third read would find the meeting live.
    dynamodb
      .on(GetItemCommand)
      .callsFakeOnce(() => {
        clock = START + 7_975;
        return { Item: creatingItem(START) };
      })
      .resolvesOnce({ Item: creatingItem(START) })
      .resolves({ Item: liveItem() });

    expect(await refusal(findOrCreateMeeting(deps(), ROOM, {}, reader))).toEqual([
      503,
      'ServiceUnavailable',
      'The meeting is being created; retry shortly.',
      { 'Retry-After': '1' },
    ]);
    expect(pauses).toEqual([25]);
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(2);
  });

  it('gives the claim up for an immediate takeover when CreateMeeting fails, and rethrows its error', async () => {
    const failure = new ServiceFailureException({ $metadata: {}, message: 'Chime failed' });
    chime.on(CreateMeetingCommand).rejects(failure);
    dynamodb.on(UpdateItemCommand, ABANDON).resolves({});

    await expect(findOrCreateMeeting(deps(), ROOM, {}, creator)).rejects.toBe(failure);

    expect(writes(ABANDON).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'meetings',
        Key: { ExternalMeetingId: { S: ROOM } },
        UpdateExpression: 'SET #since = :zero',
        ConditionExpression: '#gen = :gen AND #state = :creating',
        ExpressionAttributeNames: { '#since': 'CreatingSince', '#gen': 'Generation', '#state': 'State' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':gen': { N: '1' }, ':creating': { S: 'creating' } },
      },
    ]);
    expect(writes(RECORD_LIVE)).toEqual([]);
  });

  it.each([
    ['a meeting without MeetingId', { Meeting: { MediaRegion: 'us-east-1' } }],
    ['no meeting', {}],
  ])('fails (500) when Chime answers CreateMeeting with %s, recording nothing', async (_, answer) => {
    chime.on(CreateMeetingCommand).resolves(answer);

    await expect(findOrCreateMeeting(deps(), ROOM, {}, creator)).rejects.toThrow(
      new Error('Chime returned a meeting without MeetingId'),
    );
    expect(writes(RECORD_LIVE)).toEqual([]);
  });

  it('answers the meeting a takeover recorded meanwhile when recording it live loses the race', async () => {
    dynamodb.on(UpdateItemCommand, RECORD_LIVE).rejects(conditionFailed());
    dynamodb.on(GetItemCommand).resolves({ Item: liveItem() });

    const live = await findOrCreateMeeting(deps(), ROOM, {}, creator);

    expect(live).toEqual({
      record: expect.objectContaining({ state: 'live', meetingId: MEETING_ID }),
      meeting: meetingOf(),
      created: false,
    });
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it.each([
    ['ended', { Item: item({ State: 'ended', MeetingId: MEETING_ID }) }],
    ['claimed for its next generation', { Item: creatingItem(START, 2) }],
    ['gone', {}],
  ])('answers 409 Conflict when the room moved on (%s) while its meeting was being created', async (_, answer) => {
    dynamodb.on(UpdateItemCommand, RECORD_LIVE).rejects(conditionFailed());
    dynamodb.on(GetItemCommand).resolves(answer);

    expect(await refusal(findOrCreateMeeting(deps(), ROOM, {}, creator))).toEqual([
      409,
      'Conflict',
      'The meeting changed while it was being created; retry.',
      undefined,
    ]);
  });
});

describe('meetingRecordOf', () => {
  const OTHER_MEETING_ID = '3c8d6f3b-9b58-4d56-8b6d-1e4d3a1c2b22';
  const indexAnswers = (...items: ReturnType<typeof item>[]) => dynamodb.on(QueryCommand).resolves({ Items: items });

  it('answers the record the byMeetingId index finds, asking Chime nothing', async () => {
    indexAnswers(liveItem());

    expect(await meetingRecordOf(deps(), MEETING_ID)).toMatchObject({ externalMeetingId: ROOM, meetingId: MEETING_ID });
    expect(chime.commandCalls(GetMeetingCommand)).toEqual([]);
    expect(dynamodb.commandCalls(GetItemCommand)).toEqual([]);
  });

  it("finds a meeting the index does not hold yet through Chime's ExternalMeetingId and the record by name", async () => {
    indexAnswers();
    chime.on(GetMeetingCommand).resolves({ Meeting: meetingOf() });
    dynamodb.on(GetItemCommand).resolves({ Item: liveItem() });

    expect(await meetingRecordOf(deps(), MEETING_ID)).toMatchObject({ externalMeetingId: ROOM, meetingId: MEETING_ID });
    expect(chime.commandCalls(GetMeetingCommand)[0].args[0].input).toEqual({ MeetingId: MEETING_ID });
    expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({
      Key: { ExternalMeetingId: { S: ROOM } },
      ConsistentRead: true,
    });
  });

  it("answers nothing when the room's record holds another generation's meeting", async () => {
    indexAnswers();
    chime.on(GetMeetingCommand).resolves({ Meeting: meetingOf() });
    dynamodb.on(GetItemCommand).resolves({ Item: liveItem(OTHER_MEETING_ID, 2) });

    expect(await meetingRecordOf(deps(), MEETING_ID)).toBeUndefined();
  });

  it.each([
    ['a meeting without ExternalMeetingId (made elsewhere)', { Meeting: { ...MEETING } }],
    ['no meeting', {}],
  ])('answers nothing, reading no record, when Chime answers %s', async (_, answer) => {
    indexAnswers();
    chime.on(GetMeetingCommand).resolves(answer);

    expect(await meetingRecordOf(deps(), MEETING_ID)).toBeUndefined();
    expect(dynamodb.commandCalls(GetItemCommand)).toEqual([]);
  });

  it('answers nothing for a meeting Chime does not know (NotFound), and rethrows any other Chime failure', async () => {
    indexAnswers();
    chime.on(GetMeetingCommand).rejectsOnce(new NotFoundException({ $metadata: {}, message: 'no such meeting' }));
    expect(await meetingRecordOf(deps(), MEETING_ID)).toBeUndefined();

    const failure = new ServiceFailureException({ $metadata: {}, message: 'Chime failed' });
    chime.on(GetMeetingCommand).rejects(failure);
    await expect(meetingRecordOf(deps(), MEETING_ID)).rejects.toBe(failure);
    expect(dynamodb.commandCalls(GetItemCommand)).toEqual([]);
  });
});

it('names the room in the 404, cut to 64 characters with an ellipsis', () => {
  const long = 'r'.repeat(64);
  expect(noLiveMeeting(long).message).toBe(`No meeting named "${long}" is live.`);
  expect(noLiveMeeting(`${long}-and-more`).message).toBe(`No meeting named "${long}…" is live.`);
});

it("answers the live record with the claim's host and request, and Chime's meeting", async () => {
  dynamodb.on(UpdateItemCommand, CLAIM).callsFake((input) => ({
    Attributes: item({
      State: 'creating',
      CreatingSince: START,
      HostExternalUserId: 'hana',
      Request: unmarshall(input.ExpressionAttributeValues!)[':request'],
    }),
  }));
  const { record } = await findOrCreateMeeting(deps(), ROOM, {}, { mayCreate: true, host: 'hana' });
  expect(record).toEqual<MeetingRecord>({
    externalMeetingId: ROOM,
    generation: 1,
    state: 'live',
    creatingSince: START,
    request: { MediaRegion: 'us-east-1' },
    host: 'hana',
    meeting: meetingOf(),
    meetingId: MEETING_ID,
    createdAt: undefined,
    endedAt: undefined,
  });
});
