// Issue 15 item 5 (the construct's part): one caller can spend the account's Chime rate; `perCallerRateLimit`
// puts a WAF rate-based rule keyed on the caller in front of the stage.
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { JoinAuthorization } from '../../lib';
import { logicalId, synthService } from './template-helpers';

const rule = (template: ReturnType<typeof synthService>['template']) => {
  const acls = Object.values(template.findResources('AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  expect(acls[0].Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
  expect(acls[0].Properties.Rules).toHaveLength(1);
  return acls[0].Properties.Rules[0];
};

it('creates no web ACL by default', () => {
  const { template } = synthService();
  template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
});

it('IAM mode: blocks an IP address over the limit in 5 minutes, on the stage', () => {
  const { template } = synthService({ perCallerRateLimit: 300 });
  expect(rule(template)).toEqual({
    Name: 'PerCallerRateLimit',
    Priority: 0,
    Action: { Block: {} },
    Statement: { RateBasedStatement: { Limit: 300, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
    VisibilityConfig: {
      CloudWatchMetricsEnabled: true,
      SampledRequestsEnabled: false,
      MetricName: 'TestStackJoinServiceB912A259PerCaller',
    },
  });
  const acl = logicalId(template, 'AWS::WAFv2::WebACL', 'JoinServiceRateLimitWebAcl');
  const stage = logicalId(template, 'AWS::ApiGateway::Stage', 'JoinServiceApiDeploymentStage');
  template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
    WebACLArn: { 'Fn::GetAtt': [acl, 'Arn'] },
    ResourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: stage }])] }),
  });
});

it("token modes: a caller is their Authorization header (one user's token)", () => {
  const { template } = synthService({}, (stack) => ({
    perCallerRateLimit: 120,
    authorization: JoinAuthorization.custom(
      new apigateway.TokenAuthorizer(stack, 'Authorizer', {
        handler: new lambda.Function(stack, 'AuthorizerFn', {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler = async () => ({});'),
        }),
      }),
    ),
  }));
  expect(rule(template).Statement.RateBasedStatement).toEqual({
    Limit: 120,
    EvaluationWindowSec: 300,
    AggregateKeyType: 'CUSTOM_KEYS',
    CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
  });
});

it("logs WAF's requests to a log group of the construct, the Authorization header redacted", () => {
  const { template } = synthService({ perCallerRateLimit: 300 });
  const logGroup = logicalId(template, 'AWS::Logs::LogGroup', 'JoinServiceWebAclLogs');
  const group = template.findResources('AWS::Logs::LogGroup')[logGroup].Properties;
  expect(group.LogGroupName).toMatch(/^aws-waf-logs-/);
  expect(group.RetentionInDays).toBe(365);
  template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
    LogDestinationConfigs: [{ 'Fn::GetAtt': [logGroup, 'Arn'] }],
    RedactedFields: [{ SingleHeader: { Name: 'authorization' } }],
  });
});

it.each([
  [{ perCallerRateLimit: 9 }, /perCallerRateLimit must be a whole number of requests from 10 to 2000000000/],
  [{ perCallerRateLimit: 10.5 }, /perCallerRateLimit must be a whole number/],
  [
    { perCallerRateLimit: 100, webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/join/abc' },
    /with webAclArn, add a rate-based rule to your web ACL instead/,
  ],
])('refuses %j at synthesis', (props, message) => {
  expect(() => synthService(props)).toThrow(message);
});

it('accepts the edges of the range', () => {
  for (const perCallerRateLimit of [10, 2_000_000_000]) {
    const { template } = synthService({ perCallerRateLimit });
    expect(rule(template).Statement.RateBasedStatement.Limit).toBe(perCallerRateLimit);
  }
});
