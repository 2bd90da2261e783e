// Listing a meeting's attendees: paging passes through, and no JoinToken ever leaves in the answer.
import { ChimeSDKMeetingsClient, ListAttendeesCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { listAttendees } from '../../lambda/list-attendees';
import { chimeAttendee, MEETING_ID, request, testDeps } from './fixtures';

const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => {
  chime.reset();
  dynamodb.reset();
});

it('answers the attendees without any JoinToken and passes paging through both ways', async () => {
  const attendees = [chimeAttendee('ann', 1), chimeAttendee('bob', 2)];
  chime.on(ListAttendeesCommand).resolves({ Attendees: attendees, NextToken: 'page-2' });

  const response = await listAttendees(
    request({ queryStringParameters: { 'max-results': '2', 'next-token': 'page-1' } }),
    testDeps(),
  );

  expect(chime.commandCalls(ListAttendeesCommand)[0].args[0].input).toEqual({
    MeetingId: MEETING_ID,
    MaxResults: 2,
    NextToken: 'page-1',
  });
  expect(response).toEqual({
    statusCode: 200,
    body: {
      Attendees: attendees.map(({ ExternalUserId, AttendeeId, Capabilities }) => ({
        ExternalUserId,
        AttendeeId,
        Capabilities,
      })),
      NextToken: 'page-2',
    },
  });
  const text = JSON.stringify(response.body);
  expect(text).not.toContain('JoinToken');
  expect(text).not.toContain(attendees[0].JoinToken);
  expect(dynamodb.calls()).toHaveLength(0);
});

it('answers no NextToken on the last page and an empty list for a meeting without attendees', async () => {
  chime.on(ListAttendeesCommand).resolves({});
  const response = await listAttendees(request(), testDeps());
  expect(response).toEqual({ statusCode: 200, body: { Attendees: [] } });
  expect(chime.commandCalls(ListAttendeesCommand)[0].args[0].input).toEqual({ MeetingId: MEETING_ID });
});
