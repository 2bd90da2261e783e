import { Stack, Validations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

/*
 * The cdk-nag findings this construct's design raises on purpose, acknowledged on the one resource each concerns,
 * with the reason a security reviewer needs. They are metadata only: nothing here runs unless the consumer applies
 * cdk-nag, and test/construct/cdk-nag.test.ts proves that every finding is covered and nothing else is.
 */

export const REASONS = {
  chimeMeetings:
    'Chime SDK meetings are created at run time, so their ARNs are not known at deploy time: the ' +
    "statement allows only this handler's own meeting and attendee action(s), on the meetings of one account and region.",
  xray:
    'AWS X-Ray does not support resource-level permissions for PutTraceSegments and PutTelemetryRecords; ' +
    'these two write-only actions are what active tracing needs.',
  kmsWildcardActions:
    'The same key actions aws-dynamodb grants for table writes (GenerateDataKey*, ReEncrypt*), ' +
    "on the table's one customer managed key only.",
  isDeadLetterQueue:
    'This queue is itself the dead-letter queue of the meeting-event and sweep functions; a queue behind it ' +
    'would only move the same messages again.',
  onFailureDestination:
    'Invoked asynchronously (EventBridge): an event that fails every retry goes to an on-failure destination, the ' +
    "join service's dead-letter queue, which keeps the event and its error; a dead-letter config would duplicate it.",
  noDlq:
    'Invoked only synchronously by API Gateway: a failure returns to the caller as a JSON error and the caller ' +
    'retries; a dead-letter queue receives only asynchronous invocations.',
  noWaf:
    "AWS WAF is opt-in through the webAclArn prop: the rules and their cost are the API owner's choice. The API " +
    'is protected by its authorization mode, request validation, a 64 KiB body limit and stage throttling.',
  noCache:
    'The API must never cache: its answers hold join tokens (credentials of one user for one meeting) and ' +
    'per-caller data, and are sent with Cache-Control: no-store. With no cache there is no cache data to encrypt.',
  noClientCertificate:
    'Every route is a Lambda proxy integration: API Gateway invokes the function through the Lambda API with ' +
    'its own IAM-signed TLS call, not an HTTP backend, so a client certificate (which proves API Gateway to an ' +
    'HTTP backend) would have nothing to authenticate to.',
  noReservedConcurrency:
    'Reserved concurrency is opt-in through the reservedConcurrentExecutions prop: a reservation takes capacity ' +
    "from the account's other functions and caps the service at a number only its owner can size. Invocations are " +
    'bounded by the stage throttling (100 requests/s, burst 200 by default) and, for the background functions, ' +
    'by the sweep schedule and the event rule.',
  noVpc:
    'The function has no inbound network path (only API Gateway or EventBridge may invoke it, through the Lambda ' +
    'API) and reaches only AWS service APIs (Chime SDK Meetings, DynamoDB, X-Ray, EventBridge) over TLS with ' +
    'SigV4; the construct creates no VPC resource to isolate it from, and a VPC would add NAT or interface ' +
    'endpoints without changing who can call what.',
  rolePolicy:
    "The inline policy is this one function role's own least-privilege grant (exact actions on exact resources), " +
    'created, changed and deleted with the role; a managed policy would hold the same statements in a document ' +
    'that other principals could be attached to.',
  logsDefaultEncryption:
    'CloudWatch Logs encrypts every log group at rest with a key it manages. A customer managed key is opt-in ' +
    'through the logEncryptionKey prop; the logs hold ids, statuses and error codes, never join tokens or bodies.',
  pointInTimeRecovery:
    'Point-in-time recovery (continuous backups, 35 days) is on for this table. AWS Backup plans (vaults, ' +
    "retention, copies) are the account's or organization's choice, usually selecting resources by tag: add the " +
    'table to yours.',
  iamNotCognito:
    'The method uses AWS_IAM (SigV4) authorization: callers are IAM principals allowed by grantJoin or ' +
    'grantAdmin on exact method ARNs.',
  customNotCognito: 'The method uses the Lambda authorizer the API owner supplied with JoinAuthorization.custom().',
  apiGatewayAccountRole:
    'The account-wide API Gateway logging role CDK creates when cloudWatchRole is true, with the ' +
    'AWS managed policy API Gateway documents for pushing logs; it is created only on request.',
} as const;

/** Acknowledges a cdk-nag rule on one construct (its resource and the resource's own children). */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges the same finding, as each pack names it, on one construct. */
export function acknowledgeAll(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) acknowledge(scope, id, reason);
}

/** The compliance packs' names for one rule, in the packs that have it. */
const inPacks = (rule: string, packs: readonly string[]) => packs.map((pack) => `${pack}-${rule}`);
const NIST = 'NIST.800.53.R5';
const HIPAA = 'HIPAA.Security';
const PCI = 'PCI.DSS.321';

/** One finding, as each of the five packs that check it names it. */
export const RULES = {
  lambdaDlq: ['Serverless-LambdaDLQ', ...inPacks('LambdaDLQ', [NIST, HIPAA])],
  lambdaConcurrency: inPacks('LambdaConcurrency', [NIST, HIPAA]),
  lambdaInsideVpc: inPacks('LambdaInsideVPC', [NIST, HIPAA, PCI]),
  inlinePolicy: inPacks('IAMNoInlinePolicy', [NIST, HIPAA, PCI]),
  logGroupEncrypted: inPacks('CloudWatchLogGroupEncrypted', [NIST, HIPAA, PCI]),
  waf: ['AwsSolutions-APIG3', ...inPacks('APIGWAssociatedWithWAF', [NIST, PCI])],
  apiCache: inPacks('APIGWCacheEnabledAndEncrypted', [NIST, HIPAA, PCI]),
  clientCertificate: inPacks('APIGWSSLEnabled', [NIST, HIPAA, PCI]),
  backupPlan: inPacks('DynamoDBInBackupPlan', [NIST, HIPAA]),
} as const;

/**
 * The `Resource::…` detail cdk-nag's IAM5 rule reports for a resource ARN: intrinsics rendered as `<Ref>` and
 * `<LogicalId.Attribute>`, as its flattenCfnReference does.
 */
export function wildcardResourceDetail(scope: IConstruct, arn: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(arn))}`;
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const v = value as Record<string, unknown>;
  if ('Fn::Sub' in v) return flatten(v['Fn::Sub']);
  if ('Ref' in v) return `<${flatten(v.Ref)}>`;
  if ('Fn::GetAtt' in v) {
    const [resource, attribute] = v['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  return JSON.stringify(value);
}
