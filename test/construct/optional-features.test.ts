// The props and modes that change the template only when used, each stated by what it adds: an event bus to
// republish on, media regions, a per-caller rate limit in each authorization mode, a log encryption key (ours or
// imported), an open API, a custom authorizer, the meeting access default, a customer managed table key, and the
// principals grantedPrincipalsOnly can name.
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ChimeJoinService, JoinAuthorization, JoinServiceOperation, MeetingAccess } from '../../lib';
import { ENV } from '../../lib/contract';
import { logicalId, synthService } from './template-helpers';

/** Every function's environment variables. */
const environments = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function')).map(
    (fn) => (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
  );

/** The one function of an operation's environment. */
const environmentOf = (template: Template, id: string) =>
  template.toJSON().Resources[logicalId(template, 'AWS::Lambda::Function', `JoinService${id}`)].Properties.Environment
    .Variables as Record<string, unknown>;

/** A custom authorizer, as a platform team would pass one. */
const customAuthorizer = (scope: Construct) =>
  new apigateway.TokenAuthorizer(scope, 'Authorizer', {
    handler: new lambda.Function(scope, 'AuthorizerFn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    }),
  });

describe('eventBus', () => {
  it('names the bus to the functions and lets the event function put events on it', () => {
    const { template } = synthService({}, (stack) => ({ eventBus: new events.EventBus(stack, 'Bus') }));
    const bus = logicalId(template, 'AWS::Events::EventBus', 'Bus');
    expect(environmentOf(template, 'MeetingEvents')[ENV.eventBusName]).toEqual({ Ref: bus });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [bus, 'Arn'] } },
        ]),
      },
      Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', 'JoinServiceMeetingEventsRole') }],
    });
  });

  it('leaves the variable out without one', () => {
    const { template } = synthService();
    for (const variables of environments(template)) expect(Object.keys(variables)).not.toContain(ENV.eventBusName);
  });
});

describe('mediaRegions', () => {
  it('hands the functions the allow-list, comma-separated, and an empty one by default', () => {
    const { template } = synthService({ mediaRegions: ['eu-west-1', 'us-east-1'] });
    expect(environmentOf(template, 'JoinMeeting')[ENV.mediaRegions]).toBe('eu-west-1,us-east-1');
    expect(environmentOf(synthService().template, 'JoinMeeting')[ENV.mediaRegions]).toBe('');
  });

  it("restricts the request models' MediaRegion to the allow-list, and leaves the model's list by default", () => {
    /** Each request model that takes a MediaRegion, by name, with the values its schema allows. */
    const enums = (template: Template) =>
      Object.fromEntries(
        Object.values(template.findResources('AWS::ApiGateway::Model'))
          .filter((m) => m.Properties.Schema.properties?.MediaRegion)
          .map((m) => [m.Properties.Name, m.Properties.Schema.properties.MediaRegion.enum]),
      );
    const restricted = enums(synthService({ mediaRegions: ['eu-west-1', 'us-east-1'] }).template);
    expect(Object.keys(restricted).sort()).toEqual(['CreateMeetingRequest', 'JoinMeetingRequest']);
    for (const values of Object.values(restricted)) expect(values).toEqual(['eu-west-1', 'us-east-1']);
    for (const values of Object.values(enums(synthService().template))) {
      expect(values).toHaveLength(20);
      expect(values).toEqual(expect.arrayContaining(['af-south-1', 'us-gov-west-1']));
    }
  });
});

describe('the dead-letter queue alarm', () => {
  it('says what failed', () => {
    const { template } = synthService({}, undefined, (service) => service.addAlarms());
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(alarm?.Properties).toMatchObject({
      AlarmDescription: 'Chime join service: meeting events or sweep runs failed every retry (dead-letter queue)',
      Period: 300,
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('perCallerRateLimit', () => {
  const webAcl = (template: Template) => Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties;

  it('Cognito mode keys the rule on the Authorization header, as the custom mode does', () => {
    const { template } = synthService({}, (stack) => ({
      perCallerRateLimit: 100,
      authorization: JoinAuthorization.cognito(new cognito.UserPool(stack, 'Users')),
    }));
    expect(webAcl(template).Rules[0].Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
    });
  });

  it('the web ACL itself: metrics on, sampled requests (which would show tokens) off', () => {
    const { template } = synthService({ perCallerRateLimit: 100 });
    expect(webAcl(template).VisibilityConfig).toEqual({
      CloudWatchMetricsEnabled: true,
      SampledRequestsEnabled: false,
      MetricName: 'TestStackJoinServiceB912A259WebAcl',
    });
  });

  it('names metrics and the WAF log group from the construct path, within their limits', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
    new ChimeJoinService(new Construct(stack, 'Deeply'.repeat(30)), 'JoinService', { perCallerRateLimit: 100 });
    const template = Template.fromStack(stack);
    const acl = webAcl(template);
    // 100 characters of path and hash, then the metric's own suffix.
    expect(acl.VisibilityConfig.MetricName).toMatch(/^[A-Za-z0-9]{100}WebAcl$/);
    expect(acl.Rules[0].VisibilityConfig.MetricName).toMatch(/^[A-Za-z0-9]{100}PerCaller$/);
    // AWS WAF logs only to groups named aws-waf-logs-*; the rest is the path, hyphen-separated (up to 400).
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName);
    expect(groups.filter((name) => typeof name === 'string')).toEqual([
      expect.stringMatching(/^aws-waf-logs-TestStack-(Deeply){30}-JoinService-[0-9A-F]{8}$/),
    ]);
  });
});

describe('logEncryptionKey', () => {
  it("adds one statement to a key of the app's, and warns about nothing", () => {
    const { template, stack } = synthService({}, (s) => ({ logEncryptionKey: new kms.Key(s, 'LogKey') }));
    const statements = template.toJSON().Resources[logicalId(template, 'AWS::KMS::Key', 'LogKey')].Properties.KeyPolicy
      .Statement as Array<Record<string, unknown>>;
    expect(statements.filter((s) => s.Sid === 'AllowCloudWatchLogsOfThisAccount')).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logs.us-east-1.amazonaws.com' },
        Resource: '*',
      }),
    ]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('logEncryptionKey'));
  });

  it("says what an imported key's policy must allow", () => {
    const { stack } = synthService({}, (s) => ({
      logEncryptionKey: kms.Key.fromKeyArn(s, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/0b0b0b0b-1111'),
    }));
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/JoinService',
      "logEncryptionKey: this key's policy cannot be changed here (an imported key). Its policy must allow " +
        'logs.us-east-1.amazonaws.com kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and ' +
        "kms:Describe* with the condition ArnLike kms:EncryptionContext:aws:logs:arn on this account's log groups, " +
        'or creating the log groups fails. [ack: cdk-chime-join-service:logEncryptionKey]',
    );
  });
});

describe('authorization modes', () => {
  it('none(): warns, in words its owner can acknowledge, that every route is open', () => {
    const { stack } = synthService({ authorization: JoinAuthorization.none() });
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/JoinService',
      'JoinAuthorization.none(): every route of this join service is open to anyone who can reach it, including ' +
        'batch joins, attendee lists and deletes. Use JoinAuthorization.iam(), cognito() or custom() in production. ' +
        '[ack: cdk-chime-join-service:openApi]',
    );
  });

  it('a join names its user in the body only where no token does', () => {
    expect(JoinAuthorization.none().bodyNamesUser).toBe(true);
    expect(JoinAuthorization.iam().bodyNamesUser).toBe(true);
    const required = (template: Template) =>
      Object.values(template.findResources('AWS::ApiGateway::Model')).find(
        (m) => m.Properties.Name === 'CreateAttendeeRequest',
      )?.Properties.Schema.required;
    expect(required(synthService({ authorization: JoinAuthorization.none() }).template)).toEqual(['ExternalUserId']);
    const custom = synthService({}, (stack) => ({ authorization: JoinAuthorization.custom(customAuthorizer(stack)) }));
    expect(required(custom.template)).toBeUndefined();
    expect(JoinAuthorization.custom(customAuthorizer(new Stack())).bodyNamesUser).toBe(false);
  });
});

describe('meetingAccess', () => {
  it('open() is a policy of its own, naming no function', () => {
    const open = MeetingAccess.open();
    expect(open).toBeInstanceOf(MeetingAccess);
    expect(open.accessFunction).toBeUndefined();
  });
});

describe('a customer managed key on the tables', () => {
  it("acknowledges the key's wildcard actions on the roles that write, and no other action", () => {
    const { service } = synthService({}, (stack) => ({ encryptionKey: new kms.Key(stack, 'TableKey') }));
    const kmsAcks = (operation: JoinServiceOperation) =>
      service
        .roleFor(operation)
        .node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, unknown>))
        .map((id) => id.replace(/^annotation::/i, ''))
        .filter((id) => id.includes('Action::kms:'))
        .sort();
    expect(kmsAcks(JoinServiceOperation.CREATE_MEETING)).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    ]);
    // Reads only: no wildcard action, nothing acknowledged.
    expect(kmsAcks(JoinServiceOperation.LIST_USER_ATTENDEES)).toEqual([]);
  });
});

describe('grantedPrincipalsOnly', () => {
  it('refuses a grantee the policy cannot name by ARN (a service principal)', () => {
    const { service } = synthService({ authorization: JoinAuthorization.iam({ grantedPrincipalsOnly: true }) });
    expect(() => service.grantJoin(new iam.ServicePrincipal('lambda.amazonaws.com'))).toThrow(
      'grantedPrincipalsOnly admits principals by ARN (aws:PrincipalArn): grant a role or a user, not ' +
        'ServicePrincipal(lambda.amazonaws.com)',
    );
  });

  it('refuses a principal whose policy fragment names no ARN', () => {
    const { service } = synthService({ authorization: JoinAuthorization.iam({ grantedPrincipalsOnly: true }) });
    const noArns = new (class extends iam.PrincipalBase {
      public readonly policyFragment = new iam.PrincipalPolicyFragment({ AWS: [] });
      public dedupeString(): string | undefined {
        return undefined;
      }
      public toString(): string {
        return 'NoArns';
      }
    })();
    expect(() => service.grantJoin(noArns)).toThrow(
      'grantedPrincipalsOnly admits principals by ARN (aws:PrincipalArn): grant a role or a user, not NoArns',
    );
  });
});
