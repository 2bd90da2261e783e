import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FUNCTION_MEMORY_MB } from '../contract';
import { acknowledge, acknowledgeAll, REASONS, RULES } from '../nag-acknowledgements';
import type { FunctionDefinition } from '../operations';
import { createLogGroup, type LogSettings } from './log-groups';
import type { OperationPermissions } from './permissions';

/** What every function of the construct shares. */
export interface FunctionSettings {
  readonly environment: Record<string, string>;
  readonly logs: LogSettings;
  readonly permissions: OperationPermissions;
  /** Reserved for each function; undefined: the account's unreserved pool. */
  readonly reservedConcurrentExecutions?: number;
}

/** One operation's function with its own role and log group. */
export interface OperationResources {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * The function of one operation: Node.js 24 on arm64, the pre-bundled handler from `assets/<operation>`, JSON logs
 * to its own log group, X-Ray, and a role of its own that holds only what the operation's row lists.
 */
export function createOperationFunction(
  scope: Construct,
  row: FunctionDefinition,
  settings: FunctionSettings,
  extra: Partial<lambda.FunctionProps> = {},
): OperationResources {
  const { id, operation } = row;
  const { environment, permissions, reservedConcurrentExecutions } = settings;
  const logGroup = createLogGroup(scope, `${id}Logs`, settings.logs);
  // Our own role, not the default one: the default attaches the AWS managed AWSLambdaBasicExecutionRole.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs the ${operation} handler of the Chime join service`,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  permissions.grant(role, row);
  acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', REASONS.xray);
  acknowledgeAll(role, RULES.inlinePolicy, REASONS.rolePolicy);

  const fn = new lambda.Function(scope, id, {
    description: `Chime join service: ${operation}`,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', operation)),
    handler: 'index.handler',
    role,
    memorySize: FUNCTION_MEMORY_MB,
    timeout: Duration.seconds(row.timeoutSeconds),
    environment,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    tracing: lambda.Tracing.ACTIVE,
    reservedConcurrentExecutions,
    ...extra,
  });
  // Route functions are invoked synchronously; background ones send failed events to an on-failure destination.
  acknowledgeAll(fn, RULES.lambdaDlq, extra.onFailure ? REASONS.onFailureDestination : REASONS.noDlq);
  acknowledgeAll(fn, RULES.lambdaInsideVpc, REASONS.noVpc);
  if (reservedConcurrentExecutions === undefined) {
    acknowledgeAll(fn, RULES.lambdaConcurrency, REASONS.noReservedConcurrency);
  }
  return { fn, role, logGroup };
}
