// The `meetingAccess` prop: `open` (the default) wires nothing; `custom(fn)` tells the two join functions which
// function decides (MEETING_ACCESS_FUNCTION) and lets only their roles invoke it.
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ENV } from '../../lib/contract';
import { MeetingAccess } from '../../lib/meeting-access';
import { OPERATION_TABLE } from '../../lib/operations';
import { logicalId, rolePermissions, synthService } from './template-helpers';

const JOINS = OPERATION_TABLE.filter((row) => row.meetingAccess).map((row) => row.id);

it('asks the policy on the two join routes, and on no other', () => {
  expect(JOINS.sort()).toEqual(['CreateAttendee', 'JoinMeeting']);
});

it('open (the default): no function is named and no role may invoke one', () => {
  for (const props of [{}, { meetingAccess: MeetingAccess.open() }]) {
    const { template } = synthService(props);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(ENV.meetingAccessFunction);
    }
    for (const row of OPERATION_TABLE) {
      const permissions = rolePermissions(template, logicalId(template, 'AWS::IAM::Role', `JoinService${row.id}Role`));
      expect(permissions.filter((p) => p.startsWith('lambda:'))).toEqual([]);
    }
  }
});

it('custom(fn): the join functions name it and their roles alone may invoke it', () => {
  const { template } = synthService({}, (stack) => ({
    meetingAccess: MeetingAccess.custom(
      new lambda.Function(stack, 'Policy', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({ Allow: true });'),
      }),
    ),
  }));
  const policy = logicalId(template, 'AWS::Lambda::Function', 'Policy');
  for (const row of OPERATION_TABLE) {
    const fn =
      template.findResources('AWS::Lambda::Function')[
        logicalId(template, 'AWS::Lambda::Function', `JoinService${row.id}`)
      ];
    const named = fn.Properties.Environment.Variables[ENV.meetingAccessFunction];
    const invokes = rolePermissions(template, logicalId(template, 'AWS::IAM::Role', `JoinService${row.id}Role`)).filter(
      (p) => p.startsWith('lambda:'),
    );
    if (JOINS.includes(row.id)) {
      expect(named).toEqual({ 'Fn::GetAtt': [policy, 'Arn'] });
      expect(invokes).toEqual([
        `lambda:InvokeFunction on \${${policy}.Arn}`,
        `lambda:InvokeFunction on \${${policy}.Arn}:*`,
      ]);
    } else {
      expect({ id: row.id, named, invokes }).toEqual({ id: row.id, named: undefined, invokes: [] });
    }
  }
});
