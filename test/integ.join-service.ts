// Integration test: deploys the join service with its defaults, creates a real Chime SDK meeting, joins a user
// through the create-attendee function, and lists the meeting's attendees through the list function.
//
// integ-runner cannot read this assembly yet (TOOLCHAIN.md), so CI keeps its snapshot with `npm run integ:snapshot`
// instead; to run it against an account, deploy the snapshot's stacks with the CDK CLI once a runner can.
import { Annotations, App, Aspects, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { ChimeJoinService } from '../lib';

const app = new App();
// Environment-agnostic like the assertion stack (integ-tests refuses cross-environment references); `regions`
// below deploys it to us-east-1, a Chime SDK Meetings control region, which the functions call by default.
const stack = new Stack(app, 'ChimeJoinServiceInteg');
// Defaults, except that the test leaves no table behind. The account needs API Gateway's CloudWatch Logs role
// (see `cloudWatchRole` in the README).
const joinService = new ChimeJoinService(stack, 'JoinService', { tableRemovalPolicy: RemovalPolicy.DESTROY });

const integ = new IntegTest(app, 'JoinServiceInteg', {
  testCases: [stack],
  regions: ['us-east-1'],
  diffAssets: true,
});

const externalUserId = 'integ-user-1';
const meeting = integ.assertions.awsApiCall('ChimeSDKMeetings', 'createMeeting', {
  ClientRequestToken: 'cdk-chime-join-service-integ',
  MediaRegion: 'us-east-1',
  ExternalMeetingId: 'cdk-chime-join-service-integ',
});
const meetingId = meeting.getAttString('Meeting.MeetingId');
// The assertion stack reads the test stack's function names and API URL through exports; both stacks are
// deployed and destroyed together, so the default strong references are what the test wants.
Annotations.of(Stack.of(meeting)).acknowledgeWarning(
  '@aws-cdk/core:crossStackReferencesDefaultStrong',
  'the assertion stack is deployed and destroyed with the stack it tests',
);

/**
 * The API Gateway proxy event a route hands its function, for a SigV4-signed caller: in IAM mode the handlers
 * require the caller's identity that API Gateway adds to the request context.
 *
 * Plain JSON.stringify, not Stack.toJsonString: the assertion provider JSON-encodes every parameter once more,
 * which escapes a plain string's quotes but not those of a toJsonString token (the meeting id needs no escaping).
 */
function proxyEvent(httpMethod: string, resource: string, body?: unknown) {
  return JSON.stringify({
    httpMethod,
    resource,
    path: resource.replace('{MeetingId}', meetingId),
    pathParameters: { MeetingId: meetingId },
    queryStringParameters: null,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      requestId: `integ-${httpMethod.toLowerCase()}`,
      identity: { caller: 'AROAINTEGTEST:integ', userArn: 'arn:aws:sts::123456789012:assumed-role/IntegTest/integ' },
    },
  });
}

// Join: 201 with the attendee (and its JoinToken) and the meeting, as amazon-chime-sdk-js needs them.
const join = integ.assertions.invokeFunction({
  functionName: joinService.createAttendeeFunction.functionName,
  payload: proxyEvent('POST', '/meetings/{MeetingId}/attendees', { ExternalUserId: externalUserId }),
});
join.expect(
  ExpectedResult.objectLike({
    Payload: Match.serializedJson(
      Match.objectLike({
        statusCode: 201,
        body: Match.serializedJson(
          Match.objectLike({
            Attendee: Match.objectLike({
              ExternalUserId: externalUserId,
              AttendeeId: Match.stringLikeRegexp('^[a-fA-F0-9-]{36}$'),
              JoinToken: Match.stringLikeRegexp('.+'),
            }),
            Meeting: Match.objectLike({ MeetingId: meetingId }),
          }),
        ),
      }),
    ),
  }),
);

// List: 200 with the joined user, and never a JoinToken anywhere in the response.
const list = integ.assertions.invokeFunction({
  functionName: joinService.listAttendeesFunction.functionName,
  payload: proxyEvent('GET', '/meetings/{MeetingId}/attendees'),
});
list.expect(
  ExpectedResult.objectLike({
    Payload: Match.stringLikeRegexp(`^(?!.*JoinToken).*"statusCode":200.*${externalUserId}`),
  }),
);

// An unsigned request never reaches a function: API Gateway answers 403 in the service's error shape.
const unsigned = integ.assertions.httpApiCall(`${joinService.url}meetings/${meetingId}/attendees`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ ExternalUserId: externalUserId }),
});
unsigned.expect(ExpectedResult.objectLike({ status: 403, body: Match.objectLike({ Code: 'Forbidden' }) }));

const endMeeting = integ.assertions.awsApiCall('ChimeSDKMeetings', 'deleteMeeting', { MeetingId: meetingId });

meeting.next(join).next(list).next(unsigned).next(endMeeting);

// integ-tests salts every assertion with Date.now(), so that each deployment runs it again. The snapshot
// (`npm run integ:snapshot`) pins the salt through this context value, or it would change on every synth.
const snapshotSalt = app.node.tryGetContext('integ-snapshot-salt');
if (snapshotSalt !== undefined) {
  Aspects.of(app).add({
    visit(node) {
      if (node instanceof CfnResource && node.cfnResourceType.startsWith('Custom::DeployAssert@')) {
        node.addPropertyOverride('salt', String(snapshotSalt));
      }
    },
  });
}

app.synth();
