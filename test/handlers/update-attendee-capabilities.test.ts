// PUT /meetings/{MeetingId}/attendees/{AttendeeId}/capabilities as a unit (mocked Chime and DynamoDB): the host's
// change is bounded by the meeting's features from its record before Chime is asked, the answer carries no JoinToken.
// test/e2e/moderation.test.ts drives the route end to end.
import { ChimeSDKMeetingsClient, UpdateAttendeeCapabilitiesCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { JoinServiceError } from '../../lambda/shared/errors';
import { updateAttendeeCapabilities } from '../../lambda/update-attendee-capabilities';
import { ATTENDEE_ID, chimeAttendee, MEETING, MEETING_ID, request, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
const muted = { Audio: 'Receive', Video: 'SendReceive', Content: 'None' } as const;
const bob = { ...chimeAttendee('bob'), AttendeeId: ATTENDEE_ID, Capabilities: muted };
const hana = { externalUserId: 'hana', isAdmin: false };
/** The host's meeting record, as the byMeetingId index answers it. */
const hostedRecord = (meeting?: object) =>
  marshall(
    {
      ExternalMeetingId: 'standup',
      Generation: 1,
      State: 'live',
      MeetingId: MEETING_ID,
      HostExternalUserId: 'hana',
      Meeting: meeting,
    },
    { removeUndefinedValues: true },
  );
const update = (capabilities: object, identity: object = hana) =>
  updateAttendeeCapabilities(
    request({
      pathParameters: { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID },
      body: JSON.stringify({ Capabilities: capabilities }),
      identity: identity as never,
    }),
    testDeps(),
  );

beforeEach(() => {
  chime.reset();
  dynamodb.reset();
  chime.on(UpdateAttendeeCapabilitiesCommand).resolves({ Attendee: bob });
  dynamodb.on(QueryCommand).resolves({ Items: [hostedRecord({ ...MEETING, ExternalMeetingId: 'standup' })] });
});

it("lets the host set an attendee's capabilities: Chime is asked, 200 with the attendee without its JoinToken", async () => {
  expect(await update(muted)).toEqual({
    statusCode: 200,
    body: { Attendee: { ExternalUserId: 'bob', AttendeeId: ATTENDEE_ID, Capabilities: muted } },
  });
  expect(chime.commandCalls(UpdateAttendeeCapabilitiesCommand).map((call) => call.args[0].input)).toEqual([
    { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID, Capabilities: muted },
  ]);
});

it("refuses (400) capabilities above the meeting's features, naming the field, before Chime is asked", async () => {
  dynamodb
    .on(QueryCommand)
    .resolves({ Items: [hostedRecord({ ...MEETING, MeetingFeatures: { Video: { MaxResolution: 'None' } } })] });

  const err = await update(muted).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(JoinServiceError);
  expect(err).toMatchObject({
    statusCode: 400,
    code: 'BadRequest',
    message: "Capabilities.Video must be None: the meeting's Video MaxResolution is None",
  });
  expect(chime.commandCalls(UpdateAttendeeCapabilitiesCommand)).toEqual([]);
});

it('leaves the capabilities unbounded when the host’s record keeps no Meeting document', async () => {
  dynamodb.on(QueryCommand).resolves({ Items: [hostedRecord()] });
  expect((await update(muted)).statusCode).toBe(200);
  expect(chime.commandCalls(UpdateAttendeeCapabilitiesCommand)).toHaveLength(1);
});

it('lets an administrator set capabilities without reading the meeting record', async () => {
  expect((await update(muted, { isAdmin: true })).statusCode).toBe(200);
  expect(dynamodb.commandCalls(QueryCommand)).toEqual([]);
});

it('fails (500) when Chime answers without the attendee', async () => {
  chime.on(UpdateAttendeeCapabilitiesCommand).resolves({});
  await expect(update(muted)).rejects.toThrow(new Error('Chime returned no attendee'));
});
