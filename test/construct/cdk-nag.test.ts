// cdk-nag's AwsSolutions and Serverless packs over the example app and every authorization mode and option that
// changes the resources: no finding may stay unacknowledged, and each acknowledgement names one resource and why.
import { CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { type IConstruct } from 'constructs';
import { buildExampleApp } from '../../bin/example-app';
import { type ChimeJoinServiceProps, JoinAuthorization } from '../../lib';
import { synthService } from './template-helpers';

/** Every finding of both packs under a scope, as `rule on construct path` strings. */
function findings(scope: IConstruct): string[] {
  const result: string[] = [];
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    for (const violation of pack.validateScope(scope).violations) {
      for (const resource of violation.violatingResources)
        result.push(`${violation.ruleName} on ${resource.constructPath}`);
    }
  }
  return result;
}

/** Every acknowledgement under a scope: `[construct path, rule id, reason]`. */
function acknowledgements(scope: IConstruct): Array<[string, string, string]> {
  const result: Array<[string, string, string]> = [];
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        result.push([
          construct.node.path,
          id.replace(/^annotation::/i, ''),
          typeof reason === 'string' ? reason : JSON.stringify(reason),
        ]);
      }
    }
  }
  return result;
}

const SCENARIOS: Array<[string, ChimeJoinServiceProps | ((stack: Stack) => ChimeJoinServiceProps)]> = [
  ['defaults', {}],
  ['a customer managed key', (stack) => ({ encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) })],
  [
    'an existing table',
    (stack) => ({
      table: dynamodb.Table.fromTableArn(stack, 'Existing', 'arn:aws:dynamodb:us-east-1:123456789012:table/t'),
    }),
  ],
  ['CORS', { corsAllowOrigins: ['https://app.example.com'] }],
  ['no meeting in the join answer', { includeMeeting: false }],
  ['a web ACL', { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/join/abc' }],
  ['the API Gateway account role', { cloudWatchRole: true }],
  [
    'Cognito authorization',
    (stack) => ({ authorization: JoinAuthorization.cognito(new cognito.UserPool(stack, 'Users')) }),
  ],
  [
    'custom authorization',
    (stack) => ({
      authorization: JoinAuthorization.custom(
        new apigateway.TokenAuthorizer(stack, 'Authorizer', {
          handler: new lambda.Function(stack, 'AuthorizerFn', {
            runtime: lambda.Runtime.NODEJS_24_X,
            handler: 'index.handler',
            code: lambda.Code.fromInline('exports.handler=async()=>({})'),
          }),
        }),
      ),
    }),
  ],
  ['no authorization', { authorization: JoinAuthorization.none() }],
];

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the example app', () => {
    const { stack } = buildExampleApp();
    expect(findings(stack)).toEqual([]);
  });

  it.each(SCENARIOS)('finds nothing unacknowledged in the construct with %s', (_name, props) => {
    const { service } = typeof props === 'function' ? synthService({}, props) : synthService(props);
    expect(findings(service)).toEqual([]);
  });

  it.each(SCENARIOS)('acknowledges on single resources, each with a reason, with %s', (_name, props) => {
    const { service } = typeof props === 'function' ? synthService({}, props) : synthService(props);
    const acks = acknowledgements(service);
    expect(acks.length).toBeGreaterThan(0);
    for (const [path, id, reason] of acks) {
      expect(path).not.toBe(service.node.path); // never blanket on the whole construct
      expect(reason.length).toBeGreaterThan(60);
      // A CloudFormation resource, or an L2 whose default child is one.
      const construct = service.node.findAll().find((c) => c.node.path === path)!;
      expect(CfnResource.isCfnResource(construct.node.defaultChild ?? construct)).toBe(true);
      expect(id).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
    }
  });

  it('finds nothing unacknowledged in the construct with its alarms and dashboard', () => {
    const { service } = synthService({}, undefined, (s) => {
      s.addAlarms();
      s.addDashboard();
    });
    expect(service.node.tryFindChild('Dashboard')).toBeDefined();
    expect(findings(service)).toEqual([]);
  });

  it('records what the default construct acknowledges, and why', () => {
    const { service } = synthService();
    const summary = acknowledgements(service).map(
      ([path, id]) =>
        `${path.replace('TestStack/JoinService/', '')}: ${id.replace(/\[Resource::arn:.*\]/, '[Resource::<meeting ARNs>]')}`,
    );
    expect(summary.sort()).toMatchSnapshot();
  });

  it('flags what an unacknowledged construct would raise (the acknowledgements are not idle)', () => {
    // The same resources without this construct's acknowledgements: plain L2s that the packs flag.
    const { stack } = synthService();
    const bare = new lambda.Function(stack, 'Bare', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler=async()=>({})'),
    });
    const raised = findings(bare).map((f) => f.split(' on ')[0]);
    expect(raised).toEqual(expect.arrayContaining(['Serverless-LambdaDLQ', 'Serverless-LambdaTracing']));
  });

  it('needs no runtime acknowledgement: Node.js 24 is the latest runtime, while Node.js 22 would be flagged', () => {
    const { stack } = synthService();
    const runtimeFindings = (id: string, runtime: lambda.Runtime) =>
      findings(
        new lambda.Function(stack, id, {
          runtime,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler=async()=>({})'),
        }),
      )
        .map((f) => f.split(' on ')[0])
        .filter((rule) => ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'].includes(rule));
    expect(runtimeFindings('OnNode22', lambda.Runtime.NODEJS_22_X).sort()).toEqual([
      'AwsSolutions-L1',
      'Serverless-LambdaLatestVersion',
    ]);
    expect(runtimeFindings('OnNode24', lambda.Runtime.NODEJS_24_X)).toEqual([]);
  });
});
