import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge, REASONS } from '../nag-acknowledgements';
import type { BackgroundDefinition } from '../operations';

/** The Chime events the event function applies (the rule lets no other through). */
export const FOLLOWED_EVENT_TYPES = [
  'chime:AttendeeJoined',
  'chime:AttendeeLeft',
  'chime:AttendeeDropped',
  'chime:AttendeeDeleted',
  'chime:MeetingEnded',
];

/** The dead-letter queue of the background functions: events that failed every retry, and failed sweep runs. */
export function createDeadLetterQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'MeetingEventsDeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(queue, 'AwsSolutions-SQS3', REASONS.isDeadLetterQueue);
  acknowledge(queue, 'Serverless-SQSRedrivePolicy', REASONS.isDeadLetterQueue);
  return queue;
}

/** What invokes each background function: Chime's meeting events on the default bus, or the sweep's schedule. */
export function addTriggers(
  scope: Construct,
  functions: ReadonlyMap<BackgroundDefinition, lambda.IFunction>,
  deadLetterQueue: sqs.IQueue,
  sweepInterval: Duration,
): void {
  for (const [row, fn] of functions) {
    switch (row.trigger) {
      case 'meeting-events':
        new events.Rule(scope, 'MeetingEventsRule', {
          description: 'Chime meeting events for the join service',
          eventPattern: {
            source: ['aws.chime'],
            detailType: ['Chime Meeting State Change'],
            detail: { eventType: FOLLOWED_EVENT_TYPES },
          },
          // Delivery failures (throttled, function unavailable) are retried for two hours, then dead-lettered.
          targets: [
            new targets.LambdaFunction(fn, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(2) }),
          ],
        });
        break;
      case 'schedule':
        new events.Rule(scope, 'MeetingSweepSchedule', {
          description: 'The join service sweep: closes meetings that ended without an event',
          schedule: events.Schedule.rate(sweepInterval),
          targets: [new targets.LambdaFunction(fn, { deadLetterQueue, retryAttempts: 2 })],
        });
        break;
    }
  }
}

/**
 * Chime sends meeting events to EventBridge in the meeting's control region only. A join service whose Chime region
 * is not its stack's gets no events unless they are forwarded: the problem, or undefined when there is none (or
 * when either region is a token and only deployment knows).
 */
export function controlRegionProblem(scope: Construct, chimeRegion: string, forwarded: boolean): string | undefined {
  const stackRegion = Stack.of(scope).region;
  if (forwarded || Token.isUnresolved(stackRegion) || Token.isUnresolved(chimeRegion) || stackRegion === chimeRegion) {
    return undefined;
  }
  return (
    `chimeRegion (${chimeRegion}) differs from the stack's region (${stackRegion}): Chime delivers meeting events to ` +
    `EventBridge in ${chimeRegion} only, so presence and meeting ends would never reach this stack. Deploy the join ` +
    `service in a stack in ${chimeRegion}, or forward aws.chime events from ${chimeRegion}'s default event bus to ` +
    `this region's default bus (an EventBridge rule there whose target is this bus) and set chimeEventsForwarded: true`
  );
}
