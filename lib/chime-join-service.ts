import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  ATTENDEE_TABLE,
  DEFAULT_ATTENDEE_TTL_SECONDS,
  ENV,
  FUNCTION_MEMORY_MB,
  METRICS_NAMESPACE,
  OPERATIONS,
  ROUTES,
  pathParameterNames,
} from './contract';
import { JoinAuthorization } from './join-authorization';
import { acknowledge, REASONS, wildcardResourceDetail } from './nag-acknowledgements';
import { batchCreateAttendeeSchema, createAttendeeSchema } from './request-schemas';

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
   * `pointInTimeRecovery`) do not apply to an existing table.
   *
   * @default - a new table is created
   */
  readonly table?: dynamodb.ITable;

  /**
   * A customer managed KMS key to encrypt the new table with.
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
   * How long a mapping lives after the join before DynamoDB's TTL removes it.
   *
   * @default Duration.hours(24)
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
   * How long the functions' logs and the API's access logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

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
}

/**
 * A join service for Amazon Chime SDK meetings: a REST API whose routes create, batch-create, list and
 * delete meeting attendees, one Lambda function and least-privilege role per route, and a DynamoDB
 * table that maps ExternalUserIds to attendees.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as iam from 'aws-cdk-lib/aws-iam';
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

  /** The URL of the API's deployment stage, ending in `/`. */
  public readonly url: string;

  /** Handles `POST /meetings/{MeetingId}/attendees`. */
  public readonly createAttendeeFunction: lambda.IFunction;

  /** Handles `POST /meetings/{MeetingId}/attendees/batch`. */
  public readonly batchCreateAttendeeFunction: lambda.IFunction;

  /** Handles `GET /meetings/{MeetingId}/attendees`. */
  public readonly listAttendeesFunction: lambda.IFunction;

  /** Handles `GET /users/{ExternalUserId}/attendees`. */
  public readonly listUserAttendeesFunction: lambda.IFunction;

  /** Handles `DELETE /meetings/{MeetingId}/attendees/{AttendeeId}`. */
  public readonly deleteAttendeeFunction: lambda.IFunction;

  private readonly authorization: JoinAuthorization;
  /** The `Service` dimension of this join service's metrics: its construct path, unique in the app. */
  private readonly metricsService = this.node.path;
  private readonly joinMethod: apigateway.Method;
  private readonly methods: apigateway.Method[];

  /**
   * Creates the API, one function and role per route, and the table unless `table` names an existing one.
   *
   * @param scope the construct to create the join service in
   * @param id the construct ID of the join service, from which the IDs of its children derive
   * @param props the configuration, in which every property is optional
   */
  constructor(scope: Construct, id: string, props: ChimeJoinServiceProps = {}) {
    super(scope, id);

    const authorization = props.authorization ?? JoinAuthorization.iam();
    const includeMeeting = props.includeMeeting ?? true;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const chimeRegion = props.chimeRegion ?? Stack.of(this).region;
    const corsAllowOrigins = props.corsAllowOrigins ?? [];
    const attendeeTtl = props.attendeeTtl ?? Duration.seconds(DEFAULT_ATTENDEE_TTL_SECONDS);
    if (!attendeeTtl.isUnresolved() && attendeeTtl.toSeconds() < 60) {
      throw new Error(`attendeeTtl must be at least one minute, got ${attendeeTtl.toHumanString()}`);
    }

    this.table = props.table ?? this.createTable(props);
    this.authorization = authorization;
    const boundAuthorization = authorization._bind(this);

    const environment: Record<string, string> = {
      [ENV.tableName]: this.table.tableName,
      [ENV.meetingIndexName]: ATTENDEE_TABLE.meetingIndexName,
      [ENV.includeMeeting]: String(includeMeeting),
      [ENV.attendeeTtlSeconds]: String(attendeeTtl.toSeconds()),
      [ENV.chimeRegion]: chimeRegion,
      [ENV.corsAllowOrigins]: corsAllowOrigins.join(','),
      [ENV.metricsService]: this.metricsService,
      ...boundAuthorization.environment,
    };
    const access = new TableAccess(this.table, this, chimeRegion);
    const newFunction = (id: string, operation: string, grants: OperationGrants) =>
      this.createOperationFunction(id, operation, environment, logRetention, access, grants);

    // Each role holds exactly what its handler calls (see lambda/ and the IAM tests).
    this.createAttendeeFunction = newFunction('CreateAttendee', OPERATIONS.createAttendee, {
      chime: includeMeeting ? ['chime:CreateAttendee', 'chime:GetMeeting'] : ['chime:CreateAttendee'],
      table: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:BatchWriteItem'],
      index: ['dynamodb:Query'],
    });
    this.batchCreateAttendeeFunction = newFunction('BatchCreateAttendee', OPERATIONS.batchCreateAttendee, {
      chime: ['chime:BatchCreateAttendee'],
      table: ['dynamodb:BatchWriteItem'],
      index: ['dynamodb:Query'],
      // Up to three sequential Chime calls of 100 attendees each.
      timeout: Duration.seconds(25),
    });
    this.listAttendeesFunction = newFunction('ListAttendees', OPERATIONS.listAttendees, {
      chime: ['chime:ListAttendees'],
      table: ['dynamodb:BatchWriteItem'],
      index: ['dynamodb:Query'],
    });
    this.listUserAttendeesFunction = newFunction('ListUserAttendees', OPERATIONS.listUserAttendees, {
      chime: [],
      table: ['dynamodb:Query'],
      index: [],
    });
    this.deleteAttendeeFunction = newFunction('DeleteAttendee', OPERATIONS.deleteAttendee, {
      chime: ['chime:DeleteAttendee'],
      table: ['dynamodb:DeleteItem'],
      index: ['dynamodb:Query'],
    });

    this.api = this.createApi(props, logRetention, corsAllowOrigins);
    this.url = this.api.url;
    // Parameters and bodies are checked at the edge too; the handlers check every rule again.
    const parameterValidator = new apigateway.RequestValidator(this, 'ParameterValidator', {
      restApi: this.api,
      validateRequestParameters: true,
    });
    const bodyValidator = new apigateway.RequestValidator(this, 'BodyValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const bodySchemas: Record<string, apigateway.JsonSchema> = {
      [OPERATIONS.createAttendee]: createAttendeeSchema(authorization.bodyNamesUser),
      [OPERATIONS.batchCreateAttendee]: batchCreateAttendeeSchema(),
    };

    const functions: Record<string, lambda.IFunction> = {
      [OPERATIONS.createAttendee]: this.createAttendeeFunction,
      [OPERATIONS.batchCreateAttendee]: this.batchCreateAttendeeFunction,
      [OPERATIONS.listAttendees]: this.listAttendeesFunction,
      [OPERATIONS.listUserAttendees]: this.listUserAttendeesFunction,
      [OPERATIONS.deleteAttendee]: this.deleteAttendeeFunction,
    };
    const methods: Record<string, apigateway.Method> = {};
    for (const route of ROUTES) {
      const requestParameters: Record<string, boolean> = {};
      for (const name of pathParameterNames(route.path)) requestParameters[`method.request.path.${name}`] = true;
      for (const name of route.query) requestParameters[`method.request.querystring.${name}`] = false;
      const integration = new apigateway.LambdaIntegration(functions[route.operation], { allowTestInvoke: false });
      const bodySchema = bodySchemas[route.operation];
      const requestModels = bodySchema
        ? {
            'application/json': this.api.addModel(`${pascal(route.operation)}Model`, {
              contentType: 'application/json',
              modelName: `${pascal(route.operation)}Request`,
              schema: bodySchema,
            }),
          }
        : undefined;
      methods[route.operation] = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
        ...boundAuthorization.methodOptions,
        requestParameters,
        requestModels,
        requestValidator: bodySchema ? bodyValidator : parameterValidator,
      });
      for (const [id, reason] of Object.entries(boundAuthorization.methodAcknowledgements)) {
        acknowledge(methods[route.operation], id, reason);
      }
    }
    this.joinMethod = methods[OPERATIONS.createAttendee];
    this.methods = Object.values(methods);

    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    } else {
      acknowledge(this.api.deploymentStage, 'AwsSolutions-APIG3', REASONS.noWaf);
    }
    const accountRole = this.api.node.tryFindChild('CloudWatchRole');
    if (accountRole) {
      acknowledge(
        accountRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        REASONS.apiGatewayAccountRole,
      );
    }
  }

  /**
   * Allows a principal to call the single-join route, `POST /meetings/{MeetingId}/attendees`, and nothing else.
   *
   * @param grantee the principal to allow, for example the role of your web backend
   */
  public grantJoin(grantee: iam.IGrantable): iam.Grant {
    return this.grantInvoke(grantee, [this.joinMethod]);
  }

  /**
   * Allows a principal to call every route of the API: join, batch join, list, user lookup and delete.
   *
   * @param grantee the principal to allow, for example an operator role
   */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.grantInvoke(grantee, this.methods);
  }

  /**
   * Attendees joined: single joins (new and re-joins) and each attendee a batch created.
   *
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricJoins(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Joins', { Service: this.metricsService }, props);
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
    return this.metric('Errors', { Service: this.metricsService, ErrorCode: errorCode }, props);
  }

  /**
   * Chime calls answered with throttling, each retried attempt included: a rising count means the account's
   * Chime SDK rate limits are near.
   *
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricChimeThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ChimeThrottles', { Service: this.metricsService }, props);
  }

  /**
   * Handler latency of one operation (`create-attendee`, `batch-create-attendee`, `list-attendees`,
   * `list-user-attendees` or `delete-attendee`), in milliseconds.
   *
   * @param operation the operation
   * @param props options of the metric
   * @default - p99 over 5 minutes
   */
  public metricLatency(operation: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(
      'Latency',
      { Service: this.metricsService, Operation: operation },
      { statistic: 'p99', ...props },
    );
  }

  /**
   * Requests to one operation, whatever their outcome.
   *
   * @param operation the operation, as for `metricLatency`
   * @param props options of the metric
   * @default - sum over 5 minutes
   */
  public metricRequests(operation: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Requests', { Service: this.metricsService, Operation: operation }, props);
  }

  /**
   * Adds the alarms an operator of a join service wants: server-side errors, Chime throttling and slow joins.
   * They have no actions: add yours (`alarm.addAlarmAction(...)`) to the alarms returned.
   *
   * @param options thresholds of the alarms
   */
  public addAlarms(options: JoinServiceAlarmOptions = {}): cloudwatch.Alarm[] {
    const serverErrors = options.serverErrorThreshold ?? 5;
    const alarms = ['InternalFailure', 'UpstreamFailure', 'ServiceUnavailable'].map((code) =>
      this.metricErrors(code).createAlarm(this, `${code}Alarm`, {
        alarmDescription: `Chime join service: ${code} errors answered to callers`,
        threshold: serverErrors,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    alarms.push(
      this.metricChimeThrottles().createAlarm(this, 'ChimeThrottlesAlarm', {
        alarmDescription: 'Chime join service: Chime SDK calls throttled (the account nears its rate limits)',
        threshold: options.chimeThrottleThreshold ?? 50,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    alarms.push(
      this.metricLatency(OPERATIONS.createAttendee).createAlarm(this, 'JoinLatencyAlarm', {
        alarmDescription: 'Chime join service: p99 latency of single joins',
        threshold: (options.joinLatencyThreshold ?? Duration.seconds(3)).toMilliseconds(),
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    return alarms;
  }

  private metric(metricName: string, dimensionsMap: Record<string, string>, props?: cloudwatch.MetricOptions) {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap,
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private grantInvoke(grantee: iam.IGrantable, methods: apigateway.Method[]): iam.Grant {
    if (this.authorization.mode !== 'iam') {
      throw new Error(
        `grantJoin and grantAdmin need JoinAuthorization.iam(); this join service uses ${this.authorization.mode} authorization`,
      );
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: methods.map((m) => m.methodArn),
    });
  }

  private createTable(props: ChimeJoinServiceProps): dynamodb.Table {
    const table = new dynamodb.Table(this, 'AttendeeTable', {
      partitionKey: { name: ATTENDEE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: ATTENDEE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      encryption: props.encryptionKey
        ? dynamodb.TableEncryption.CUSTOMER_MANAGED
        : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: ATTENDEE_TABLE.timeToLiveAttribute,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: ATTENDEE_TABLE.meetingIndexName,
      partitionKey: { name: ATTENDEE_TABLE.meetingIndexPartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: ATTENDEE_TABLE.meetingIndexSortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    return table;
  }

  private createOperationFunction(
    id: string,
    operation: string,
    environment: Record<string, string>,
    logRetention: logs.RetentionDays,
    access: TableAccess,
    grants: OperationGrants,
  ): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logRetention });
    // Our own role, not the default one: the default attaches the AWS managed AWSLambdaBasicExecutionRole.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${operation} handler of the Chime join service`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    access.grant(role, grants);
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', REASONS.xray);

    const fn = new lambda.Function(this, id, {
      description: `Chime join service: ${operation}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', operation)),
      handler: 'index.handler',
      role,
      memorySize: FUNCTION_MEMORY_MB,
      // Below API Gateway's 29-second integration timeout, and above the handlers' bounded retries
      // (lambda/shared/retry.ts), so a slow upstream ends as our own JSON error.
      timeout: grants.timeout ?? Duration.seconds(15),
      environment,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
    });
    acknowledge(fn, 'Serverless-LambdaDLQ', REASONS.noDlq);
    return fn;
  }

  private createApi(
    props: ChimeJoinServiceProps,
    logRetention: logs.RetentionDays,
    corsAllowOrigins: string[],
  ): apigateway.RestApi {
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    const api = new apigateway.RestApi(this, 'Api', {
      description: 'Amazon Chime SDK meetings join service',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole ?? false,
      deployOptions: {
        stageName: props.stageName ?? 'prod',
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // The data trace would log request and response bodies, join tokens included.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 100,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 200,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      defaultCorsPreflightOptions:
        corsAllowOrigins.length > 0
          ? {
              allowOrigins: corsAllowOrigins,
              allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
              allowHeaders: apigateway.Cors.DEFAULT_HEADERS,
              maxAge: Duration.hours(1),
            }
          : undefined,
    });
    addGatewayResponses(api, corsAllowOrigins);
    return api;
  }
}

/** What one operation's role may do: Chime actions on meetings, DynamoDB actions on the table and its index. */
interface OperationGrants {
  readonly chime: string[];
  readonly table: string[];
  readonly index: string[];
  /** @default 15 seconds: one AWS call's bounded retries (3 attempts of at most 3 s, 1.5 s of backoff) and some */
  readonly timeout?: Duration;
}

/** Grants exact action lists on the meeting ARNs, the table and its `byMeeting` index. */
class TableAccess {
  private readonly meetingArns: string;

  constructor(
    private readonly table: dynamodb.ITable,
    scope: Construct,
    chimeRegion: string,
  ) {
    this.meetingArns = Stack.of(scope).formatArn({
      service: 'chime',
      region: chimeRegion,
      resource: 'meeting',
      resourceName: '*',
    });
  }

  public grant(role: iam.IRole, grants: OperationGrants): void {
    if (grants.chime.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: grants.chime,
          resources: [this.meetingArns],
        }),
      );
      acknowledge(role, `AwsSolutions-IAM5[${wildcardResourceDetail(role, this.meetingArns)}]`, REASONS.chimeMeetings);
    }
    if (grants.table.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: grants.table, resources: [this.table.tableArn] }));
    }
    if (grants.index.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: grants.index,
          resources: [`${this.table.tableArn}/index/${ATTENDEE_TABLE.meetingIndexName}`],
        }),
      );
    }
    const key = this.table.encryptionKey;
    if (key) {
      const writes = [...grants.table, ...grants.index].some((a) => /(Put|Write|Delete|Update)/.test(a));
      // The same key actions aws-dynamodb grants for reads and writes.
      key.grant(
        role,
        'kms:Decrypt',
        'kms:DescribeKey',
        ...(writes ? ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] : []),
      );
      if (writes) {
        acknowledge(role, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', REASONS.kmsWildcardActions);
        acknowledge(role, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', REASONS.kmsWildcardActions);
      }
    }
  }
}

/** The access log record: who called what and how it ended. No bodies, headers or tokens. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
};

/**
 * The errors API Gateway answers itself, in the service's error shape `{Code, Message, RequestId}`.
 * `$context.error.messageString` is already a quoted JSON string.
 */
const GATEWAY_ERRORS: Array<{ id: string; type: apigateway.ResponseType; code: string; retryAfter?: boolean }> = [
  { id: 'BadRequestBody', type: apigateway.ResponseType.BAD_REQUEST_BODY, code: 'BadRequest' },
  { id: 'BadRequestParameters', type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS, code: 'BadRequest' },
  { id: 'RequestTooLarge', type: apigateway.ResponseType.REQUEST_TOO_LARGE, code: 'PayloadTooLarge' },
  { id: 'Unauthorized', type: apigateway.ResponseType.UNAUTHORIZED, code: 'Unauthorized' },
  { id: 'AccessDenied', type: apigateway.ResponseType.ACCESS_DENIED, code: 'Forbidden' },
  // With IAM authorization an unknown route answers "Missing Authentication Token" too.
  { id: 'MissingAuthenticationToken', type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'Forbidden' },
  { id: 'InvalidSignature', type: apigateway.ResponseType.INVALID_SIGNATURE, code: 'Forbidden' },
  { id: 'ExpiredToken', type: apigateway.ResponseType.EXPIRED_TOKEN, code: 'Forbidden' },
  { id: 'ResourceNotFound', type: apigateway.ResponseType.RESOURCE_NOT_FOUND, code: 'NotFound' },
  { id: 'Throttled', type: apigateway.ResponseType.THROTTLED, code: 'Throttling', retryAfter: true },
  { id: 'QuotaExceeded', type: apigateway.ResponseType.QUOTA_EXCEEDED, code: 'Throttling', retryAfter: true },
  { id: 'UnsupportedMediaType', type: apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'UnsupportedMediaType' },
  { id: 'WafFiltered', type: apigateway.ResponseType.WAF_FILTERED, code: 'Forbidden' },
  { id: 'IntegrationTimeout', type: apigateway.ResponseType.INTEGRATION_TIMEOUT, code: 'UpstreamTimeout' },
  { id: 'IntegrationFailure', type: apigateway.ResponseType.INTEGRATION_FAILURE, code: 'UpstreamFailure' },
  { id: 'Default4xx', type: apigateway.ResponseType.DEFAULT_4XX, code: 'BadRequest' },
  { id: 'Default5xx', type: apigateway.ResponseType.DEFAULT_5XX, code: 'InternalFailure' },
];

function addGatewayResponses(api: apigateway.RestApi, corsAllowOrigins: string[]): void {
  // A gateway response cannot choose among several origins, so it names one only when there is exactly one.
  const corsHeaders: Record<string, string> =
    corsAllowOrigins.length === 1
      ? { 'Access-Control-Allow-Origin': `'${corsAllowOrigins[0]}'`, Vary: "'Origin'" }
      : {};
  for (const { id, type, code, retryAfter } of GATEWAY_ERRORS) {
    const responseHeaders = { ...corsHeaders, ...(retryAfter ? { 'Retry-After': "'1'" } : {}) };
    api.addGatewayResponse(id, {
      type,
      responseHeaders: Object.keys(responseHeaders).length > 0 ? responseHeaders : undefined,
      templates: {
        'application/json': `{"Code":"${code}","Message":$context.error.messageString,"RequestId":"$context.requestId"}`,
      },
    });
  }
}

/** `create-attendee` → `CreateAttendee`. */
function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
