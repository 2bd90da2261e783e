import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ChimeJoinServiceProps } from '../chime-join-service';
import { DEFAULT_ATTENDEE_TTL_SECONDS, MEDIA_REGIONS } from '../contract';
import { JoinAuthorization } from '../join-authorization';
import { MeetingCreation } from '../meeting-creation';
import { controlRegionProblem } from './events';
import type { LogSettings } from './log-groups';

/**
 * Every default of the construct, in one place (the README's "Defaults" table lists the same). Props are merged
 * over them once, in `resolveProps`, and checked there: a bad value fails synthesis with a message that names the
 * prop, unless it is a token, which only deployment can judge.
 */
/** Chime ends a meeting at the latest 24 hours after it was created (SERVICE.md, the events reference). */
const MAX_MEETING_SECONDS = 24 * 60 * 60;

export const DEFAULTS = {
  includeMeeting: true,
  attendeeTtl: Duration.seconds(DEFAULT_ATTENDEE_TTL_SECONDS),
  logRetention: logs.RetentionDays.ONE_YEAR,
  corsAllowOrigins: [] as string[],
  throttlingRateLimit: 100,
  throttlingBurstLimit: 200,
  stageName: 'prod',
  cloudWatchRole: false,
  pointInTimeRecovery: true,
  tableRemovalPolicy: RemovalPolicy.RETAIN,
  meetingCreation: MeetingCreation.ADMINS,
  mediaRegions: [] as string[],
  sweepInterval: Duration.minutes(15),
} as const;

/** The thresholds of `addAlarms()`, each overridable by its option. */
export interface AlarmThresholds {
  readonly serverErrors: number;
  readonly chimeThrottles: number;
  readonly joinLatency: Duration;
}
export const ALARM_DEFAULTS: AlarmThresholds = {
  serverErrors: 5,
  chimeThrottles: 50,
  joinLatency: Duration.seconds(3),
};

/**
 * The Amazon Chime SDK Meetings control regions (AWS General Reference, "Amazon Chime SDK endpoints and quotas",
 * Meetings endpoints). Media regions are more; a control region can create meetings in any of them.
 */
export const CHIME_CONTROL_REGIONS: readonly string[] = [
  'us-east-1',
  'us-west-2',
  'af-south-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-2',
  'il-central-1',
  'us-gov-east-1',
  'us-gov-west-1',
];

/** The props with every default applied and every value checked. */
export interface ResolvedProps {
  readonly authorization: JoinAuthorization;
  readonly includeMeeting: boolean;
  readonly attendeeTtl: Duration;
  /** The retention and key of every log group the construct creates. */
  readonly logs: LogSettings;
  /** Reserved for each function; undefined: none. */
  readonly reservedConcurrentExecutions?: number;
  readonly chimeRegion: string;
  readonly corsAllowOrigins: readonly string[];
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly stageName: string;
  readonly cloudWatchRole: boolean;
  readonly webAclArn?: string;
  readonly perCallerRateLimit?: number;
  /** An existing table, or undefined when the construct creates one with `newTable`. */
  readonly existingTable?: dynamodb.ITable;
  /** An existing meeting table, or undefined when the construct creates one with `newTable`'s settings. */
  readonly existingMeetingTable?: dynamodb.ITable;
  readonly meetingCreation: MeetingCreation;
  readonly mediaRegions: readonly string[];
  readonly sweepInterval: Duration;
  readonly newTable: {
    readonly encryptionKey?: kms.IKey;
    readonly pointInTimeRecovery: boolean;
    readonly removalPolicy: RemovalPolicy;
  };
}

export function resolveProps(scope: Construct, props: ChimeJoinServiceProps): ResolvedProps {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };

  const attendeeTtl = props.attendeeTtl ?? DEFAULTS.attendeeTtl;
  if (!attendeeTtl.isUnresolved()) {
    check(
      attendeeTtl.toSeconds() >= MAX_MEETING_SECONDS,
      `attendeeTtl must be at least 24 hours, Chime's maximum meeting length (a mapping must not expire while its ` +
        `attendee can still be in the meeting), got ${attendeeTtl.toHumanString()}`,
    );
  }

  const corsAllowOrigins = props.corsAllowOrigins ?? DEFAULTS.corsAllowOrigins;
  for (const origin of corsAllowOrigins) {
    if (Token.isUnresolved(origin)) continue;
    check(
      origin !== '*',
      "corsAllowOrigins must list origins, not '*': every web page could then read the join tokens this API hands out",
    );
    check(
      origin === '*' || /^https?:\/\/[^/\s*?#]+$/.test(origin),
      `corsAllowOrigins entries must be origins such as https://app.example.com (scheme and host, no path), got "${origin}"`,
    );
  }

  const throttlingRateLimit = props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit;
  if (!Token.isUnresolved(throttlingRateLimit)) {
    check(
      Number.isFinite(throttlingRateLimit) && throttlingRateLimit >= 0,
      `throttlingRateLimit must be a number of requests per second of 0 or more, got ${throttlingRateLimit}`,
    );
  }
  const throttlingBurstLimit = props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit;
  if (!Token.isUnresolved(throttlingBurstLimit)) {
    check(
      Number.isSafeInteger(throttlingBurstLimit) && throttlingBurstLimit >= 0,
      `throttlingBurstLimit must be a whole number of requests of 0 or more, got ${throttlingBurstLimit}`,
    );
  }

  const chimeRegion = props.chimeRegion ?? Stack.of(scope).region;
  if (!Token.isUnresolved(chimeRegion)) {
    check(
      CHIME_CONTROL_REGIONS.includes(chimeRegion),
      `chimeRegion must be an Amazon Chime SDK Meetings control region (${CHIME_CONTROL_REGIONS.join(', ')}), got "${chimeRegion}"` +
        (props.chimeRegion === undefined ? ': the stack is in a region without one, so set chimeRegion' : ''),
    );
  }

  const eventsProblem = controlRegionProblem(scope, chimeRegion, props.chimeEventsForwarded ?? false);
  if (eventsProblem) problems.push(eventsProblem);

  const sweepInterval = props.sweepInterval ?? DEFAULTS.sweepInterval;
  if (!sweepInterval.isUnresolved()) {
    check(
      sweepInterval.toMinutes({ integral: false }) >= 1 && sweepInterval.toHours({ integral: false }) <= 24,
      `sweepInterval must be from one minute to 24 hours, got ${sweepInterval.toHumanString()}`,
    );
  }

  const stageName = props.stageName ?? DEFAULTS.stageName;
  if (!Token.isUnresolved(stageName)) {
    check(
      /^[A-Za-z0-9_-]{1,128}$/.test(stageName),
      `stageName may contain only letters, digits, hyphens and underscores (1 to 128), got "${stageName}"`,
    );
  }

  if (props.webAclArn !== undefined && !Token.isUnresolved(props.webAclArn)) {
    check(
      /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[^/]+\/[^/]+$/.test(props.webAclArn),
      `webAclArn must be the ARN of a regional AWS WAF web ACL (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>), got "${props.webAclArn}"`,
    );
  }

  const rate = props.perCallerRateLimit;
  if (rate !== undefined) {
    check(
      props.webAclArn === undefined,
      'perCallerRateLimit creates the web ACL of the stage, and a stage has one: with webAclArn, add a rate-based rule to your web ACL instead',
    );
    if (!Token.isUnresolved(rate)) {
      check(
        Number.isInteger(rate) && rate >= 10 && rate <= 2_000_000_000,
        `perCallerRateLimit must be a whole number of requests from 10 to 2000000000 (per 5 minutes, AWS WAF's limits), got ${rate}`,
      );
    }
  }

  const reservedConcurrentExecutions = props.reservedConcurrentExecutions;
  if (reservedConcurrentExecutions !== undefined && !Token.isUnresolved(reservedConcurrentExecutions)) {
    check(
      Number.isSafeInteger(reservedConcurrentExecutions) && reservedConcurrentExecutions >= 1,
      `reservedConcurrentExecutions must be a whole number of 1 or more (0 would stop every function), got ${reservedConcurrentExecutions}`,
    );
  }

  const authorization = props.authorization ?? JoinAuthorization.iam();
  for (const problem of authorization._problems()) problems.push(`authorization: ${problem}`);

  const mediaRegions = props.mediaRegions ?? DEFAULTS.mediaRegions;
  for (const region of mediaRegions) {
    if (Token.isUnresolved(region)) continue;
    check(
      (MEDIA_REGIONS as readonly string[]).includes(region),
      `mediaRegions entries must be Amazon Chime SDK media regions (${MEDIA_REGIONS.join(', ')}), got "${region}"`,
    );
  }

  // The new-table settings apply to the tables the construct creates; with both tables given, to none.
  if (props.table && props.meetingTable) {
    const ignored = (['encryptionKey', 'pointInTimeRecovery', 'tableRemovalPolicy'] as const).filter(
      (name) => props[name] !== undefined,
    );
    check(
      ignored.length === 0,
      `${ignored.join(', ')} ${ignored.length === 1 ? 'applies' : 'apply'} only to the tables the construct creates, ` +
        'and both `table` and `meetingTable` are existing ones: configure them where they are defined (import them ' +
        'with their keys to have the functions granted their use)',
    );
  }

  if (problems.length > 0) {
    throw new Error(`Invalid ChimeJoinService props at ${scope.node.path}:\n- ${problems.join('\n- ')}`);
  }

  return {
    authorization,
    includeMeeting: props.includeMeeting ?? DEFAULTS.includeMeeting,
    attendeeTtl,
    logs: { retention: props.logRetention ?? DEFAULTS.logRetention, encryptionKey: props.logEncryptionKey },
    reservedConcurrentExecutions,
    chimeRegion,
    corsAllowOrigins,
    throttlingRateLimit,
    throttlingBurstLimit,
    stageName,
    cloudWatchRole: props.cloudWatchRole ?? DEFAULTS.cloudWatchRole,
    webAclArn: props.webAclArn,
    perCallerRateLimit: props.perCallerRateLimit,
    existingTable: props.table,
    existingMeetingTable: props.meetingTable,
    meetingCreation: props.meetingCreation ?? DEFAULTS.meetingCreation,
    mediaRegions,
    sweepInterval,
    newTable: {
      encryptionKey: props.encryptionKey,
      pointInTimeRecovery: props.pointInTimeRecovery ?? DEFAULTS.pointInTimeRecovery,
      removalPolicy: props.tableRemovalPolicy ?? DEFAULTS.tableRemovalPolicy,
    },
  };
}
