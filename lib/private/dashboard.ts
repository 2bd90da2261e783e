import { type Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  BACKGROUND_TABLE,
  type BackgroundDefinition,
  type DynamoDbAction,
  type FunctionDefinition,
  type JoinServiceOperation,
  OPERATION_TABLE,
  type OperationDefinition,
} from '../operations';
import { type JoinServiceMetrics, SERVER_ERROR_CODES } from './metrics';

/** What the dashboard draws: one join service's metrics, resources and alarms. */
export interface DashboardSources {
  /** The `Service` dimension: the construct's path. */
  readonly service: string;
  readonly metrics: JoinServiceMetrics;
  readonly api: apigateway.RestApi;
  readonly attendeeTable: dynamodb.ITable;
  readonly meetingTable: dynamodb.ITable;
  readonly deadLetterQueue: sqs.IQueue;
  readonly functionFor: (operation: JoinServiceOperation) => lambda.IFunction;
  /** The alarms `addAlarms()` made: read when the app is synthesized, so later alarms are drawn too. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** How often the sweep writes the gauges (live meetings, attendees connected). */
  readonly sweepInterval: Duration;
}

/** The widths of a row of three and a row of two, on CloudWatch's 24-column grid. */
const THIRD = 8;
const HALF = 12;
const FULL = 24;
const GRAPH_HEIGHT = 6;
/** Per-function widgets: four to a row. */
const FUNCTION_WIDTH = 6;
const ALARM_WIDTH = 6;
const ALARM_HEIGHT = 5;

/**
 * Adds the join service's widgets to a dashboard, row after row below what it holds: a header, the alarms, joins
 * and the live state, errors, traffic and latency by route, throttling, meeting events, and one widget per function.
 * `period` is that of the rate, latency and error graphs; the sweep's gauges use the sweep interval.
 */
export function addDashboardWidgets(dashboard: cloudwatch.Dashboard, sources: DashboardSources, period: Duration) {
  const { metrics } = sources;
  const graph = (
    title: string,
    width: number,
    left: cloudwatch.IMetric[],
    extra: Partial<cloudwatch.GraphWidgetProps> = {},
  ) => new cloudwatch.GraphWidget({ title, width, height: GRAPH_HEIGHT, left, ...extra });
  // The gauges' statistic is their own (metrics.gauge: the maximum); their period is the sweep's.
  const gauge = { period: sources.sweepInterval };
  const per = period.toMinutes() === 1 ? 'minute' : `${period.toMinutes()} minutes`;

  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown:
        `## Chime join service \`${sources.service}\`\n` +
        'Alarms (from `addAlarms()`), joins and live state, errors, latency by route, throttling, meeting events, ' +
        'and each function. The live meetings and attendees connected are counted by the sweep, at each run.',
      width: FULL,
      height: 2,
    }),
  );
  dashboard.addWidgets(new AlarmsWidget(sources.alarms));

  dashboard.addWidgets(
    graph(`Joins per ${per}`, THIRD, [metrics.joins({ period, label: 'Attendees joined' })]),
    graph('Live meetings', THIRD, [metrics.gauge('LiveMeetings', { ...gauge, label: 'Live meetings' })]),
    graph('Attendees connected', THIRD, [
      metrics.gauge('AttendeesConnected', { ...gauge, label: 'Attendees connected (presence Joined)' }),
    ]),
  );

  dashboard.addWidgets(
    graph('Client errors (4xx) by code', THIRD, [metrics.errorsExcept(SERVER_ERROR_CODES, period)]),
    graph(
      'Server errors (5xx) by code',
      THIRD,
      SERVER_ERROR_CODES.map((code) => metrics.errors(code, { period, label: code })),
    ),
    graph('API Gateway 4xx / 5xx', THIRD, [
      sources.api.deploymentStage.metricClientError({ period, statistic: 'Sum', label: '4XXError' }),
      sources.api.deploymentStage.metricServerError({ period, statistic: 'Sum', label: '5XXError' }),
    ]),
  );

  dashboard.addWidgets(
    graph(
      `Requests per ${per} by route`,
      THIRD,
      OPERATION_TABLE.map((row) => metrics.requests(row.operation, { period, label: routeOf(row) })),
    ),
    ...(['p50', 'p99'] as const).map((statistic) =>
      graph(
        `Latency ${statistic} by route (ms)`,
        THIRD,
        OPERATION_TABLE.map((row) => metrics.latency(row.operation, { period, statistic, label: routeOf(row) })),
      ),
    ),
  );

  dashboard.addWidgets(
    graph('Chime throttles and 429s answered', HALF, [
      metrics.chimeThrottles({ period, label: 'Chime calls throttled' }),
      metrics.errors('Throttling', { period, label: '429 Throttling answered by the functions' }),
    ]),
    graph('DynamoDB throttled requests', HALF, [
      throttledRequests(sources.attendeeTable, 'attendee', period),
      throttledRequests(sources.meetingTable, 'meeting', period),
    ]),
  );

  dashboard.addWidgets(
    graph('Meeting events: applied / stale / failed', HALF, [
      metrics.events('EventsApplied', { period, label: 'Applied' }),
      metrics.events('EventsStale', { period, label: 'Stale (older than the table)' }),
      metrics.events('EventsFailed', { period, label: 'Failed (retried, then dead-lettered)' }),
    ]),
    graph('Dead-letter queue depth', HALF, [
      sources.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
        label: 'Messages visible',
      }),
    ]),
  );

  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown: '### Functions: errors and throttles (left), concurrent executions (right)',
      width: FULL,
      height: 1,
    }),
  );
  const functionWidgets = [...OPERATION_TABLE, ...BACKGROUND_TABLE].map((row) => {
    const fn = sources.functionFor(row.operation);
    return graph(
      functionTitle(row),
      FUNCTION_WIDTH,
      [
        fn.metricErrors({ period, statistic: 'Sum', label: 'Errors' }),
        fn.metricThrottles({ period, statistic: 'Sum', label: 'Throttles' }),
      ],
      {
        right: [fn.metric('ConcurrentExecutions', { period, statistic: 'Maximum', label: 'Concurrent executions' })],
      },
    );
  });
  dashboard.addWidgets(...functionWidgets);
}

/** `POST /join`: how the dashboard names a route. */
const routeOf = (row: OperationDefinition) => `${row.method} ${row.path}`;

/** A function widget's title: its construct id, then its route or trigger. */
function functionTitle(row: FunctionDefinition): string {
  const how =
    'method' in row
      ? routeOf(row as OperationDefinition)
      : (row as BackgroundDefinition).trigger === 'meeting-events'
        ? "Chime's meeting events"
        : 'the sweep (schedule)';
  return `${row.id}: ${how}`;
}

/** Every DynamoDB action some function calls on one table or its index: the Operation dimensions to sum. */
function tableActions(table: 'attendee' | 'meeting'): DynamoDbAction[] {
  const actions = new Set<DynamoDbAction>();
  for (const row of [...OPERATION_TABLE, ...BACKGROUND_TABLE]) {
    const used =
      table === 'attendee'
        ? [...row.attendeeTable, ...row.attendeeIndex]
        : [...(row.meetingTable ?? []), ...(row.meetingIndex ?? [])];
    for (const action of used) actions.add(action);
  }
  return [...actions].sort();
}

/**
 * ThrottledRequests of one table summed over the operations the service calls on it. The per-operation metrics get
 * ids prefixed with the table's, so two tables' sums can share a graph (aws-cdk-lib's own sum names them by
 * operation alone); FILL makes an operation that was never throttled count as 0 instead of hiding the sum.
 */
function throttledRequests(
  table: dynamodb.ITable,
  kind: 'attendee' | 'meeting',
  period: Duration,
): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  for (const action of tableActions(kind)) {
    usingMetrics[`${kind}${action}`] = new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName: 'ThrottledRequests',
      dimensionsMap: { TableName: table.tableName, Operation: action },
      statistic: 'Sum',
      period,
    });
  }
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    label: `${kind} table`,
    period,
  });
}

/**
 * The alarms of `addAlarms()`: a status widget for them all, then one alarm widget each (its metric and threshold).
 * A dashboard lays its rows out when the app is synthesized, so this row reads the list then: alarms added after
 * `addDashboard()` are drawn as well, at the same place. Without alarms it is a one-line note.
 */
class AlarmsWidget implements cloudwatch.IWidget {
  private laidOut?: { readonly count: number; readonly widget: cloudwatch.IWidget };

  constructor(private readonly alarms: readonly cloudwatch.IAlarm[]) {}

  // aws-cdk-lib reads a widget's width only to place others beside it in a row; this widget has its row alone.
  // Stryker disable next-line BlockStatement: equivalent (see above)
  public get width(): number {
    return this.current().width;
  }

  public get height(): number {
    return this.current().height;
  }

  public position(x: number, y: number): void {
    this.current().position(x, y);
  }

  public toJson(): unknown[] {
    return this.current().toJson();
  }

  private current(): cloudwatch.IWidget {
    if (this.laidOut?.count !== this.alarms.length) {
      this.laidOut = { count: this.alarms.length, widget: alarmsRow(this.alarms) };
    }
    return this.laidOut.widget;
  }
}

function alarmsRow(alarms: readonly cloudwatch.IAlarm[]): cloudwatch.IWidget {
  if (alarms.length === 0) {
    return new cloudwatch.TextWidget({
      markdown: 'No alarms: `addAlarms()` adds them, and they appear here.',
      width: FULL,
      height: 1,
    });
  }
  return new cloudwatch.Column(
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      alarms: [...alarms],
      width: FULL,
      height: 1 + Math.ceil(alarms.length / 4),
    }),
    new cloudwatch.Row(
      ...alarms.map(
        (alarm) =>
          new cloudwatch.AlarmWidget({ title: alarmTitle(alarm), alarm, width: ALARM_WIDTH, height: ALARM_HEIGHT }),
      ),
    ),
  );
}

/** `Alarm: JoinLatency` for the alarm whose construct id is `JoinLatencyAlarm`. */
// Stryker disable next-line Regex: equivalent, every id addAlarms() gives ends in 'Alarm' and has it nowhere else
const alarmTitle = (alarm: cloudwatch.IAlarm) => `Alarm: ${alarm.node.id.replace(/Alarm$/, '')}`;
