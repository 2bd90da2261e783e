// What a refused prop says, in full: each problem is one line of the synthesis error, naming the prop, the rule and
// the value, and what to do where there is something to do. props-validation.test.ts covers which props are
// refused; this file pins the words and the edges of each rule, and the lookups that fail on a caller's bug.
import { Duration, Lazy, RemovalPolicy, type Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { type ChimeJoinServiceProps, JoinAuthorization, JoinServiceOperation } from '../../lib';
import { operationDefinition } from '../../lib/operations';
import { synthService } from './template-helpers';

type Props = ChimeJoinServiceProps | ((stack: Stack) => ChimeJoinServiceProps);

/** The problems a synthesis reports, one per line, without the heading that names the construct. */
function problemsOf(props: Props): string[] {
  try {
    synthService({}, (stack) => (typeof props === 'function' ? props(stack) : props));
  } catch (err) {
    const [heading, ...problems] = (err as Error).message.split('\n- ');
    expect(heading).toBe('Invalid ChimeJoinService props at TestStack/JoinService:');
    return problems;
  }
  return [];
}

const existingTables = (stack: Stack) => ({
  table: dynamodb.Table.fromTableName(stack, 'Existing', 'attendees'),
  meetingTable: dynamodb.Table.fromTableName(stack, 'ExistingMeetings', 'meetings'),
});

describe('the words of each problem', () => {
  it('chimeRegion lists the control regions, and only a stack region gets the advice to set it', () => {
    const controlRegions =
      'us-east-1, us-west-2, af-south-1, ap-south-1, ap-northeast-1, ap-northeast-2, ap-southeast-1, ' +
      'ap-southeast-2, ca-central-1, eu-central-1, eu-west-2, il-central-1, us-gov-east-1, us-gov-west-1';
    expect(problemsOf({ chimeRegion: 'mars-1', chimeEventsForwarded: true })).toEqual([
      `chimeRegion must be an Amazon Chime SDK Meetings control region (${controlRegions}), got "mars-1"`,
    ]);
  });

  it('mediaRegions names every media region and the entry refused', () => {
    expect(problemsOf({ mediaRegions: ['us-east-1', 'mars-1'] })).toEqual([
      'mediaRegions entries must be Amazon Chime SDK media regions (af-south-1, ap-northeast-1, ap-northeast-2, ' +
        'ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-west-1, ' +
        'eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, us-gov-west-1), ' +
        'got "mars-1"',
    ]);
  });

  it('the new-table settings name themselves, in the singular or the plural, when both tables exist', () => {
    const tail =
      'only to the tables the construct creates, and both `table` and `meetingTable` are existing ones: configure ' +
      'them where they are defined (import them with their keys to have the functions granted their use)';
    expect(problemsOf((stack) => ({ ...existingTables(stack), pointInTimeRecovery: false }))).toEqual([
      `pointInTimeRecovery applies ${tail}`,
    ]);
    expect(
      problemsOf((stack) => ({
        ...existingTables(stack),
        encryptionKey: new kms.Key(stack, 'Key'),
        tableRemovalPolicy: RemovalPolicy.DESTROY,
      })),
    ).toEqual([`encryptionKey, tableRemovalPolicy apply ${tail}`]);
  });

  it("a Cognito identityClaim with white space says what a claim's name may not have", () => {
    expect(
      problemsOf((stack) => ({
        authorization: JoinAuthorization.cognito(new cognito.UserPool(stack, 'Users'), { identityClaim: ' sub' }),
      })),
    ).toEqual([
      'authorization: JoinAuthorization.cognito() identityClaim must name a token claim, got " sub" ' +
        '(no empty name, no leading or trailing white space)',
    ]);
  });
});

describe('the edges of each rule', () => {
  const acl = (arn: string) => problemsOf({ webAclArn: arn });

  it('webAclArn: the whole value is a regional web ACL ARN, in any partition', () => {
    const arn = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/join/abc';
    expect(acl(arn)).toEqual([]);
    expect(acl('arn:aws-us-gov:wafv2:us-gov-west-1:123456789012:regional/webacl/join/abc')).toEqual([]);
    for (const bad of [
      `x${arn}`,
      `${arn}/more`,
      arn.replace('arn:aws:', 'arn:aws1:'),
      arn.replace('123456789012', '1234'),
    ]) {
      expect(acl(bad)).toEqual([
        'webAclArn must be the ARN of a regional AWS WAF web ACL ' +
          `(arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>), got "${bad}"`,
      ]);
    }
  });

  it("perCallerRateLimit: AWS WAF's upper bound is the last value allowed", () => {
    expect(problemsOf({ perCallerRateLimit: 2_000_000_000 })).toEqual([]);
    expect(problemsOf({ perCallerRateLimit: 2_000_000_001 })).toEqual([
      "perCallerRateLimit must be a whole number of requests from 10 to 2000000000 (per 5 minutes, AWS WAF's limits), " +
        'got 2000000001',
    ]);
  });

  it('sweepInterval: one minute and 24 hours are the bounds, both allowed', () => {
    expect(problemsOf({ sweepInterval: Duration.minutes(1) })).toEqual([]);
    expect(problemsOf({ sweepInterval: Duration.hours(24) })).toEqual([]);
    expect(problemsOf({ sweepInterval: Duration.seconds(59) })).toEqual([
      'sweepInterval must be from one minute to 24 hours, got 59 seconds',
    ]);
    expect(problemsOf({ sweepInterval: Duration.minutes(24 * 60 + 1) })).toEqual([
      'sweepInterval must be from one minute to 24 hours, got 1 day 1 minute',
    ]);
  });

  it('leaves tokens to deployment: a rate limit and a media region known only then', () => {
    expect(problemsOf({ perCallerRateLimit: Lazy.number({ produce: () => 100 }) })).toEqual([]);
    expect(problemsOf({ mediaRegions: ['us-east-1', Lazy.string({ produce: () => 'eu-west-1' })] })).toEqual([]);
    expect(Token.isUnresolved(Lazy.number({ produce: () => 100 }))).toBe(true);
  });
});

describe('more edges', () => {
  it("corsAllowOrigins: '*' is one problem, and an origin is the whole value", () => {
    expect(problemsOf({ corsAllowOrigins: ['*'] })).toEqual([
      "corsAllowOrigins must list origins, not '*': every web page could then read the join tokens this API hands out",
    ]);
    expect(problemsOf({ corsAllowOrigins: ['xhttps://app.example.com'] })).toEqual([
      'corsAllowOrigins entries must be origins such as https://app.example.com (scheme and host, no path), ' +
        'got "xhttps://app.example.com"',
    ]);
  });

  it('attendeeTtl says why 24 hours', () => {
    expect(problemsOf({ attendeeTtl: Duration.minutes(1439) })).toEqual([
      "attendeeTtl must be at least 24 hours, Chime's maximum meeting length (a mapping must not expire while its " +
        'attendee can still be in the meeting), got 23 hours 59 minutes',
    ]);
  });

  it('leaves a TTL, a burst limit and a sweep interval known only at deployment to it', () => {
    const later = (value: number) => Lazy.number({ produce: () => value });
    expect(problemsOf({ attendeeTtl: Duration.seconds(later(90_000)) })).toEqual([]);
    expect(problemsOf({ throttlingBurstLimit: later(10) })).toEqual([]);
    expect(problemsOf({ sweepInterval: Duration.minutes(later(5)) })).toEqual([]);
  });

  it('hands the functions a TTL known only at deployment as the string a variable must be', () => {
    const { template } = synthService({ attendeeTtl: Duration.seconds(Lazy.number({ produce: () => 90_000 })) });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(1);
    for (const fn of functions) expect(fn.Properties.Environment.Variables.ATTENDEE_TTL_SECONDS).toBe('90000');
  });
});

describe('addDashboard period', () => {
  it.each([Duration.seconds(30), Duration.seconds(90), Duration.seconds(59), Duration.minutes(0)])(
    'refuses %s',
    (period) => {
      const { service } = synthService();
      expect(() => service.addDashboard({ period })).toThrow(
        `addDashboard: period must be a whole number of minutes, got ${period.toHumanString()}`,
      );
    },
  );

  it('takes whole minutes', () => {
    const { service } = synthService();
    expect(() => service.addDashboard({ period: Duration.minutes(5) })).not.toThrow();
  });
});

describe('lookups a caller can get wrong', () => {
  it('functionFor, roleFor and logGroupFor name an operation the service does not have', () => {
    const { service } = synthService();
    const nope = 'nope' as JoinServiceOperation;
    expect(() => service.functionFor(nope)).toThrow('nope is not an operation of this join service');
    expect(() => service.roleFor(nope)).toThrow('nope is not an operation of this join service');
    expect(() => service.logGroupFor(nope)).toThrow('nope is not an operation of this join service');
  });

  it('the operation table has no route row for a background function', () => {
    expect(operationDefinition(JoinServiceOperation.JOIN_MEETING).path).toBe('/join');
    expect(() => operationDefinition(JoinServiceOperation.MEETING_EVENTS)).toThrow(
      'no row in the operation table for meeting-events',
    );
  });
});
