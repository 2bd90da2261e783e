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
  iamNotCognito:
    'The method uses AWS_IAM (SigV4) authorization: callers are IAM principals allowed by grantJoin or ' +
    'grantAdmin on exact method ARNs.',
  customNotCognito: 'The method uses the Lambda authorizer the API owner supplied with JoinAuthorization.custom().',
  openByChoice: 'The API owner chose JoinAuthorization.none() explicitly; synthesis warns about it.',
  apiGatewayAccountRole:
    'The account-wide API Gateway logging role CDK creates when cloudWatchRole is true, with the ' +
    'AWS managed policy API Gateway documents for pushing logs; it is created only on request.',
} as const;

/** Acknowledges a cdk-nag rule on one construct (its resource and the resource's own children). */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

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
