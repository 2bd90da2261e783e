import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../contract';
import { JoinServiceOperation } from '../operations';
import type { AlarmThresholds } from './defaults';

/**
 * The metrics the handlers write as Embedded Metric Format records (lambda/shared/metrics.ts), read back by name and
 * dimensions, and the alarms an operator wants on them. `service` is the `Service` dimension: the construct's path.
 */
export class JoinServiceMetrics {
  constructor(private readonly service: string) {}

  public joins(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Joins', { Service: this.service }, props);
  }

  public errors(errorCode: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Errors', { Service: this.service, ErrorCode: errorCode }, props);
  }

  public chimeThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ChimeThrottles', { Service: this.service }, props);
  }

  public events(metricName: 'EventsApplied' | 'EventsStale' | 'EventsFailed', props?: cloudwatch.MetricOptions) {
    return this.metric(metricName, { Service: this.service }, props);
  }

  /** A gauge the sweep writes once per run (lambda/shared/metrics.ts sweepRecord): its maximum over the period. */
  public gauge(metricName: 'LiveMeetings' | 'AttendeesConnected', props?: cloudwatch.MetricOptions) {
    return this.metric(metricName, { Service: this.service }, { statistic: 'Maximum', ...props });
  }

  /**
   * Errors of every code but `except`, one line per code: a search, because the 4xx codes include the ones Chime
   * answers (passed through), which no list here could hold. Search expressions draw graphs, never alarms.
   */
  public errorsExcept(except: readonly string[], period: Duration): cloudwatch.SearchExpression {
    const terms = [`MetricName="Errors"`, `Service="${this.service}"`, ...except.map((c) => `NOT ErrorCode="${c}"`)];
    return new cloudwatch.SearchExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},ErrorCode,Service} ${terms.join(' AND ')}', 'Sum', ${period.toSeconds()})`,
      label: "${PROP('Dim.ErrorCode')}",
      period,
    });
  }

  public latency(operation: JoinServiceOperation, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Latency', { Service: this.service, Operation: operation }, { statistic: 'p99', ...props });
  }

  public requests(operation: JoinServiceOperation, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Requests', { Service: this.service, Operation: operation }, props);
  }

  /** Server-side errors by class, Chime throttling and slow joins; no actions (the caller adds them). */
  public createAlarms(scope: Construct, options: AlarmThresholds): cloudwatch.Alarm[] {
    const alarm = (id: string, metric: cloudwatch.Metric, description: string, threshold: number, periods = 1) =>
      metric.createAlarm(scope, id, {
        alarmDescription: `Chime join service: ${description}`,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    return [
      ...SERVER_ERROR_CODES.map((code) =>
        alarm(`${code}Alarm`, this.errors(code), `${code} errors answered to callers`, options.serverErrors),
      ),
      alarm(
        'ChimeThrottlesAlarm',
        this.chimeThrottles(),
        'Chime SDK calls throttled (the account nears its rate limits)',
        options.chimeThrottles,
      ),
      alarm(
        'JoinLatencyAlarm',
        this.latency(JoinServiceOperation.CREATE_ATTENDEE),
        'p99 latency of single joins',
        options.joinLatency.toMilliseconds(),
        3,
      ),
    ];
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
}

/** The error codes that mean the service, not the caller, failed (5xx): one alarm each. */
export const SERVER_ERROR_CODES = ['InternalFailure', 'UpstreamFailure', 'ServiceUnavailable'] as const;
