// The CloudWatch Embedded Metric Format records (lambda/shared/metrics.ts): each record, read back as CloudWatch
// reads it, must declare exactly the metrics, units and dimensions the dashboards and alarms query, and carry the
// request's log fields. Also the per-request counters the Chime client's throttle middleware writes to.
import { ENV, METRICS_NAMESPACE } from '../../lib/contract';
import {
  currentCounters,
  emfRecord,
  emitEventRecord,
  emitRequestRecord,
  emitSweepRecord,
  type EventOutcome,
  eventRecord,
  type RequestCounters,
  type RequestRecord,
  sweepRecord,
  withCounters,
} from '../../lambda/shared/metrics';

const TIMESTAMP = Date.UTC(2030, 0, 2, 3, 4, 5, 678);

/** The two metric directives every request record declares. */
const REQUEST_METRICS = [
  {
    Namespace: 'ChimeJoinService',
    Dimensions: [['Service', 'Operation']],
    Metrics: [
      { Name: 'Requests', Unit: 'Count' },
      { Name: 'Latency', Unit: 'Milliseconds' },
    ],
  },
  {
    Namespace: 'ChimeJoinService',
    Dimensions: [['Service']],
    Metrics: [
      { Name: 'Joins', Unit: 'Count' },
      { Name: 'ChimeThrottles', Unit: 'Count' },
    ],
  },
];

const SUCCESS: RequestRecord = {
  requestId: 'req-1',
  operation: 'join-meeting',
  statusCode: 201,
  durationMs: 42,
  joins: 1,
  counters: { chimeThrottles: 2 },
};

describe('the request record (emfRecord)', () => {
  it('declares Requests and Latency by Service and Operation, Joins and ChimeThrottles by Service, and no Errors for a success', () => {
    expect(METRICS_NAMESPACE).toBe('ChimeJoinService');
    expect(emfRecord(SUCCESS, 'svc', TIMESTAMP)).toEqual({
      _aws: { Timestamp: TIMESTAMP, CloudWatchMetrics: REQUEST_METRICS },
      Service: 'svc',
      Operation: 'join-meeting',
      Requests: 1,
      Latency: 42,
      Joins: 1,
      ChimeThrottles: 2,
      requestId: 'req-1',
      statusCode: 201,
    });
  });

  it('adds the Errors metric by Service and ErrorCode, and the cause of a 5xx, for a failure', () => {
    const failure: RequestRecord = {
      requestId: 'req-2',
      operation: 'create-attendee',
      statusCode: 503,
      durationMs: 7,
      errorCode: 'ServiceUnavailable',
      joins: 0,
      counters: { chimeThrottles: 0 },
      cause: { name: 'ServiceFailureException', message: 'down' },
    };
    expect(emfRecord(failure, 'svc', TIMESTAMP)).toEqual({
      _aws: {
        Timestamp: TIMESTAMP,
        CloudWatchMetrics: [
          ...REQUEST_METRICS,
          {
            Namespace: 'ChimeJoinService',
            Dimensions: [['Service', 'ErrorCode']],
            Metrics: [{ Name: 'Errors', Unit: 'Count' }],
          },
        ],
      },
      Service: 'svc',
      Operation: 'create-attendee',
      Requests: 1,
      Latency: 7,
      Joins: 0,
      ChimeThrottles: 0,
      ErrorCode: 'ServiceUnavailable',
      Errors: 1,
      requestId: 'req-2',
      statusCode: 503,
      cause: { name: 'ServiceFailureException', message: 'down' },
    });
  });
});

describe('the event record (eventRecord)', () => {
  it.each<[EventOutcome, string]>([
    ['applied', 'EventsApplied'],
    ['stale', 'EventsStale'],
    ['ignored', 'EventsIgnored'],
    ['failed', 'EventsFailed'],
  ])('counts an event %s as %s by Service', (outcome, metric) => {
    expect(eventRecord(outcome, 'chime:AttendeeJoined', 'svc', TIMESTAMP)).toEqual({
      _aws: {
        Timestamp: TIMESTAMP,
        CloudWatchMetrics: [
          { Namespace: 'ChimeJoinService', Dimensions: [['Service']], Metrics: [{ Name: metric, Unit: 'Count' }] },
        ],
      },
      Service: 'svc',
      [metric]: 1,
      eventType: 'chime:AttendeeJoined',
      outcome,
    });
  });
});

describe('the sweep record (sweepRecord)', () => {
  it('declares the LiveMeetings and AttendeesConnected gauges by Service, live meetings net of those it closed', () => {
    expect(sweepRecord({ live: 5, connected: 3, checked: 4, closed: 2 }, 'meeting-sweep', 'svc', TIMESTAMP)).toEqual({
      _aws: {
        Timestamp: TIMESTAMP,
        CloudWatchMetrics: [
          {
            Namespace: 'ChimeJoinService',
            Dimensions: [['Service']],
            Metrics: [
              { Name: 'LiveMeetings', Unit: 'Count' },
              { Name: 'AttendeesConnected', Unit: 'Count' },
            ],
          },
        ],
      },
      Service: 'svc',
      LiveMeetings: 3,
      AttendeesConnected: 3,
      operation: 'meeting-sweep',
      live: 5,
      connected: 3,
      checked: 4,
      closed: 2,
    });
  });
});

describe('writing the records', () => {
  let written: string[];
  const saved = process.env[ENV.metricsService];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    jest.spyOn(Date, 'now').mockReturnValue(TIMESTAMP);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    if (saved === undefined) delete process.env[ENV.metricsService];
    else process.env[ENV.metricsService] = saved;
  });

  it.each([
    ['the construct names the service', 'join-service-prod', 'join-service-prod'],
    ['no service is set (local runs)', undefined, 'local'],
  ])('writes each record as one JSON line on stdout, stamped now, when %s', (_, configured, service) => {
    if (configured === undefined) delete process.env[ENV.metricsService];
    else process.env[ENV.metricsService] = configured;
    const gauges = { live: 1, connected: 0, checked: 1, closed: 0 };

    emitRequestRecord(SUCCESS);
    emitEventRecord('stale', 'chime:MeetingEnded');
    emitSweepRecord(gauges, 'meeting-sweep');

    expect(written).toEqual([
      `${JSON.stringify(emfRecord(SUCCESS, service, TIMESTAMP))}\n`,
      `${JSON.stringify(eventRecord('stale', 'chime:MeetingEnded', service, TIMESTAMP))}\n`,
      `${JSON.stringify(sweepRecord(gauges, 'meeting-sweep', service, TIMESTAMP))}\n`,
    ]);
    expect(JSON.parse(written[1])).toMatchObject({ Service: service, EventsStale: 1, outcome: 'stale' });
  });
});

describe('the request counters (withCounters)', () => {
  it('gives the work fresh counters, current while it runs and gone when it ends', async () => {
    expect(currentCounters()).toBeUndefined();
    const result = await withCounters(async (counters) => {
      expect(counters).toEqual({ chimeThrottles: 0 });
      expect(currentCounters()).toBe(counters);
      counters.chimeThrottles += 1;
      return 'done';
    });
    expect(result).toBe('done');
    expect(currentCounters()).toBeUndefined();
  });

  it('drops the counters of work that failed, and passes its error on', async () => {
    const failure = new Error('failed');
    await expect(
      withCounters(async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(currentCounters()).toBeUndefined();
  });

  it('leaves a later request its counters when an earlier one ends first (local mode runs requests concurrently)', async () => {
    let finishFirst!: () => void;
    let second: RequestCounters | undefined;
    let duringSecond: RequestCounters | undefined;
    const first = withCounters(() => new Promise<void>((resolve) => (finishFirst = resolve)));
    const later = withCounters(async (counters) => {
      second = counters;
      finishFirst();
      await first;
      duringSecond = currentCounters();
    });
    await later;
    expect(duringSecond).toBe(second);
    expect(currentCounters()).toBeUndefined();
  });
});
