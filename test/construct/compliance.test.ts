// What the compliance packs ask for that is real here, stated as intent: logs that keep no canonical requests, a TLS
// floor, encrypted log groups, reserved concurrency, an execution log group with the construct's retention, alarm
// actions and an API name of its own (test/construct/cdk-nag.test.ts runs the packs themselves).
import { Lazy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ChimeJoinService } from '../../lib';
import { BACKGROUND_TABLE, OPERATION_TABLE } from '../../lib/operations';
import { logicalId, render, synthService } from './template-helpers';

const FUNCTION_COUNT = OPERATION_TABLE.length + BACKGROUND_TABLE.length;

describe('logs and transport', () => {
  const { template } = synthService();
  const stage = () => Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];

  it('keeps $context.error.message out of the access log (for a bad signature it carries the canonical request)', () => {
    const format: string = stage().Properties.AccessLogSetting.Format;
    expect(format).not.toContain('$context.error.message');
    expect(format).not.toContain('$context.error.messageString');
    // The error class stays: enough to tell a bad signature from a throttle.
    expect(JSON.parse(format)).toMatchObject({ errorType: '$context.error.responseType' });
  });

  it('accepts TLS 1.2 or newer only (an enhanced security policy, with the endpoint access mode it requires)', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_2021_06',
      EndpointAccessMode: 'BASIC',
    });
  });

  it('names the API after the construct, so two join services in one account and region differ', () => {
    const { stack, template: two } = synthService({}, undefined, (_service, stack) => {
      new ChimeJoinService(stack, 'OtherJoinService');
    });
    const names = Object.values(two.findResources('AWS::ApiGateway::RestApi')).map((api) => api.Properties.Name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    expect(names[0]).toMatch(/^TestStack-JoinService-[A-Z0-9]{8}$/);
    expect(names[1]).toMatch(/^TestStack-OtherJoinService-[A-Z0-9]{8}$/);
    expect(stack.stackName).toBe('TestStack');
  });
});

describe('log groups', () => {
  it('creates the API Gateway execution log group itself, with the construct retention and no other name', () => {
    const { template } = synthService({ stageName: 'v1', logRetention: logs.RetentionDays.ONE_MONTH });
    const apiId = logicalId(template, 'AWS::ApiGateway::RestApi', 'JoinServiceApi');
    const groups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.anyValue() },
    });
    const names = Object.values(groups).map((group) => render(group.Properties.LogGroupName));
    expect(names).toEqual([`API-Gateway-Execution-Logs_\${${apiId}}/v1`]);
    const [[executionLogsId, executionLogs]] = Object.entries(groups);
    expect(executionLogs.Properties.RetentionInDays).toBe(30);
    // The stage must not start logging before the group exists, or API Gateway makes one without expiry.
    const stageId = logicalId(template, 'AWS::ApiGateway::Stage', 'JoinServiceApiDeploymentStage');
    expect(template.toJSON().Resources[stageId].DependsOn).toContain(executionLogsId);
  });

  it('keeps every log group the construct creates for the retention, the execution log group included', () => {
    const { template } = synthService();
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(FUNCTION_COUNT + 2); // one per function, the access log, the execution log
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(365);
  });

  it('encrypts every log group with logEncryptionKey, and lets CloudWatch Logs use the key for log groups only', () => {
    const { template } = synthService({}, (stack) => ({
      logEncryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }),
    }));
    const keyId = logicalId(template, 'AWS::KMS::Key', 'LogKey');
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(FUNCTION_COUNT + 2);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });

    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as Array<Record<string, any>>;
    const logsStatement = statements.find((s) => render(s.Principal?.Service ?? '') === 'logs.us-east-1.amazonaws.com');
    expect(logsStatement).toBeDefined();
    expect([logsStatement!.Action].flat().sort()).toEqual([
      'kms:Decrypt*',
      'kms:Describe*',
      'kms:Encrypt*',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
    ]);
    expect(render(logsStatement!.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toBe(
      'arn:${AWS::Partition}:logs:us-east-1:123456789012:log-group:*',
    );
  });

  it('leaves the log groups on CloudWatch Logs encryption by default', () => {
    const { template } = synthService();
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.KmsKeyId).toBeUndefined();
    }
  });

  it("warns when the key's policy cannot be changed here (an imported key)", () => {
    const { stack } = synthService({}, (stack) => ({
      logEncryptionKey: kms.Key.fromKeyArn(
        stack,
        'Imported',
        'arn:aws:kms:us-east-1:123456789012:key/0b0b0b0b-1111-2222-3333-444444444444',
      ),
    }));
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/JoinService',
      Match.stringLikeRegexp('logEncryptionKey.*logs\\.us-east-1\\.amazonaws\\.com'),
    );
  });
});

describe('reserved concurrency', () => {
  it('reserves the concurrency given for every function of the service', () => {
    const { template } = synthService({ reservedConcurrentExecutions: 20 });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(FUNCTION_COUNT);
    for (const fn of functions) expect(fn.Properties.ReservedConcurrentExecutions).toBe(20);
  });

  it('reserves none by default (the account pool, bounded by the stage throttling)', () => {
    const { template } = synthService();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('leaves a token to deployment', () => {
    expect(() => synthService({ reservedConcurrentExecutions: Lazy.number({ produce: () => 0 }) })).not.toThrow();
  });
});

describe('alarm actions', () => {
  it('applies alarmActions to every alarm addAlarms() makes', () => {
    let topicId = '';
    const { template } = synthService({}, undefined, (service, stack) => {
      const topic = new sns.Topic(stack, 'OnCall');
      topicId = stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic);
      const alarms = service.addAlarms({ alarmActions: [new cloudwatchActions.SnsAction(topic)] });
      expect(alarms.length).toBeGreaterThanOrEqual(6);
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('adds no action unless given', () => {
    const { template } = synthService({}, undefined, (service) => service.addAlarms());
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });
});
