/**
 * One CloudWatch Embedded Metric Format (EMF) record per request: CloudWatch Logs turns it into metrics, with no
 * PutMetricData call and no extra permission. The record is also the request's log line (ids, status, timing,
 * error code), and like every log line it never carries a body, a join token or an ExternalUserId.
 */
import { METRICS_NAMESPACE } from '../../lib/contract';
import { metricsService } from './config';

/** What a request counts while it runs; read by the record at its end. */
export interface RequestCounters {
  /** Chime calls answered with throttling, retried ones included (counted by a middleware of the Chime client). */
  chimeThrottles: number;
}

/**
 * The running request's counters. A Lambda container serves one request at a time, so one slot is enough (and
 * AsyncLocalStorage cost ~12% of a warm join on the benchmark). Only the local adapter, which runs requests
 * concurrently in one process, can credit a throttle to a neighbouring request's record.
 */
let running: RequestCounters | undefined;

/** Runs `work` with fresh counters. */
export async function withCounters<T>(work: (counters: RequestCounters) => Promise<T>): Promise<T> {
  const counters: RequestCounters = { chimeThrottles: 0 };
  running = counters;
  try {
    return await work(counters);
  } finally {
    if (running === counters) running = undefined;
  }
}

/** The counters of the request running now, if any. */
export const currentCounters = (): RequestCounters | undefined => running;

export interface RequestRecord {
  readonly requestId: string;
  readonly operation: string;
  readonly statusCode: number;
  readonly durationMs: number;
  readonly errorCode?: string;
  /** Attendees the request joined (created or re-joined). */
  readonly joins: number;
  readonly counters: RequestCounters;
  /** For 5xx only: enough to find the failure upstream. */
  readonly cause?: Record<string, unknown>;
}

/** The EMF record of one request. */
export function emfRecord(record: RequestRecord, service: string, timestamp: number): Record<string, unknown> {
  const metrics = [
    {
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['Service', 'Operation']],
      Metrics: [
        { Name: 'Requests', Unit: 'Count' },
        { Name: 'Latency', Unit: 'Milliseconds' },
      ],
    },
    {
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['Service']],
      Metrics: [
        { Name: 'Joins', Unit: 'Count' },
        { Name: 'ChimeThrottles', Unit: 'Count' },
      ],
    },
  ];
  if (record.errorCode) {
    metrics.push({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['Service', 'ErrorCode']],
      Metrics: [{ Name: 'Errors', Unit: 'Count' }],
    });
  }
  return {
    _aws: { Timestamp: timestamp, CloudWatchMetrics: metrics },
    Service: service,
    Operation: record.operation,
    Requests: 1,
    Latency: record.durationMs,
    Joins: record.joins,
    ChimeThrottles: record.counters.chimeThrottles,
    ...(record.errorCode && { ErrorCode: record.errorCode, Errors: 1 }),
    requestId: record.requestId,
    statusCode: record.statusCode,
    ...(record.cause && { cause: record.cause }),
  };
}

/**
 * Writes the record as one line on stdout. Not console.log: with Lambda's JSON log format that would wrap the
 * record in a `message` field, where CloudWatch no longer finds the EMF directive.
 */
export function emitRequestRecord(record: RequestRecord): void {
  process.stdout.write(`${JSON.stringify(emfRecord(record, metricsService(), Date.now()))}\n`);
}

/** How one of Chime's meeting events ended: written, older than what the table holds, of no interest, or failed. */
export type EventOutcome = 'applied' | 'stale' | 'ignored' | 'failed';

const EVENT_METRICS: Record<EventOutcome, string> = {
  applied: 'EventsApplied',
  stale: 'EventsStale',
  ignored: 'EventsIgnored',
  failed: 'EventsFailed',
};

/** The EMF record of one event (never its ExternalUserId). */
export function eventRecord(
  outcome: EventOutcome,
  eventType: string,
  service: string,
  timestamp: number,
): Record<string, unknown> {
  const name = EVENT_METRICS[outcome];
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: [['Service']], Metrics: [{ Name: name, Unit: 'Count' }] },
      ],
    },
    Service: service,
    [name]: 1,
    eventType,
    outcome,
  };
}

export function emitEventRecord(outcome: EventOutcome, eventType: string): void {
  process.stdout.write(`${JSON.stringify(eventRecord(outcome, eventType, metricsService(), Date.now()))}\n`);
}

/** What one sweep run found: the live meetings, and the attendees connected to them (presence `Joined`). */
export interface SweepGauges {
  readonly live: number;
  readonly connected: number;
  readonly checked: number;
  readonly closed: number;
}

/**
 * The EMF record of one sweep run: the gauges `LiveMeetings` and `AttendeesConnected` (the dashboard draws their
 * maximum per sweep interval), and what the run checked and closed as log fields.
 */
export function sweepRecord(
  gauges: SweepGauges,
  operation: string,
  service: string,
  timestamp: number,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Service']],
          Metrics: [
            { Name: 'LiveMeetings', Unit: 'Count' },
            { Name: 'AttendeesConnected', Unit: 'Count' },
          ],
        },
      ],
    },
    Service: service,
    LiveMeetings: gauges.live - gauges.closed,
    AttendeesConnected: gauges.connected,
    operation,
    ...gauges,
  };
}

export function emitSweepRecord(gauges: SweepGauges, operation: string): void {
  process.stdout.write(`${JSON.stringify(sweepRecord(gauges, operation, metricsService(), Date.now()))}\n`);
}
