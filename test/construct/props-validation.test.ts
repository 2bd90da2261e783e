// Bad props fail synthesis with a message that names the prop and the rule; tokens are left to deployment.
import { App, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ChimeJoinService, type ChimeJoinServiceProps, JoinAuthorization } from '../../lib';
import { synthService } from './template-helpers';

/** Both tables existing: the new-table props would apply to nothing. */
const existingTables = (stack: Stack) => ({
  table: dynamodb.Table.fromTableName(stack, 'Existing', 'attendees'),
  meetingTable: dynamodb.Table.fromTableName(stack, 'ExistingMeetings', 'meetings'),
});

/** Cognito authorization with the options given. */
const cognitoWith = (options: { identityClaim?: string; adminGroup?: string }) => (stack: Stack) => ({
  authorization: JoinAuthorization.cognito(new cognito.UserPool(stack, 'Users'), options),
});

describe('props checked at synthesis', () => {
  it.each<[string, ChimeJoinServiceProps | ((stack: Stack) => ChimeJoinServiceProps), RegExp]>([
    ["corsAllowOrigins: ['*']", { corsAllowOrigins: ['*'] }, /corsAllowOrigins must list origins, not '\*'/],
    ['an origin with a path', { corsAllowOrigins: ['https://app.example.com/app'] }, /scheme and host, no path/],
    ['an origin without a scheme', { corsAllowOrigins: ['app.example.com'] }, /must be origins/],
    ['throttlingRateLimit: -1', { throttlingRateLimit: -1 }, /throttlingRateLimit must be .* 0 or more, got -1/],
    ['throttlingRateLimit: NaN', { throttlingRateLimit: NaN }, /throttlingRateLimit/],
    ['throttlingBurstLimit: 1.5', { throttlingBurstLimit: 1.5 }, /throttlingBurstLimit must be a whole number/],
    ['throttlingBurstLimit: -2', { throttlingBurstLimit: -2 }, /throttlingBurstLimit/],
    [
      "chimeRegion: 'mars-1'",
      { chimeRegion: 'mars-1' },
      /chimeRegion must be an Amazon Chime SDK Meetings control region .* got "mars-1"/,
    ],
    ["chimeRegion: 'eu-west-1' (media only)", { chimeRegion: 'eu-west-1' }, /control region/],
    [
      'a webAclArn that is not an ARN',
      { webAclArn: 'my-acl' },
      /webAclArn must be the ARN of a regional AWS WAF web ACL/,
    ],
    [
      'a global (CloudFront) web ACL',
      { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/acl/0123' },
      /regional AWS WAF web ACL/,
    ],
    ['a stageName with a space', { stageName: 'my stage' }, /stageName may contain only letters, digits/],
    ['an empty stageName', { stageName: '' }, /stageName/],
    ['attendeeTtl under 24 hours', { attendeeTtl: Duration.minutes(1439) }, /attendeeTtl must be at least 24 hours/],
    [
      'both existing tables with encryptionKey',
      (stack) => ({ ...existingTables(stack), encryptionKey: new kms.Key(stack, 'Key') }),
      /encryptionKey applies only to the tables the construct creates/,
    ],
    [
      'both existing tables with pointInTimeRecovery',
      (stack) => ({ ...existingTables(stack), pointInTimeRecovery: false }),
      /pointInTimeRecovery applies only to the tables the construct creates/,
    ],
    [
      'both existing tables with tableRemovalPolicy',
      (stack) => ({ ...existingTables(stack), tableRemovalPolicy: RemovalPolicy.DESTROY }),
      /tableRemovalPolicy applies only/,
    ],
    [
      'a media region Chime does not have',
      { mediaRegions: ['eu-central-1', 'mars-1'] },
      /mediaRegions entries must be/,
    ],
    // An empty admin group or claim would fall back to `admins` and `sub` in the handlers: more than was meant.
    [
      "adminGroup: ''",
      cognitoWith({ adminGroup: '' }),
      /authorization: JoinAuthorization\.cognito\(\) adminGroup must name a user pool group \(1 to 128 characters\), got ""/,
    ],
    ["adminGroup: '  '", cognitoWith({ adminGroup: '  ' }), /adminGroup must name a user pool group/],
    ['adminGroup over 128 characters', cognitoWith({ adminGroup: 'a'.repeat(129) }), /adminGroup must name/],
    [
      "identityClaim: ''",
      cognitoWith({ identityClaim: '' }),
      /authorization: JoinAuthorization\.cognito\(\) identityClaim must name a token claim, got ""/,
    ],
    ["identityClaim: ' sub'", cognitoWith({ identityClaim: ' sub' }), /identityClaim must name a token claim/],
    ['reservedConcurrentExecutions: 0', { reservedConcurrentExecutions: 0 }, /reservedConcurrentExecutions must be/],
    ['reservedConcurrentExecutions: -1', { reservedConcurrentExecutions: -1 }, /reservedConcurrentExecutions/],
    ['reservedConcurrentExecutions: 2.5', { reservedConcurrentExecutions: 2.5 }, /reservedConcurrentExecutions/],
  ])('refuses %s', (_name, props, message) => {
    const extend = typeof props === 'function' ? props : () => props;
    expect(() => synthService(undefined, extend)).toThrow(message);
  });

  it('applies the new-table props to the meeting table when only the attendee table exists', () => {
    const { template } = synthService(undefined, (stack) => ({
      table: dynamodb.Table.fromTableName(stack, 'Existing', 'attendees'),
      pointInTimeRecovery: false,
    }));
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    });
  });

  it("refuses a chimeRegion other than the stack's (Chime's events arrive there only), saying what to do", () => {
    expect(() => synthService({ chimeRegion: 'eu-central-1' })).toThrow(
      /chimeRegion \(eu-central-1\) differs from the stack's region \(us-east-1\): Chime delivers meeting events to EventBridge in eu-central-1 only.*Deploy the join service in a stack in eu-central-1, or forward aws\.chime events .* set chimeEventsForwarded: true/,
    );
    expect(() => synthService({ chimeRegion: 'eu-central-1', chimeEventsForwarded: true })).not.toThrow();
  });

  it.each([
    ['under a minute', Duration.seconds(30)],
    ['over a day', Duration.hours(25)],
  ])('refuses a sweepInterval %s', (_name, sweepInterval) => {
    expect(() => synthService({ sweepInterval })).toThrow(/sweepInterval must be from one minute to 24 hours/);
  });

  it('lists every problem at once, naming the construct', () => {
    expect(() => synthService({ throttlingRateLimit: -1, stageName: 'a b' })).toThrow(
      /Invalid ChimeJoinService props at TestStack\/JoinService:\n- throttlingRateLimit.*\n- stageName/,
    );
  });

  it('refuses a stack region without a Chime control region unless chimeRegion names one', () => {
    const stackIn = (region: string) => new Stack(new App(), 'S', { env: { account: '123456789012', region } });
    expect(() => new ChimeJoinService(stackIn('eu-west-3'), 'JoinService')).toThrow(
      /got "eu-west-3": the stack is in a region without one, so set chimeRegion/,
    );
    expect(
      () =>
        new ChimeJoinService(stackIn('eu-west-3'), 'JoinService', {
          chimeRegion: 'eu-central-1',
          chimeEventsForwarded: true,
        }),
    ).not.toThrow();
  });

  it('leaves tokens to deployment (an environment-agnostic stack, lazy values)', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    expect(
      () =>
        new ChimeJoinService(agnostic, 'JoinService', {
          throttlingRateLimit: Lazy.number({ produce: () => -1 }),
          stageName: Lazy.string({ produce: () => 'a b' }),
          corsAllowOrigins: [Lazy.string({ produce: () => '*' })],
          reservedConcurrentExecutions: Lazy.number({ produce: () => 0 }),
          authorization: JoinAuthorization.cognito(new cognito.UserPool(agnostic, 'Users'), {
            adminGroup: Lazy.string({ produce: () => '' }),
            identityClaim: Lazy.string({ produce: () => '' }),
          }),
        }),
    ).not.toThrow();
  });

  it('accepts the edge values', () => {
    expect(() =>
      synthService({
        corsAllowOrigins: ['http://localhost:3000', 'https://app.example.com'],
        throttlingRateLimit: 0,
        throttlingBurstLimit: 0,
        chimeRegion: 'us-gov-west-1',
        chimeEventsForwarded: true,
        stageName: 'v1_beta-2',
        webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/a1b2c3',
        attendeeTtl: Duration.hours(24),
        reservedConcurrentExecutions: 1,
      }),
    ).not.toThrow();
    expect(() =>
      synthService({}, cognitoWith({ adminGroup: 'a'.repeat(128), identityClaim: 'custom:id' })),
    ).not.toThrow();
  });
});
