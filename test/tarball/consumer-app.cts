// A user's CDK app, as run.mjs compiles and synthesizes it against the installed tarball (copied there as app.ts).
// The .cts extension keeps it out of the repo's own type check, where 'cdk-chime-join-service' does not resolve.
import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ChimeJoinService } from 'cdk-chime-join-service';

// The outdir comes from CDK_OUTDIR, as when the CDK CLI runs an app.
const app = new App();
const env = { account: '123456789012', region: 'us-east-1' };

// A larger stack: an existing user pool and existing attendee and meeting tables, a new app client, and a backend function
// that signs users in with the pool and joins them to meetings through the service.
const existing = new Stack(app, 'MeetingsOnExistingResources', { env });
const userPool = cognito.UserPool.fromUserPoolId(existing, 'UserPool', 'us-east-1_EXAMPLE1');
const webClient = userPool.addClient('WebClient', { authFlows: { userSrp: true } });
const attendeeTable = dynamodb.Table.fromTableAttributes(existing, 'AttendeeTable', {
  tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/meeting-attendees',
  globalIndexes: ['byMeeting'],
});
const meetingTable = dynamodb.Table.fromTableAttributes(existing, 'MeetingTable', {
  tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/meetings',
  globalIndexes: ['byMeetingId'],
});
const joinService = new ChimeJoinService(existing, 'JoinService', {
  table: attendeeTable,
  meetingTable,
  corsAllowOrigins: ['https://meet.example.com'],
});
const backend = new lambda.Function(existing, 'Backend', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 204 });'),
  environment: {
    USER_POOL_ID: userPool.userPoolId,
    USER_POOL_CLIENT_ID: webClient.userPoolClientId,
    JOIN_API_URL: joinService.url,
  },
});
joinService.grantJoin(backend);
const operator = new iam.Role(existing, 'OperatorRole', { assumedBy: new iam.AccountRootPrincipal() });
joinService.grantAdmin(operator);

// The construct with every default, beside nothing else.
const defaults = new Stack(app, 'MeetingsWithDefaults', { env });
new ChimeJoinService(defaults, 'JoinService');

app.synth();
