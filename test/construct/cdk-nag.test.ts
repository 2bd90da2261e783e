// cdk-nag's five packs (AwsSolutions, Serverless, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1) over the example app
// and every authorization mode and option that changes the resources: no finding may stay unacknowledged, and each
// acknowledgement names one resource and why.
import { CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { type IConstruct } from 'constructs';
import { buildExampleApp } from '../../bin/example-app';
import { type ChimeJoinService, type ChimeJoinServiceProps, JoinAuthorization } from '../../lib';
import { REASONS } from '../../lib/nag-acknowledgements';
import { BACKGROUND_TABLE, OPERATION_TABLE } from '../../lib/operations';
import { synthService } from './template-helpers';

const PACKS = () => [
  new AwsSolutionsChecks(),
  new ServerlessChecks(),
  new NIST80053R5Checks(),
  new HIPAASecurityChecks(),
  new PCIDSS321Checks(),
];

/** Every finding of the five packs under a scope, as `rule on construct path` strings. */
function findings(scope: IConstruct): string[] {
  const result: string[] = [];
  for (const pack of PACKS()) {
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

type Scenario = [
  string,
  ChimeJoinServiceProps | ((stack: Stack) => ChimeJoinServiceProps),
  ((service: ChimeJoinService, stack: Stack) => void)?,
];

const SCENARIOS: Scenario[] = [
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
  ['a per-caller rate limit', { perCallerRateLimit: 300 }],
  ['the API Gateway account role', { cloudWatchRole: true }],
  [
    'a log encryption key',
    (stack) => ({ logEncryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }) }),
  ],
  ['reserved concurrency', { reservedConcurrentExecutions: 10 }],
  [
    'alarms with actions',
    {},
    (service, stack) => {
      service.addAlarms({ alarmActions: [new cloudwatchActions.SnsAction(new sns.Topic(stack, 'OnCall'))] });
    },
  ],
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
  [
    'no authorization, acknowledged by its owner as the README shows',
    { authorization: JoinAuthorization.none() },
    (service) => acknowledgeOpenApi(service),
  ],
];

/** What the owner of an open API writes (README, security model): the choice and its reason, on their API. */
function acknowledgeOpenApi(service: ChimeJoinService): void {
  const reason =
    'Demo deployment on a private network: the API is open on purpose, and nothing outside the VPC can reach it.';
  Validations.of(service.api).acknowledge({ id: 'AwsSolutions-APIG4', reason });
  Validations.of(service.api).acknowledge({ id: 'AwsSolutions-COG4', reason });
}

const synthScenario = ([, props, after]: Scenario) =>
  typeof props === 'function' ? synthService({}, props, after) : synthService(props, undefined, after);

const ROUTE_FUNCTIONS = OPERATION_TABLE.map((row) => row.id);
const BACKGROUND_FUNCTIONS = BACKGROUND_TABLE.map((row) => row.id);
const ALL_FUNCTIONS = [...ROUTE_FUNCTIONS, ...BACKGROUND_FUNCTIONS];
const LOG_GROUPS = [...ALL_FUNCTIONS.map((id) => `${id}Logs`), 'AccessLogs', 'ExecutionLogs'];
const inThreePacks = (rule: string) => [`NIST.800.53.R5-${rule}`, `HIPAA.Security-${rule}`, `PCI.DSS.321-${rule}`];

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the example app', () => {
    const { stack } = buildExampleApp();
    expect(findings(stack)).toEqual([]);
  });

  it.each(SCENARIOS)('finds nothing unacknowledged in the construct with %s', (...scenario) => {
    const { service } = synthScenario(scenario);
    expect(findings(service)).toEqual([]);
  });

  it.each(SCENARIOS)('acknowledges on single resources, each with a reason, with %s', (...scenario) => {
    const { service } = synthScenario(scenario);
    const acks = acknowledgements(service).filter(([path]) => path !== service.api.node.path);
    expect(acks.length).toBeGreaterThan(0);
    for (const [path, id, reason] of acks) {
      expect(path).not.toBe(service.node.path); // never blanket on the whole construct
      expect(reason.length).toBeGreaterThan(60);
      // A CloudFormation resource, or an L2 whose default child is one.
      const construct = service.node.findAll().find((c) => c.node.path === path)!;
      expect(CfnResource.isCfnResource(construct.node.defaultChild ?? construct)).toBe(true);
      expect(id).toMatch(
        /^(AwsSolutions|Serverless|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+(\[.+\])?$/,
      );
    }
  });

  it('finds nothing unacknowledged in the construct with its alarms and dashboard', () => {
    const { service } = synthService({}, undefined, (s, stack) => {
      s.addAlarms({ alarmActions: [new cloudwatchActions.SnsAction(new sns.Topic(stack, 'OnCall'))] });
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

  it('leaves the open API of JoinAuthorization.none() for its owner to acknowledge: every route is flagged', () => {
    const { service } = synthService({ authorization: JoinAuthorization.none() });
    const raised = findings(service);
    const routes = OPERATION_TABLE.length;
    expect(raised.filter((f) => f.startsWith('AwsSolutions-APIG4 on '))).toHaveLength(routes);
    expect(raised.filter((f) => f.startsWith('AwsSolutions-COG4 on '))).toHaveLength(routes);
    expect(raised.filter((f) => !/^AwsSolutions-(APIG4|COG4) on /.test(f))).toEqual([]);
    acknowledgeOpenApi(service);
    expect(findings(service)).toEqual([]);
  });

  it('leaves alarms without actions flagged: addAlarms() has an alarmActions option for them', () => {
    const { service } = synthService({}, undefined, (joinService) => joinService.addAlarms());
    const raised = findings(service).map((f) => f.split(' on ')[0]);
    expect(new Set(raised)).toEqual(
      new Set(['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction']),
    );
  });

  it('acknowledges these rules by default, on these resources, for these reasons', () => {
    const { service } = synthService();
    // rule → reason (its name in REASONS) → the resources it is acknowledged on
    const actual: Record<string, Record<string, string[]>> = {};
    for (const [path, id, reason] of acknowledgements(service)) {
      const rule = id.replace(/\[Resource::arn:.*\]/, '[Resource::<meeting ARNs>]');
      const name = Object.entries(REASONS).find(([, text]) => text === reason)?.[0] ?? reason;
      ((actual[rule] ??= {})[name] ??= []).push(path.replace(`${service.node.path}/`, ''));
    }
    for (const reasons of Object.values(actual)) for (const paths of Object.values(reasons)) paths.sort();

    const sorted = (ids: string[]) => [...ids].sort();
    const methods = sorted(OPERATION_TABLE.map((row) => `Api/Default${row.path}/${row.method}`));
    const stage = ['Api/DeploymentStage.prod'];
    const roles = sorted(ALL_FUNCTIONS.map((id) => `${id}Role`));
    const meetingRoles = sorted(
      ALL_FUNCTIONS.filter((id) => !['ListUserAttendees', 'GetPresence', 'MeetingEvents'].includes(id)).map(
        (id) => `${id}Role`,
      ),
    );
    const lambdaDlq = { noDlq: sorted(ROUTE_FUNCTIONS), onFailureDestination: sorted(BACKGROUND_FUNCTIONS) };
    const expected: Record<string, Record<string, string[]>> = {
      'AwsSolutions-COG4': { iamNotCognito: methods },
      'AwsSolutions-APIG3': { noWaf: stage },
      'NIST.800.53.R5-APIGWAssociatedWithWAF': { noWaf: stage },
      'PCI.DSS.321-APIGWAssociatedWithWAF': { noWaf: stage },
      'AwsSolutions-IAM5[Resource::*]': { xray: roles },
      'AwsSolutions-IAM5[Resource::<meeting ARNs>]': { chimeMeetings: meetingRoles },
      'AwsSolutions-SQS3': { isDeadLetterQueue: ['MeetingEventsDeadLetterQueue'] },
      'Serverless-SQSRedrivePolicy': { isDeadLetterQueue: ['MeetingEventsDeadLetterQueue'] },
      'Serverless-LambdaDLQ': lambdaDlq,
      'NIST.800.53.R5-LambdaDLQ': lambdaDlq,
      'HIPAA.Security-LambdaDLQ': lambdaDlq,
      'NIST.800.53.R5-LambdaConcurrency': { noReservedConcurrency: sorted(ALL_FUNCTIONS) },
      'HIPAA.Security-LambdaConcurrency': { noReservedConcurrency: sorted(ALL_FUNCTIONS) },
      'NIST.800.53.R5-DynamoDBInBackupPlan': { pointInTimeRecovery: ['AttendeeTable', 'MeetingTable'] },
      'HIPAA.Security-DynamoDBInBackupPlan': { pointInTimeRecovery: ['AttendeeTable', 'MeetingTable'] },
      ...Object.fromEntries(inThreePacks('APIGWCacheEnabledAndEncrypted').map((rule) => [rule, { noCache: stage }])),
      ...Object.fromEntries(inThreePacks('APIGWSSLEnabled').map((rule) => [rule, { noClientCertificate: stage }])),
      ...Object.fromEntries(inThreePacks('LambdaInsideVPC').map((rule) => [rule, { noVpc: sorted(ALL_FUNCTIONS) }])),
      ...Object.fromEntries(inThreePacks('IAMNoInlinePolicy').map((rule) => [rule, { rolePolicy: roles }])),
      ...Object.fromEntries(
        inThreePacks('CloudWatchLogGroupEncrypted').map((rule) => [
          rule,
          { logsDefaultEncryption: sorted(LOG_GROUPS) },
        ]),
      ),
    };
    expect(actual).toEqual(expected);
  });

  it('acknowledges only what no prop changes: a log key, reserved concurrency and a web ACL each remove theirs', () => {
    const rules = (props: ChimeJoinServiceProps | ((stack: Stack) => ChimeJoinServiceProps)) =>
      new Set(acknowledgements(synthScenario(['', props]).service).map(([, id]) => id));
    const withOptions = rules((stack) => ({
      logEncryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }),
      reservedConcurrentExecutions: 5,
      webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/join/abc',
    }));
    for (const rule of [
      ...inThreePacks('CloudWatchLogGroupEncrypted'),
      'NIST.800.53.R5-LambdaConcurrency',
      'HIPAA.Security-LambdaConcurrency',
      'AwsSolutions-APIG3',
      'NIST.800.53.R5-APIGWAssociatedWithWAF',
      'PCI.DSS.321-APIGWAssociatedWithWAF',
    ]) {
      expect([rule, withOptions.has(rule)]).toEqual([rule, false]);
    }
    // Turning point-in-time recovery off leaves the backup-plan findings to the owner, with PITR's own.
    expect(rules({ pointInTimeRecovery: false }).has('NIST.800.53.R5-DynamoDBInBackupPlan')).toBe(false);
  });

  it('states each reason in terms a reviewer can check', () => {
    expect(REASONS.noCache).toMatch(/join token/i);
    expect(REASONS.noClientCertificate).toMatch(/Lambda proxy integration/);
    expect(REASONS.noDlq).toMatch(/synchronously/);
    expect(REASONS.noReservedConcurrency).toMatch(/reservedConcurrentExecutions/);
    expect(REASONS.logsDefaultEncryption).toMatch(/logEncryptionKey/);
    expect(REASONS.noWaf).toMatch(/webAclArn/);
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
