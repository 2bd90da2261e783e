import { JoinServiceOperation } from '../../lib/operations';
import { Duration, type Stack } from 'aws-cdk-lib';
import { synthService } from './template-helpers';

describe('metrics', () => {
  const { service, template } = synthService();
  const dims = (metric: { dimensions?: Record<string, unknown> }) => metric.dimensions;

  it("names this join service in every handler's records (the Service dimension)", () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.METRICS_SERVICE).toBe('TestStack/JoinService');
    }
  });

  it.each([
    ['metricJoins', () => service.metricJoins(), 'Joins', { Service: 'TestStack/JoinService' }, 'Sum'],
    [
      'metricChimeThrottles',
      () => service.metricChimeThrottles(),
      'ChimeThrottles',
      { Service: 'TestStack/JoinService' },
      'Sum',
    ],
    [
      'metricErrors',
      () => service.metricErrors('UpstreamFailure'),
      'Errors',
      { Service: 'TestStack/JoinService', ErrorCode: 'UpstreamFailure' },
      'Sum',
    ],
    [
      'metricLatency',
      () => service.metricLatency(JoinServiceOperation.CREATE_ATTENDEE),
      'Latency',
      { Service: 'TestStack/JoinService', Operation: 'create-attendee' },
      'p99',
    ],
    [
      'metricRequests',
      () => service.metricRequests(JoinServiceOperation.LIST_ATTENDEES),
      'Requests',
      { Service: 'TestStack/JoinService', Operation: 'list-attendees' },
      'Sum',
    ],
  ])("%s reads the handlers' EMF metric %s", (_name, metric, metricName, dimensions, statistic) => {
    const m = metric();
    expect(m.namespace).toBe('ChimeJoinService');
    expect(m.metricName).toBe(metricName);
    expect(dims(m)).toEqual(dimensions);
    expect(m.statistic).toBe(statistic);
    expect(m.period.toMinutes()).toBe(5);
  });

  it.each([
    ['metricEventsApplied', () => service.metricEventsApplied(), 'EventsApplied'],
    ['metricEventsStale', () => service.metricEventsStale(), 'EventsStale'],
    ['metricEventsFailed', () => service.metricEventsFailed(), 'EventsFailed'],
  ])("%s reads the event function's EMF metric %s", (_name, metric, metricName) => {
    const m = metric();
    expect([m.namespace, m.metricName, m.statistic]).toEqual(['ChimeJoinService', metricName, 'Sum']);
    expect(dims(m)).toEqual({ Service: 'TestStack/JoinService' });
  });

  it('lets the caller override the statistic and period', () => {
    const m = service.metricJoins({ statistic: 'SampleCount', period: Duration.minutes(1) });
    expect([m.statistic, m.period.toMinutes()]).toEqual(['SampleCount', 1]);
  });

  it('adds no alarm unless asked', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});

describe('addAlarms()', () => {
  it('adds server-error, throttling and join-latency alarms with the thresholds given', () => {
    let count = 0;
    const { template } = synthService({}, undefined, (service) => {
      count = service.addAlarms({
        serverErrorThreshold: 2,
        chimeThrottleThreshold: 20,
        joinLatencyThreshold: Duration.seconds(2),
      }).length;
    });
    expect(count).toBe(6);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const byMetric = (name: string, code?: string) =>
      alarms.filter(
        (a) =>
          a.MetricName === name &&
          (!code ||
            a.Dimensions.some((d: { Name: string; Value: string }) => d.Name === 'ErrorCode' && d.Value === code)),
      );
    for (const code of ['InternalFailure', 'UpstreamFailure', 'ServiceUnavailable']) {
      expect(byMetric('Errors', code)).toEqual([
        expect.objectContaining({ Threshold: 2, Statistic: 'Sum', TreatMissingData: 'notBreaching' }),
      ]);
    }
    expect(byMetric('ChimeThrottles')).toEqual([
      expect.objectContaining({ Threshold: 20, Namespace: 'ChimeJoinService' }),
    ]);
    expect(byMetric('Latency')).toEqual([
      expect.objectContaining({ Threshold: 2000, ExtendedStatistic: 'p99', EvaluationPeriods: 3 }),
    ]);
    // Meeting events (or sweep runs) that failed every retry: the dead-letter queue holds at least one.
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toEqual([
      expect.objectContaining({ Namespace: 'AWS/SQS', Threshold: 1, Statistic: 'Maximum' }),
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toBeUndefined();
  });

  it('says what each alarm watches, in words for whoever it pages', () => {
    const { template } = synthService({}, undefined, (service) => service.addAlarms());
    const described = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => [
      a.Properties.MetricName === 'Errors'
        ? a.Properties.Dimensions.find((d: { Name: string }) => d.Name === 'ErrorCode').Value
        : a.Properties.MetricName,
      a.Properties.AlarmDescription,
    ]);
    expect(Object.fromEntries(described)).toEqual({
      InternalFailure: 'Chime join service: InternalFailure errors answered to callers',
      UpstreamFailure: 'Chime join service: UpstreamFailure errors answered to callers',
      ServiceUnavailable: 'Chime join service: ServiceUnavailable errors answered to callers',
      ChimeThrottles: 'Chime join service: Chime SDK calls throttled (the account nears its rate limits)',
      Latency: 'Chime join service: p99 latency of single joins',
      ApproximateNumberOfMessagesVisible:
        'Chime join service: meeting events or sweep runs failed every retry (dead-letter queue)',
    });
  });

  it('keeps two join services in one stack apart', () => {
    const { stack } = synthService();
    const { ChimeJoinService } = jest.requireActual('../../lib');
    const second = new ChimeJoinService(stack as Stack, 'Second');
    expect(second.metricJoins().dimensions).toEqual({ Service: 'TestStack/Second' });
  });
});
