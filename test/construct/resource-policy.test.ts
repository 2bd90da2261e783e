// Issue 15 item 3: in IAM mode a principal whose identity policy allows execute-api:Invoke broadly reaches every
// route, and the handlers take it as an administrator. `iam({ grantedPrincipalsOnly: true })` gives the API a
// resource policy that admits only the principals granted through the construct, by route.
import * as iam from 'aws-cdk-lib/aws-iam';
import { JoinAuthorization } from '../../lib';
import { OPERATION_TABLE } from '../../lib/operations';
import { logicalId, synthService } from './template-helpers';

const restApi = (template: ReturnType<typeof synthService>['template']) =>
  template.findResources('AWS::ApiGateway::RestApi')[logicalId(template, 'AWS::ApiGateway::RestApi', 'JoinServiceApi')]
    .Properties;

it('leaves the API without a resource policy by default (identity policies decide)', () => {
  const { template } = synthService({}, undefined, (service, stack) => {
    service.grantAdmin(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
  });
  expect(restApi(template).Policy).toBeUndefined();
});

it('admits only the granted principals, and the join grantees only to the join routes', () => {
  const { template } = synthService(
    { authorization: JoinAuthorization.iam({ grantedPrincipalsOnly: true }) },
    undefined,
    (service, stack) => {
      service.grantJoin(new iam.Role(stack, 'Backend', { assumedBy: new iam.AccountRootPrincipal() }));
      service.grantAdmin(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    },
  );
  const backend = { 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'Backend'), 'Arn'] };
  const operator = { 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'Operator'), 'Arn'] };
  expect(OPERATION_TABLE.filter((row) => row.joinGrant).map((row) => `${row.method} ${row.path}`)).toEqual([
    'POST /meetings/{MeetingId}/attendees',
    'POST /join',
  ]);
  expect(restApi(template).Policy).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyGrantedPrincipals',
        Effect: 'Deny',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/prod/*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [operator, backend] } },
      },
      {
        Sid: 'OnlyAdminsBeyondJoin',
        Effect: 'Deny',
        Principal: '*',
        Action: 'execute-api:Invoke',
        NotResource: ['execute-api:/prod/POST/meetings/*/attendees', 'execute-api:/prod/POST/join'],
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [operator] } },
      },
      {
        Sid: 'GrantedPrincipals',
        Effect: 'Allow',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/prod/*',
        Condition: { ArnEquals: { 'aws:PrincipalArn': [operator, backend] } },
      },
    ],
  });
});

it('admits nobody while nobody is granted, and follows the stage name', () => {
  const { template } = synthService({
    authorization: JoinAuthorization.iam({ grantedPrincipalsOnly: true }),
    stageName: 'v1',
  });
  expect(restApi(template).Policy.Statement).toEqual([
    {
      Sid: 'OnlyGrantedPrincipals',
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/v1/*',
    },
    {
      Sid: 'OnlyAdminsBeyondJoin',
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      NotResource: ['execute-api:/v1/POST/meetings/*/attendees', 'execute-api:/v1/POST/join'],
    },
  ]);
});

it('refuses a grantee it cannot name by ARN (a service principal)', () => {
  expect(() =>
    synthService({ authorization: JoinAuthorization.iam({ grantedPrincipalsOnly: true }) }, undefined, (service) => {
      service.grantJoin(new iam.ServicePrincipal('lambda.amazonaws.com'));
    }),
  ).toThrow(/grantedPrincipalsOnly admits principals by ARN \(aws:PrincipalArn\): grant a role or a user/);
});
