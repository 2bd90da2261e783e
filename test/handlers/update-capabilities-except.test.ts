// PUT /meetings/{MeetingId}/attendees/capabilities as a unit (mocked Chime and DynamoDB): the host's change to every
// attendee but the excluded ones is bounded by the meeting's features from its record before Chime is asked.
// test/e2e/moderation.test.ts drives the route end to end.
import {
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  ChimeSDKMeetingsClient,
} from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { JoinServiceError } from '../../lambda/shared/errors';
import { updateCapabilitiesExcept } from '../../lambda/update-capabilities-except';
import { ATTENDEE_ID, MEETING, MEETING_ID, OTHER_ATTENDEE_ID, request, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
const muted = { Audio: 'Receive', Video: 'SendReceive', Content: 'None' };
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
const updateAllBut = (capabilities: object, excluded = [ATTENDEE_ID, OTHER_ATTENDEE_ID]) =>
  updateCapabilitiesExcept(
    request({
      body: JSON.stringify({
        Capabilities: capabilities,
        ExcludedAttendeeIds: excluded.map((AttendeeId) => ({ AttendeeId })),
      }),
      identity: hana,
    }),
    testDeps(),
  );

beforeEach(() => {
  chime.reset();
  dynamodb.reset();
  chime.on(BatchUpdateAttendeeCapabilitiesExceptCommand).resolves({});
  dynamodb.on(QueryCommand).resolves({ Items: [hostedRecord({ ...MEETING, ExternalMeetingId: 'standup' })] });
});

it("lets the host set every attendee's capabilities but the excluded ones': one Chime call, 204", async () => {
  expect(await updateAllBut(muted)).toEqual({ statusCode: 204 });
  expect(chime.commandCalls(BatchUpdateAttendeeCapabilitiesExceptCommand).map((call) => call.args[0].input)).toEqual([
    {
      MeetingId: MEETING_ID,
      Capabilities: muted,
      ExcludedAttendeeIds: [{ AttendeeId: ATTENDEE_ID }, { AttendeeId: OTHER_ATTENDEE_ID }],
    },
  ]);
});

it("refuses (400) capabilities above the meeting's features, naming the field, before Chime is asked", async () => {
  dynamodb
    .on(QueryCommand)
    .resolves({ Items: [hostedRecord({ ...MEETING, MeetingFeatures: { Content: { MaxResolution: 'None' } } })] });

  const err = await updateAllBut({ ...muted, Content: 'Receive' }).catch((e: unknown) => e);

  expect(err).toBeInstanceOf(JoinServiceError);
  expect(err).toMatchObject({
    statusCode: 400,
    code: 'BadRequest',
    message: "Capabilities.Content must be None: the meeting's Content MaxResolution is None",
  });
  expect(chime.commandCalls(BatchUpdateAttendeeCapabilitiesExceptCommand)).toEqual([]);
});

it('leaves the capabilities unbounded when the host’s record keeps no Meeting document', async () => {
  dynamodb.on(QueryCommand).resolves({ Items: [hostedRecord()] });
  expect(await updateAllBut(muted)).toEqual({ statusCode: 204 });
  expect(chime.commandCalls(BatchUpdateAttendeeCapabilitiesExceptCommand)).toHaveLength(1);
});
