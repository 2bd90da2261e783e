import { BACKGROUND_TABLE, OPERATION_TABLE } from '../../lib/operations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { logicalId, rolePermissions, synthService } from './template-helpers';

const MEETINGS = 'arn:${AWS::Partition}:chime:us-east-1:123456789012:meeting/*';
const XRAY = ['xray:PutTelemetryRecords on *', 'xray:PutTraceSegments on *'];

/** Expected permissions of each operation's role besides its logs and X-Ray: the contract of least privilege. */
type Arns = { table: string; index: string; meetingTable: string; meetingIndex: string; deadLetterQueue: string[] };
const EXPECTED: Record<string, (arns: Arns) => string[]> = {
  CreateAttendee: ({ table, index }) => [
    `chime:CreateAttendee on ${MEETINGS}`,
    `chime:GetMeeting on ${MEETINGS}`,
    `dynamodb:BatchWriteItem on ${table}`,
    `dynamodb:GetItem on ${table}`,
    `dynamodb:Query on ${index}`,
    `dynamodb:UpdateItem on ${table}`,
  ],
  BatchCreateAttendee: ({ table, index }) => [
    `chime:BatchCreateAttendee on ${MEETINGS}`,
    `dynamodb:BatchWriteItem on ${table}`,
    `dynamodb:GetItem on ${table}`,
    `dynamodb:Query on ${index}`,
    `dynamodb:UpdateItem on ${table}`,
  ],
  ListAttendees: ({ table, index }) => [
    `chime:ListAttendees on ${MEETINGS}`,
    `dynamodb:BatchWriteItem on ${table}`,
    `dynamodb:Query on ${index}`,
  ],
  ListUserAttendees: ({ table }) => [`dynamodb:Query on ${table}`],
  DeleteAttendee: ({ table, index }) => [
    `chime:DeleteAttendee on ${MEETINGS}`,
    `chime:GetAttendee on ${MEETINGS}`,
    `dynamodb:Query on ${index}`,
    `dynamodb:UpdateItem on ${table}`,
  ],
  CreateMeeting: ({ meetingTable }) => [
    `chime:CreateMeeting on ${MEETINGS}`,
    `dynamodb:GetItem on ${meetingTable}`,
    `dynamodb:UpdateItem on ${meetingTable}`,
  ],
  JoinMeeting: ({ table, index, meetingTable }) => [
    `chime:CreateAttendee on ${MEETINGS}`,
    `chime:CreateMeeting on ${MEETINGS}`,
    `dynamodb:BatchWriteItem on ${table}`,
    `dynamodb:GetItem on ${meetingTable}`,
    `dynamodb:GetItem on ${table}`,
    `dynamodb:Query on ${index}`,
    `dynamodb:UpdateItem on ${meetingTable}`,
    `dynamodb:UpdateItem on ${table}`,
  ],
  GetMeeting: ({ table, meetingIndex }) => [
    `chime:GetMeeting on ${MEETINGS}`,
    `dynamodb:GetItem on ${table}`,
    `dynamodb:Query on ${meetingIndex}`,
  ],
  GetPresence: ({ table, index }) => [`dynamodb:GetItem on ${table}`, `dynamodb:Query on ${index}`],
  MeetingEvents: ({ table, index, meetingTable, meetingIndex, deadLetterQueue }) => [
    ...deadLetterQueue,
    `dynamodb:BatchWriteItem on ${table}`,
    `dynamodb:Query on ${index}`,
    `dynamodb:Query on ${meetingIndex}`,
    `dynamodb:UpdateItem on ${meetingTable}`,
    `dynamodb:UpdateItem on ${table}`,
  ],
  MeetingSweep: ({ table, index, meetingTable, deadLetterQueue }) => [
    ...deadLetterQueue,
    `chime:GetMeeting on ${MEETINGS}`,
    `dynamodb:BatchWriteItem on ${table}`,
    `dynamodb:Query on ${index}`,
    `dynamodb:Scan on ${meetingTable}`,
    `dynamodb:UpdateItem on ${meetingTable}`,
  ],
  DeleteMeeting: ({ table, index, meetingTable, meetingIndex }) => [
    `chime:DeleteMeeting on ${MEETINGS}`,
    `chime:GetMeeting on ${MEETINGS}`,
    `dynamodb:BatchWriteItem on ${table}`,
    `dynamodb:GetItem on ${meetingTable}`,
    `dynamodb:Query on ${index}`,
    `dynamodb:Query on ${meetingIndex}`,
    `dynamodb:UpdateItem on ${meetingTable}`,
  ],
};

describe('least-privilege IAM', () => {
  const { template } = synthService();
  const tableId = logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceAttendeeTable');
  const table = `\${${tableId}.Arn}`;
  const index = `${table}/index/byMeeting`;
  const meetingTable = `\${${logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceMeetingTable')}.Arn}`;
  const queue = `\${${logicalId(template, 'AWS::SQS::Queue', 'JoinServiceMeetingEventsDeadLetterQueue')}.Arn}`;
  // An asynchronously invoked function sends the events that failed every retry to the dead-letter queue.
  const deadLetterQueue = ['GetQueueAttributes', 'GetQueueUrl', 'SendMessage'].map((a) => `sqs:${a} on ${queue}`);
  const arns: Arns = { table, index, meetingTable, meetingIndex: `${meetingTable}/index/byMeetingId`, deadLetterQueue };

  it.each(Object.keys(EXPECTED))('the %s role holds exactly its own Chime and DynamoDB actions', (operation) => {
    const role = logicalId(template, 'AWS::IAM::Role', `JoinService${operation}Role`);
    const logGroup = logicalId(template, 'AWS::Logs::LogGroup', `JoinService${operation}Logs`);
    expect(rolePermissions(template, role)).toEqual(
      [
        ...EXPECTED[operation](arns),
        `logs:CreateLogStream on \${${logGroup}.Arn}`,
        `logs:PutLogEvents on \${${logGroup}.Arn}`,
        ...XRAY,
      ].sort(),
    );
  });

  it('grants no Chime or DynamoDB action on a wildcard resource', () => {
    for (const role of Object.keys(template.findResources('AWS::IAM::Role'))) {
      for (const permission of rolePermissions(template, role)) {
        if (/^(chime|dynamodb):/.test(permission)) expect(permission).not.toMatch(/ on \*$/);
        expect(permission).not.toMatch(/^(chime|dynamodb):\*/);
      }
    }
  });

  it('attaches no managed policy to any role', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('gives every function its own role, assumable by Lambda only', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const roles = new Set(functions.map((f) => JSON.stringify(f.Properties.Role)));
    expect(roles.size).toBe(OPERATION_TABLE.length + BACKGROUND_TABLE.length);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  it('does not grant GetMeeting when the join does not return the meeting', () => {
    const { template: t } = synthService({ includeMeeting: false });
    const role = logicalId(t, 'AWS::IAM::Role', 'JoinServiceCreateAttendeeRole');
    const chime = rolePermissions(t, role).filter((p) => p.startsWith('chime:'));
    expect(chime).toEqual([`chime:CreateAttendee on ${MEETINGS}`]);
  });

  it('scopes Chime actions to the control region given', () => {
    const { template: t } = synthService({ chimeRegion: 'eu-central-1', chimeEventsForwarded: true });
    const role = logicalId(t, 'AWS::IAM::Role', 'JoinServiceBatchCreateAttendeeRole');
    expect(rolePermissions(t, role)).toContain(
      'chime:BatchCreateAttendee on arn:${AWS::Partition}:chime:eu-central-1:123456789012:meeting/*',
    );
  });

  it('grants the customer managed key: decrypt to readers, encrypt too to writers', () => {
    const { template: t } = synthService({}, (stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }));
    const key = `\${${logicalId(t, 'AWS::KMS::Key', 'Key')}.Arn}`;
    const kmsOf = (operation: string) =>
      rolePermissions(t, logicalId(t, 'AWS::IAM::Role', `JoinService${operation}Role`)).filter((p) =>
        p.startsWith('kms:'),
      );
    expect(kmsOf('ListUserAttendees')).toEqual([`kms:Decrypt on ${key}`, `kms:DescribeKey on ${key}`]);
    expect(kmsOf('CreateAttendee')).toEqual([
      `kms:Decrypt on ${key}`,
      `kms:DescribeKey on ${key}`,
      `kms:Encrypt on ${key}`,
      `kms:GenerateDataKey* on ${key}`,
      `kms:ReEncrypt* on ${key}`,
    ]);
  });

  it("scopes an existing table's permissions to that table and its byMeeting index", () => {
    const existing = 'arn:aws:dynamodb:us-east-1:123456789012:table/existing-attendees';
    const { template: t } = synthService({}, (stack) => ({
      table: dynamodb.Table.fromTableArn(stack, 'Existing', existing),
    }));
    t.resourceCountIs('AWS::DynamoDB::Table', 1); // the meeting table
    const role = logicalId(t, 'AWS::IAM::Role', 'JoinServiceDeleteAttendeeRole');
    const dynamo = rolePermissions(t, role).filter((p) => p.startsWith('dynamodb:'));
    expect(dynamo).toEqual([`dynamodb:Query on ${existing}/index/byMeeting`, `dynamodb:UpdateItem on ${existing}`]);
  });
});

describe('invoke grants', () => {
  const methodArn = (path: string, method: string) =>
    'arn:${AWS::Partition}:execute-api:us-east-1:123456789012:${JoinServiceApi0D4C2C47}/' +
    `\${JoinServiceApiDeploymentStageprod2B37157F}/${method}${path}`;

  function grantedArns(grant: 'grantJoin' | 'grantAdmin'): string[] {
    const { template } = synthService({}, undefined, (service, stack) => {
      service[grant](new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    return rolePermissions(template, logicalId(template, 'AWS::IAM::Role', 'Caller')).map((p) =>
      p.replace('execute-api:Invoke on ', ''),
    );
  }

  it('grantJoin allows execute-api:Invoke on the two join methods only (by MeetingId, and by name)', () => {
    expect(grantedArns('grantJoin')).toEqual(
      [methodArn('/join', 'POST'), methodArn('/meetings/*/attendees', 'POST')].sort(),
    );
  });

  it('grantAdmin allows execute-api:Invoke on every route of the operation table, each on its exact method ARN', () => {
    const routes = OPERATION_TABLE.map((row) => methodArn(row.path.replace(/\{[^}]+\}/g, '*'), row.method));
    expect(routes).toContain(methodArn('/meetings/*/attendees/batch', 'POST'));
    expect(grantedArns('grantAdmin')).toEqual(routes.sort());
  });
});
