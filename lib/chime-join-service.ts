import { Duration, type RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ATTENDEE_TABLE, ENV, MEETING_TABLE } from './contract';
import type { JoinAuthorization } from './join-authorization';
import type { MeetingAccess } from './meeting-access';
import type { MeetingCreation } from './meeting-creation';
import {
  BACKGROUND_TABLE,
  type BackgroundDefinition,
  JoinServiceOperation,
  OPERATION_TABLE,
  type OperationDefinition,
} from './operations';
import { GranteePolicy } from './private/resource-policy';
import { addMethods, createRestApi } from './private/api';
import { addDashboardWidgets } from './private/dashboard';
import { addTriggers, createDeadLetterQueue } from './private/events';
import { ALARM_DEFAULTS, resolveProps, type ResolvedProps } from './private/defaults';
import { createOperationFunction, type FunctionSettings, type OperationResources } from './private/functions';
import { allowLogEncryption } from './private/log-groups';
import { acknowledgeAll, REASONS, RULES } from './nag-acknowledgements';
import { JoinServiceMetrics } from './private/metrics';
import { OperationPermissions } from './private/permissions';

/**
 * Properties of a `ChimeJoinService`. Every property is optional: the defaults are the secure,
 * production-ready configuration described in the README.
 */
export interface ChimeJoinServiceProps {
  /**
   * How callers authenticate.
   *
   * @default JoinAuthorization.iam() - every route requires SigV4; use `grantJoin` and `grantAdmin`
   */
  readonly authorization?: JoinAuthorization;

  /**
   * An existing table to keep the ExternalUserId-to-attendee mapping in, instead of creating one.
   *
   * It must have the shape the service relies on: partition key `ExternalUserId` (string), sort key
   * `MeetingId` (string), a global secondary index `byMeeting` (partition key `MeetingId`, sort key
   * `ExternalUserId`, projecting all attributes) and, ideally, TTL on `ExpiresAt`. If the table is
   * encrypted with a customer managed key, import it with that key (`encryptionKey`) so the functions
   * are granted its use. The table props below (`encryptionKey`, `tableRemovalPolicy`,
   * `pointInTimeRecovery`) apply only to a new table: passing them with `table` fails synthesis.
   *
   * @default - a new table is created
   */
  readonly table?: dynamodb.ITable;

  /**
   * An existing table to keep the meeting records in (one per ExternalMeetingId: the room's live meeting), instead
   * of creating one.
   *
   * It must have the shape the service relies on: partition key `ExternalMeetingId` (string), a global secondary
   * index `byMeetingId` (partition key `MeetingId`, projecting all attributes) and, ideally, TTL on `ExpiresAt`.
   *
   * @default - a new table is created
   */
  readonly meetingTable?: dynamodb.ITable;

  /**
   * Who may create meetings (`POST /meetings`, and `POST /join` of a room with no live meeting) in the token
   * authorization modes. In IAM mode, the callers granted those routes may.
   *
   * @default MeetingCreation.ADMINS
   */
  readonly meetingCreation?: MeetingCreation;

  /**
   * Who may join which meeting, with which capabilities, in the token authorization modes: any authenticated user
   * within the meeting's features (`open`), or a Lambda function of yours (`custom`), which fails closed.
   *
   * @default MeetingAccess.open()
   */
  readonly meetingAccess?: MeetingAccess;

  /**
   * The media regions meetings may be created in. A request naming another is refused with 400; a request naming
   * none gets the first of them.
   *
   * @default - every media region of the Chime SDK; a request naming none gets the Chime control region's
   */
  readonly mediaRegions?: string[];

  /**
   * An event bus to publish the service's own events on: `Attendee Joined`, `Attendee Left`, `Attendee Dropped`,
   * `Attendee Removed` and `Meeting Ended` (source `cdk-chime-join-service`), each with the MeetingId, the
   * ExternalMeetingId, the AttendeeId and the ExternalUserId it concerns, never a JoinToken.
   *
   * @default - the service publishes no events
   */
  readonly eventBus?: events.IEventBus;

  /**
   * How often the sweep checks the live meetings with Chime and closes those that ended without an event (Chime
   * delivers its events best effort). Each run makes at most 100 GetMeeting calls, least recently checked first.
   *
   * @default Duration.minutes(15)
   */
  readonly sweepInterval?: Duration;

  /**
   * Set when `chimeRegion` is not the stack's region and you forward Chime's meeting events from that region's
   * default event bus to this region's (Chime delivers them in its control region only). Without it such a
   * `chimeRegion` fails synthesis.
   *
   * @default false
   */
  readonly chimeEventsForwarded?: boolean;

  /**
   * A customer managed KMS key to encrypt the new tables with.
   *
   * @default - the table is encrypted with the AWS managed key for DynamoDB (`aws/dynamodb`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the new table when it is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;

  /**
   * Whether point-in-time recovery is enabled on the new table.
   *
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;

  /**
   * Whether the single-join route also returns the meeting (calling Chime `GetMeeting`), so that a client
   * gets everything `MeetingSessionConfiguration` needs in one response.
   *
   * @default true
   */
  readonly includeMeeting?: boolean;

  /**
   * How long a mapping lives after its user's latest join (each re-join renews it) before DynamoDB's TTL removes it.
   *
   * An Amazon Chime SDK meeting lasts at most 24 hours after it was created, and an attendee can stay in it all that
   * time without joining again, so the TTL must be at least 24 hours: a shorter one could remove the mapping of an
   * attendee still in the meeting. Records of removed attendees expire on the same TTL.
   *
   * @default Duration.hours(24) - Chime's maximum meeting length
   */
  readonly attendeeTtl?: Duration;

  /**
   * Browser origins allowed to call the API (CORS), for example `https://app.example.com`.
   *
   * @default - no CORS: browsers on other origins cannot call the API
   */
  readonly corsAllowOrigins?: string[];

  /**
   * Steady-state requests per second the API stage accepts across all routes.
   *
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the API stage accepts above the steady rate.
   *
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * How long the functions' logs and the API's access and execution logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A customer managed KMS key to encrypt every log group the construct creates with: each function's, the API's
   * access logs and its execution logs. The construct adds to the key's policy the statement CloudWatch Logs needs
   * (`logs.<region>.amazonaws.com` may use the key for this account's log groups); for a key whose policy it cannot
   * change (an imported key), synthesis warns and you add that statement where the key is defined.
   *
   * @default - CloudWatch Logs encrypts the log groups with a key it manages
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Concurrent executions reserved for each function of the service (every route's, the meeting-event function's
   * and the sweep's), so that the service always has them and never takes more. The account reserves this number
   * times the number of functions, so size it against the account's concurrency quota. A whole number of 1 or more.
   *
   * @default - no reservation: the functions share the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * The AWS Region of the Chime SDK Meetings control plane the functions call
   * (one of the Chime SDK control regions, for example `us-east-1`).
   *
   * @default - the region of the stack
   */
  readonly chimeRegion?: string;

  /**
   * The name of the API's deployment stage.
   *
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Whether to create the account-wide role that lets API Gateway write execution and access logs
   * (`AWS::ApiGateway::Account`). Leave it off when the account and region already have one set: there is
   * one such setting per account and region, shared by every API in it.
   *
   * @default false
   */
  readonly cloudWatchRole?: boolean;

  /**
   * The ARN of a regional AWS WAF web ACL to associate with the API's stage.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * A per-caller rate limit at the edge: the construct creates an AWS WAF web ACL for the API's stage with one
   * rate-based rule that blocks a caller who sends more than this many requests in 5 minutes (answered 403
   * `Forbidden`, "refused by the web ACL"), until their rate falls below it. A caller is their `Authorization`
   * header in the Cognito and custom modes (one user's token), and their IP address in IAM and open mode (a SigV4
   * header differs on every request). WAF's requests are logged to a log group of the construct (`aws-waf-logs-`
   * prefix, the same retention and key as the other logs). Between 10 and 2,000,000,000; not with `webAclArn`
   * (add such a rule to your own web ACL instead).
   *
   * @default - no per-caller limit; the stage's throttling applies to all callers together
   */
  readonly perCallerRateLimit?: number;
}

/** Thresholds of `ChimeJoinService.addAlarms()`. */
export interface JoinServiceAlarmOptions {
  /**
   * Server-side errors (InternalFailure, UpstreamFailure, ServiceUnavailable; each its own alarm) in 5 minutes
   * that raise the alarm.
   *
   * @default 5
   */
  readonly serverErrorThreshold?: number;

  /**
   * Throttled Chime calls in 5 minutes that raise the alarm.
   *
   * @default 50
   */
  readonly chimeThrottleThreshold?: number;

  /**
   * p99 latency of single joins that raises the alarm when it lasts 15 minutes.
   *
   * @default Duration.seconds(3)
   */
  readonly joinLatencyThreshold?: Duration;

  /**
   * Actions for every alarm `addAlarms()` makes (for example `new cloudwatch_actions.SnsAction(topic)`), taken when
   * an alarm goes into ALARM.
   *
   * @default - no actions: add your own to the alarms returned
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/** Options of `ChimeJoinService.addDashboard()`. */
export interface JoinServiceDashboardOptions {
  /**
   * A dashboard to add the join service's widgets to, below the widgets it holds, instead of creating one.
   *
   * @default - a new dashboard is created
   */
  readonly dashboard?: cloudwatch.Dashboard;

  /**
   * The name of the new dashboard (letters, digits, `-` and `_`). Not allowed together with `dashboard`.
   *
   * @default - CloudFormation generates a name
   */
  readonly dashboardName?: string;

  /**
   * The period of the graphs of rates, errors and latency: a whole number of minutes. The live meetings and the
   * attendees connected are drawn per sweep interval (`sweepInterval`), the interval at which the sweep counts them.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/**
 * A join service for Amazon Chime SDK meetings: a REST API whose routes create, batch-create, list and
 * delete meeting attendees, one Lambda function and least-privilege role per route, and a DynamoDB
 * table that maps ExternalUserIds to attendees.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
 * import { ChimeJoinService } from 'cdk-chime-join-service';
 *
 * declare const stack: Stack;
 * declare const backendRole: iam.IRole;
 *
 * const joinService = new ChimeJoinService(stack, 'JoinService', {
 *   corsAllowOrigins: ['https://meet.example.com'],
 * });
 * joinService.grantJoin(backendRole);
 */
export class ChimeJoinService extends Construct {
  /** The REST API. */
  public readonly api: apigateway.RestApi;

  /** The table mapping ExternalUserIds to meeting attendees. */
  public readonly table: dynamodb.ITable;

  /** The table of meeting records: one per ExternalMeetingId, holding the room's live meeting. */
  public readonly meetingTable: dynamodb.ITable;

  /** The URL of the API's deployment stage, ending in `/`. */
  public readonly url: string;

  /** Handles `POST /meetings/{MeetingId}/attendees`. */
  public readonly createAttendeeFunction: lambda.Function;

  /** Handles `POST /meetings/{MeetingId}/attendees/batch`. */
  public readonly batchCreateAttendeeFunction: lambda.Function;

  /** Handles `GET /meetings/{MeetingId}/attendees`. */
  public readonly listAttendeesFunction: lambda.Function;

  /** Handles `GET /users/{ExternalUserId}/attendees`. */
  public readonly listUserAttendeesFunction: lambda.Function;

  /** Handles `DELETE /meetings/{MeetingId}/attendees/{AttendeeId}`. */
  public readonly deleteAttendeeFunction: lambda.Function;

  /** The dead-letter queue of the meeting-event function and the sweep: what failed every retry. */
  public readonly deadLetterQueue: sqs.Queue;

  private readonly authorization: JoinAuthorization;
  private readonly granteePolicy?: GranteePolicy;
  private readonly sweepInterval: Duration;
  /** What `addAlarms()` made, for the dashboards (which read it when the app is synthesized). */
  private readonly alarms: cloudwatch.Alarm[] = [];
  private readonly operations = new Map<JoinServiceOperation, OperationResources & { method?: apigateway.Method }>();
  /** The `Service` dimension of this join service's metrics: its construct path, unique in the app. */
  private readonly metrics = new JoinServiceMetrics(this.node.path);

  /**
   * Creates the API, one function and role per route, and the table unless `table` names an existing one.
   *
   * @param scope the construct to create the join service in
   * @param id the construct ID of the join service, from which the IDs of its children derive
   * @param props the configuration, in which every property is optional
   */
  constructor(scope: Construct, id: string, props: ChimeJoinServiceProps = {}) {
    super(scope, id);
    const resolved = resolveProps(this, props);
    this.authorization = resolved.authorization;
    this.sweepInterval = resolved.sweepInterval;
    this.table = resolved.existingTable ?? this.createTable(resolved);
    this.meetingTable = resolved.existingMeetingTable ?? this.createMeetingTable(resolved);
    const boundAuthorization = resolved.authorization._bind(this);

    const environment: Record<string, string> = {
      [ENV.tableName]: this.table.tableName,
      [ENV.meetingIndexName]: ATTENDEE_TABLE.meetingIndexName,
      [ENV.includeMeeting]: String(resolved.includeMeeting),
      // A TTL known only at deployment (a token) stays one, rendered as the string a variable must be.
      [ENV.attendeeTtlSeconds]: Tokenization.stringifyNumber(resolved.attendeeTtl.toSeconds()),
      [ENV.chimeRegion]: resolved.chimeRegion,
      [ENV.corsAllowOrigins]: resolved.corsAllowOrigins.join(','),
      [ENV.metricsService]: this.node.path,
      [ENV.meetingTableName]: this.meetingTable.tableName,
      [ENV.meetingCreation]: resolved.meetingCreation,
      [ENV.mediaRegions]: resolved.mediaRegions.join(','),
      ...(props.eventBus && { [ENV.eventBusName]: props.eventBus.eventBusName }),
      ...boundAuthorization.environment,
    };
    const permissions = new OperationPermissions(
      this,
      this.table,
      this.meetingTable,
      resolved.chimeRegion,
      resolved.includeMeeting,
    );
    if (resolved.logs.encryptionKey) allowLogEncryption(this, resolved.logs.encryptionKey);
    const functionSettings: FunctionSettings = {
      environment,
      logs: resolved.logs,
      permissions,
      reservedConcurrentExecutions: resolved.reservedConcurrentExecutions,
    };
    const accessFunction = props.meetingAccess?.accessFunction;
    const functions = new Map<OperationDefinition, OperationResources>();
    for (const row of OPERATION_TABLE) {
      // The join functions name the meeting access function (MeetingAccess.custom), and only they may invoke it.
      const asks = row.meetingAccess === true && accessFunction !== undefined;
      const settings = asks
        ? {
            ...functionSettings,
            environment: { ...environment, [ENV.meetingAccessFunction]: accessFunction.functionArn },
          }
        : functionSettings;
      const resources = createOperationFunction(this, row, settings);
      if (asks) accessFunction.grantInvoke(resources.role);
      functions.set(row, resources);
    }

    this.api = createRestApi(this, resolved);
    this.granteePolicy = resolved.authorization._grantedPrincipalsOnly
      ? new GranteePolicy(this.api, resolved.stageName)
      : undefined;
    this.url = this.api.url;
    const methods = addMethods(this, this.api, OPERATION_TABLE, (row) => functions.get(row)!.fn, {
      ...boundAuthorization,
      bodyNamesUser: resolved.authorization.bodyNamesUser,
      mediaRegions: resolved.mediaRegions,
    });
    for (const row of OPERATION_TABLE) {
      this.operations.set(row.operation, { ...functions.get(row)!, method: methods.get(row)! });
    }

    // Chime's meeting events and the sweep: the tables follow Chime.
    this.deadLetterQueue = createDeadLetterQueue(this);
    const background = new Map<BackgroundDefinition, lambda.IFunction>();
    for (const row of BACKGROUND_TABLE) {
      // Asynchronous invocations: two retries, then the failed event (with its error) goes to the queue.
      const resources = createOperationFunction(this, row, functionSettings, {
        onFailure: new destinations.SqsDestination(this.deadLetterQueue),
        retryAttempts: 2,
      });
      this.operations.set(row.operation, resources);
      background.set(row, resources.fn);
    }
    props.eventBus?.grantPutEventsTo(this.functionFor(JoinServiceOperation.MEETING_EVENTS));
    addTriggers(this, background, this.deadLetterQueue, resolved.sweepInterval);

    this.createAttendeeFunction = this.functionFor(JoinServiceOperation.CREATE_ATTENDEE);
    this.batchCreateAttendeeFunction = this.functionFor(JoinServiceOperation.BATCH_CREATE_ATTENDEE);
    this.listAttendeesFunction = this.functionFor(JoinServiceOperation.LIST_ATTENDEES);
    this.listUserAttendeesFunction = this.functionFor(JoinServiceOperation.LIST_USER_ATTENDEES);
    this.deleteAttendeeFunction = this.functionFor(JoinServiceOperation.DELETE_ATTENDEE);
  }

  /**
   * The Lambda function that handles one operation (for example to add environment variables or layers).
   *
   * @param operation the operation
   */
  public functionFor(operation: JoinServiceOperation): lambda.Function {
    return this.resourcesOf(operation).fn;
  }

  /**
   * The IAM role of one operation's function: it holds only that operation's Chime and DynamoDB actions.
   *
   * @param operation the operation
   */
  public roleFor(operation: JoinServiceOperation): iam.Role {
    return this.resourcesOf(operation).role;
  }

  /**
   * The log group of one operation's function, where its request records (log lines and metrics) go.
   *
   * @param operation the operation
   */
  public logGroupFor(operation: JoinServiceOperation): logs.LogGroup {
    return this.resourcesOf(operation).logGroup;
  }

  /**
   * Allows a principal to call the routes a backend needs to join its users (today the single join,
   * `POST /meetings/{MeetingId}/attendees`), and nothing else.
   *
   * @param grantee the principal to allow, for example the role of your web backend
   */
  public grantJoin(grantee: iam.IGrantable): iam.Grant {
    return this.grantInvoke(grantee, false);
  }

  /**
   * Allows a principal to call every route of the API: join, batch join, list, user lookup and delete.
   *
   * @param grantee the principal to allow, for example an operator role
   */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.grantInvoke(grantee, true);
  }

  /**
   * Attendees joined: single joins (new and re-joins) and each attendee a batch created.
   *
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricJoins(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.joins(props);
  }

  /**
   * Requests that ended with an error of one class: an error `Code` of the HTTP API, such as `BadRequest`,
   * `NotFound`, `LimitExceeded`, `Throttling`, `ServiceUnavailable`, `UpstreamFailure` or `InternalFailure`.
   *
   * @param errorCode the error `Code`
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricErrors(errorCode: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.errors(errorCode, props);
  }

  /**
   * Chime calls answered with throttling, each retried attempt included: a rising count means the account's
   * Chime SDK rate limits are near.
   *
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricChimeThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.chimeThrottles(props);
  }

  /**
   * Handler latency of one operation, in milliseconds.
   *
   * @param operation the operation
   * @param props options of the metric
   * @default - p99 over 5 minutes
   */
  public metricLatency(operation: JoinServiceOperation, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.latency(operation, props);
  }

  /**
   * Requests to one operation, whatever their outcome.
   *
   * @param operation the operation
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricRequests(operation: JoinServiceOperation, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.requests(operation, props);
  }

  /**
   * Chime meeting events written to the tables (presence, removals, meeting ends).
   *
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricEventsApplied(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.events('EventsApplied', props);
  }

  /**
   * Chime meeting events ignored as stale: older than what the table holds (they arrive unordered and duplicated).
   *
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricEventsStale(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.events('EventsStale', props);
  }

  /**
   * Chime meeting events whose processing failed (retried, then dead-lettered).
   *
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricEventsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.events('EventsFailed', props);
  }

  /**
   * Adds the alarms an operator of a join service wants: server-side errors, Chime throttling, slow joins and
   * failed background work. Each takes the `alarmActions` given; add more with `alarm.addAlarmAction(...)`.
   *
   * @param options thresholds and actions of the alarms
   */
  public addAlarms(options: JoinServiceAlarmOptions = {}): cloudwatch.Alarm[] {
    const alarms = this.metrics.createAlarms(this, {
      serverErrors: options.serverErrorThreshold ?? ALARM_DEFAULTS.serverErrors,
      chimeThrottles: options.chimeThrottleThreshold ?? ALARM_DEFAULTS.chimeThrottles,
      joinLatency: options.joinLatencyThreshold ?? ALARM_DEFAULTS.joinLatency,
    });
    // The options are aws-cdk-lib's defaults for this metric, stated so that a change of those leaves the alarm be.
    // Stryker disable next-line ObjectLiteral: equivalent, aws-cdk-lib's defaults are the same (see above)
    const deadLetters = { period: Duration.minutes(5), statistic: 'Maximum' };
    alarms.push(
      this.deadLetterQueue
        .metricApproximateNumberOfMessagesVisible(deadLetters)
        .createAlarm(this, 'DeadLetterQueueAlarm', {
          alarmDescription: 'Chime join service: meeting events or sweep runs failed every retry (dead-letter queue)',
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    for (const alarm of alarms) alarm.addAlarmAction(...(options.alarmActions ?? []));
    this.alarms.push(...alarms);
    return alarms;
  }

  /**
   * Adds a CloudWatch dashboard of this join service, or its widgets to a dashboard you pass, and returns it.
   *
   * It shows the alarms, joins per minute, live meetings and attendees connected, 4xx and 5xx by error code, the API
   * stage's 4xx and 5xx, requests and p50/p99 latency by route, Chime throttles and 429s answered, DynamoDB throttled
   * requests, meeting events applied, stale and failed, the dead-letter queue's depth, and per function its errors,
   * throttles and concurrent executions.
   *
   * The alarms of `addAlarms()` appear at the top as alarm widgets, whether `addAlarms()` is called before or after
   * this method: the dashboard lays them out when the app is synthesized.
   *
   * @param options where the widgets go and the period of the graphs
   */
  public addDashboard(options: JoinServiceDashboardOptions = {}): cloudwatch.Dashboard {
    if (options.dashboard && options.dashboardName !== undefined) {
      throw new Error('addDashboard: dashboardName names a new dashboard; it cannot rename the dashboard passed in');
    }
    if (!options.dashboard && this.node.tryFindChild('Dashboard')) {
      throw new Error('addDashboard: this join service has made its dashboard; pass `dashboard` to fill another one');
    }
    const period = options.period ?? Duration.minutes(1);
    if (!period.isUnresolved() && (period.toSeconds() < 60 || period.toSeconds() % 60 !== 0)) {
      throw new Error(`addDashboard: period must be a whole number of minutes, got ${period.toHumanString()}`);
    }
    const dashboard =
      options.dashboard ??
      new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: options.dashboardName,
        defaultInterval: Duration.hours(3),
      });
    addDashboardWidgets(
      dashboard,
      {
        service: this.node.path,
        metrics: this.metrics,
        api: this.api,
        attendeeTable: this.table,
        meetingTable: this.meetingTable,
        deadLetterQueue: this.deadLetterQueue,
        functionFor: (operation) => this.functionFor(operation),
        alarms: this.alarms,
        sweepInterval: this.sweepInterval,
      },
      period,
    );
    return dashboard;
  }

  private resourcesOf(operation: JoinServiceOperation) {
    const resources = this.operations.get(operation);
    if (!resources) throw new Error(`${operation} is not an operation of this join service`);
    return resources;
  }

  private grantInvoke(grantee: iam.IGrantable, admin: boolean): iam.Grant {
    if (this.authorization.mode !== 'iam') {
      throw new Error(
        `grantJoin and grantAdmin need JoinAuthorization.iam(); this join service uses ${this.authorization.mode} authorization`,
      );
    }
    this.granteePolicy?.add(grantee, admin);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: OPERATION_TABLE.filter((row) => admin || row.joinGrant === true).map(
        (row) => this.resourcesOf(row.operation).method!.methodArn,
      ),
    });
  }

  private createMeetingTable(props: ResolvedProps): dynamodb.Table {
    const { encryptionKey, pointInTimeRecovery, removalPolicy } = props.newTable;
    const table = new dynamodb.Table(this, 'MeetingTable', {
      partitionKey: { name: MEETING_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: pointInTimeRecovery },
      encryption: encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey,
      timeToLiveAttribute: MEETING_TABLE.timeToLiveAttribute,
      removalPolicy,
    });
    table.addGlobalSecondaryIndex({
      indexName: MEETING_TABLE.meetingIndexName,
      partitionKey: { name: MEETING_TABLE.meetingIndexPartitionKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    if (pointInTimeRecovery) acknowledgeAll(table, RULES.backupPlan, REASONS.pointInTimeRecovery);
    return table;
  }

  private createTable(props: ResolvedProps): dynamodb.Table {
    const { encryptionKey, pointInTimeRecovery, removalPolicy } = props.newTable;
    const table = new dynamodb.Table(this, 'AttendeeTable', {
      partitionKey: { name: ATTENDEE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: ATTENDEE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: pointInTimeRecovery },
      encryption: encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey,
      timeToLiveAttribute: ATTENDEE_TABLE.timeToLiveAttribute,
      removalPolicy,
    });
    table.addGlobalSecondaryIndex({
      indexName: ATTENDEE_TABLE.meetingIndexName,
      partitionKey: { name: ATTENDEE_TABLE.meetingIndexPartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: ATTENDEE_TABLE.meetingIndexSortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    if (pointInTimeRecovery) acknowledgeAll(table, RULES.backupPlan, REASONS.pointInTimeRecovery);
    return table;
  }
}
