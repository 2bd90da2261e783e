// addDashboard(): what an operator looks at. The widget layout is snapshotted (reviewed when it changes); the tests
// below state what each widget must draw, that every function of the operation table has its widget, and that the
// alarms of addAlarms() appear whether they were added before or after the dashboard.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ChimeJoinService, type ChimeJoinServiceProps, type JoinServiceDashboardOptions } from '../../lib';
import { BACKGROUND_TABLE, OPERATION_TABLE } from '../../lib/operations';
import { logicalId, render, synthService } from './template-helpers';

const SERVICE = 'TestStack/JoinService';
const FUNCTIONS = [...OPERATION_TABLE, ...BACKGROUND_TABLE];

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, any>;
}

/** The widgets of the template's one dashboard, its body parsed (intrinsics rendered as `${LogicalId}`). */
function widgetsOf(template: Template): Widget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  return JSON.parse(render(dashboards[0].Properties.DashboardBody)).widgets;
}

function dashboardOf(
  props: ChimeJoinServiceProps = {},
  act: (service: ChimeJoinService, stack: Stack) => void = (service) => service.addDashboard(),
) {
  const synth = synthService(props, undefined, act);
  return { ...synth, widgets: widgetsOf(synth.template) };
}

const titled = (widgets: Widget[], title: string) => {
  const found = widgets.filter((w) => w.properties.title === title);
  expect(found.map((w) => w.properties.title)).toEqual([title]);
  return found[0];
};

/** A graph's lines as `Namespace MetricName Dim=Value… stat period` (math and search expressions as themselves). */
function linesOf(widget: Widget): string[] {
  return (widget.properties.metrics as unknown[][]).map((entry) => {
    const options = entry[entry.length - 1] as Record<string, any>;
    if (options.expression) return `expression ${options.expression}`;
    const [namespace, name, ...dims] = entry.slice(0, -1) as string[];
    const pairs: string[] = [];
    for (let i = 0; i < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
    // A dashboard leaves CloudWatch's default period (5 minutes) unsaid.
    return [namespace, name, ...pairs, options.stat, options.period ?? 300].join(' ');
  });
}

const labelsOf = (widget: Widget) =>
  (widget.properties.metrics as unknown[][]).map((entry) => (entry[entry.length - 1] as { label?: string }).label);

describe('addDashboard()', () => {
  const { widgets, template, service } = dashboardOf({}, (s) => {
    s.addDashboard();
    s.addAlarms();
  });

  it('adds no dashboard unless asked', () => {
    synthService().template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  it('keeps its widget layout (snapshot: review what moved)', () => {
    const layout = widgets.map((w) => ({
      at: `${w.x},${w.y} ${w.width}x${w.height}`,
      type: w.type,
      title: w.properties.title ?? w.properties.markdown,
      lines: w.properties.metrics ? linesOf(w) : undefined,
      alarms: w.properties.alarms ?? w.properties.annotations?.alarms,
    }));
    expect(layout).toMatchSnapshot();
  });

  it('lays the widgets out on the 24-column grid without overlaps', () => {
    for (const w of widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
    for (const [i, a] of widgets.entries()) {
      for (const b of widgets.slice(i + 1)) {
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect({ a: a.properties.title, b: b.properties.title, apart }).toMatchObject({ apart: true });
      }
    }
  });

  it('has the graphs an operator looks for, in this order', () => {
    const graphs = widgets.filter((w) => w.type === 'metric' && !w.properties.annotations?.alarms);
    expect(graphs.map((w) => w.properties.title).slice(0, 11)).toEqual([
      'Joins per minute',
      'Live meetings',
      'Attendees connected',
      'Client errors (4xx) by code',
      'Server errors (5xx) by code',
      'API Gateway 4xx / 5xx',
      'Requests per minute by route',
      'Latency p50 by route (ms)',
      'Latency p99 by route (ms)',
      'Chime throttles and 429s answered',
      'DynamoDB throttled requests',
    ]);
  });

  it('draws joins per minute', () => {
    expect(linesOf(titled(widgets, 'Joins per minute'))).toEqual([`ChimeJoinService Joins Service=${SERVICE} Sum 60`]);
  });

  it("draws the sweep's gauges at their maximum per sweep interval", () => {
    expect(linesOf(titled(widgets, 'Live meetings'))).toEqual([
      `ChimeJoinService LiveMeetings Service=${SERVICE} Maximum 900`,
    ]);
    expect(linesOf(titled(widgets, 'Attendees connected'))).toEqual([
      `ChimeJoinService AttendeesConnected Service=${SERVICE} Maximum 900`,
    ]);
    const fast = dashboardOf({ sweepInterval: Duration.minutes(5) }).widgets;
    expect(linesOf(titled(fast, 'Live meetings'))).toEqual([
      `ChimeJoinService LiveMeetings Service=${SERVICE} Maximum 300`,
    ]);
  });

  it('draws errors by code: 4xx by a search that leaves out the 5xx codes, 5xx one line per code', () => {
    const [search] = linesOf(titled(widgets, 'Client errors (4xx) by code'));
    expect(search).toBe(
      `expression SEARCH('{ChimeJoinService,ErrorCode,Service} MetricName="Errors" AND Service="${SERVICE}" AND ` +
        'NOT ErrorCode="InternalFailure" AND NOT ErrorCode="UpstreamFailure" AND NOT ErrorCode="ServiceUnavailable"' +
        "', 'Sum', 60)",
    );
    expect(linesOf(titled(widgets, 'Server errors (5xx) by code'))).toEqual(
      ['InternalFailure', 'UpstreamFailure', 'ServiceUnavailable'].map(
        (code) => `ChimeJoinService Errors ErrorCode=${code} Service=${SERVICE} Sum 60`,
      ),
    );
  });

  it("draws the API stage's 4xx and 5xx", () => {
    const stage = logicalId(template, 'AWS::ApiGateway::Stage', 'JoinServiceApiDeploymentStage');
    expect(linesOf(titled(widgets, 'API Gateway 4xx / 5xx'))).toEqual([
      // The API's unique name (its construct path): the metrics of this API alone.
      `AWS/ApiGateway 4XXError ApiName=TestStack-JoinService-B912A259 Stage=\${${stage}} Sum 60`,
      `AWS/ApiGateway 5XXError ApiName=TestStack-JoinService-B912A259 Stage=\${${stage}} Sum 60`,
    ]);
  });

  it.each([
    ['Requests per minute by route', 'Requests', 'Sum'],
    ['Latency p50 by route (ms)', 'Latency', 'p50'],
    ['Latency p99 by route (ms)', 'Latency', 'p99'],
  ])('draws %s: one line per route of the operation table', (title, metric, stat) => {
    const widget = titled(widgets, title);
    expect(linesOf(widget)).toEqual(
      OPERATION_TABLE.map(
        (row) => `ChimeJoinService ${metric} Operation=${row.operation} Service=${SERVICE} ${stat} 60`,
      ),
    );
    expect(labelsOf(widget)).toEqual(OPERATION_TABLE.map((row) => `${row.method} ${row.path}`));
  });

  it('draws Chime throttles beside the 429s the functions answered', () => {
    const widget = titled(widgets, 'Chime throttles and 429s answered');
    expect(linesOf(widget)).toEqual([
      `ChimeJoinService ChimeThrottles Service=${SERVICE} Sum 60`,
      `ChimeJoinService Errors ErrorCode=Throttling Service=${SERVICE} Sum 60`,
    ]);
    // No retries to count: the Chime client does not retry a throttled call, the function answers 429.
    expect(labelsOf(widget)).toEqual(['Chime calls throttled', '429 Throttling answered by the functions']);
  });

  it("draws each table's throttled requests, summed over the operations the functions call on it", () => {
    const attendee = logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceAttendeeTable');
    const meeting = logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceMeetingTable');
    const widget = titled(widgets, 'DynamoDB throttled requests');
    const lines = linesOf(widget);
    expect(lines.filter((l) => l.startsWith('expression'))).toEqual([
      'expression FILL(attendeeBatchWriteItem, 0) + FILL(attendeeGetItem, 0) + FILL(attendeeQuery, 0) + ' +
        'FILL(attendeeUpdateItem, 0)',
      'expression FILL(meetingGetItem, 0) + FILL(meetingQuery, 0) + FILL(meetingScan, 0) + FILL(meetingUpdateItem, 0)',
    ]);
    expect(lines.filter((l) => !l.startsWith('expression'))).toEqual([
      ...['BatchWriteItem', 'GetItem', 'Query', 'UpdateItem'].map(
        (op) => `AWS/DynamoDB ThrottledRequests Operation=${op} TableName=\${${attendee}} Sum 60`,
      ),
      ...['GetItem', 'Query', 'Scan', 'UpdateItem'].map(
        (op) => `AWS/DynamoDB ThrottledRequests Operation=${op} TableName=\${${meeting}} Sum 60`,
      ),
    ]);
  });

  it('draws the meeting events applied, stale and failed, and the dead-letter queue depth', () => {
    expect(linesOf(titled(widgets, 'Meeting events: applied / stale / failed'))).toEqual(
      ['EventsApplied', 'EventsStale', 'EventsFailed'].map((m) => `ChimeJoinService ${m} Service=${SERVICE} Sum 60`),
    );
    const queue = logicalId(template, 'AWS::SQS::Queue', 'JoinServiceMeetingEventsDeadLetterQueue');
    expect(linesOf(titled(widgets, 'Dead-letter queue depth'))).toEqual([
      `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=\${${queue}.QueueName} Maximum 60`,
    ]);
  });

  it.each(FUNCTIONS.map((row) => [row.id, row]))(
    'draws the errors, throttles and concurrent executions of the %s function',
    (_id, row) => {
      const fn = logicalId(template, 'AWS::Lambda::Function', `JoinService${row.id}`);
      const mine = widgets.filter((w) => w.properties.title?.startsWith(`${row.id}: `));
      expect(mine).toHaveLength(1);
      expect(linesOf(mine[0])).toEqual([
        `AWS/Lambda Errors FunctionName=\${${fn}} Sum 60`,
        `AWS/Lambda Throttles FunctionName=\${${fn}} Sum 60`,
        `AWS/Lambda ConcurrentExecutions FunctionName=\${${fn}} Maximum 60`,
      ]);
      // Concurrency on its own axis: a count of executions, not of failures.
      expect((mine[0].properties.metrics as unknown[][]).map((m) => (m.at(-1) as any).yAxis)).toEqual([
        undefined,
        undefined,
        'right',
      ]);
    },
  );

  it("labels each graph's lines in its legend", () => {
    const legend = (title: string) => labelsOf(titled(widgets, title)).filter((label) => label !== undefined);
    expect(legend('Joins per minute')).toEqual(['Attendees joined']);
    expect(legend('Live meetings')).toEqual(['Live meetings']);
    expect(legend('Attendees connected')).toEqual(['Attendees connected (presence Joined)']);
    // A search draws one line per error code, each named by its ErrorCode dimension.
    expect(legend('Client errors (4xx) by code')).toEqual(["${PROP('Dim.ErrorCode')}"]);
    expect(legend('Server errors (5xx) by code')).toEqual(['InternalFailure', 'UpstreamFailure', 'ServiceUnavailable']);
    expect(legend('API Gateway 4xx / 5xx')).toEqual(['4XXError', '5XXError']);
    // The per-operation metrics summed by each table's expression are hidden and unlabelled.
    expect(legend('DynamoDB throttled requests')).toEqual(['attendee table', 'meeting table']);
    expect(legend('Meeting events: applied / stale / failed')).toEqual([
      'Applied',
      'Stale (older than the table)',
      'Failed (retried, then dead-lettered)',
    ]);
    expect(legend('Dead-letter queue depth')).toEqual(['Messages visible']);
    for (const row of FUNCTIONS) {
      const widget = widgets.find((w) => w.properties.title?.startsWith(`${row.id}: `));
      expect(labelsOf(widget!)).toEqual(['Errors', 'Throttles', 'Concurrent executions']);
    }
  });

  it('titles each function widget with its route or trigger', () => {
    const titles = widgets.filter((w) => w.width === 6 && w.height === 6).map((w) => w.properties.title);
    expect(titles).toEqual(
      FUNCTIONS.map((row) =>
        'method' in row
          ? `${row.id}: ${row.method} ${row.path}`
          : `${row.id}: ${row.trigger === 'meeting-events' ? "Chime's meeting events" : 'the sweep (schedule)'}`,
      ),
    );
  });

  it('shows every alarm of addAlarms(): their status at the top, then one alarm widget each', () => {
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).sort();
    expect(alarms).toHaveLength(6);
    const status = widgets.find((w) => w.type === 'alarm')!;
    expect(status).toMatchObject({ x: 0, width: 24, properties: { title: 'Alarms' } });
    expect(status.y).toBeLessThan(Math.min(...widgets.filter((w) => w.type === 'metric').map((w) => w.y)));
    expect([...status.properties.alarms].sort()).toEqual(alarms.map((id) => `\${${id}.Arn}`));
    const alarmWidgets = widgets.filter((w) => w.properties.annotations?.alarms);
    expect(alarmWidgets.map((w) => w.properties.annotations.alarms[0]).sort()).toEqual(
      alarms.map((id) => `\${${id}.Arn}`),
    );
    expect(alarmWidgets.map((w) => w.properties.title)).toEqual([
      'Alarm: InternalFailure',
      'Alarm: UpstreamFailure',
      'Alarm: ServiceUnavailable',
      'Alarm: ChimeThrottles',
      'Alarm: JoinLatency',
      'Alarm: DeadLetterQueue',
    ]);
    expect(service.node.tryFindChild('Dashboard')).toBeDefined();
  });

  it('draws the same dashboard whether addAlarms() came before or after it', () => {
    const before = dashboardOf({}, (s) => {
      s.addAlarms();
      s.addDashboard();
    }).widgets;
    expect(before).toEqual(widgets);
  });

  it('says where the alarms would be when there are none', () => {
    const bare = dashboardOf().widgets;
    expect(bare.filter((w) => w.type === 'alarm' || w.properties.annotations?.alarms)).toEqual([]);
    expect(bare[1]).toMatchObject({ type: 'text', y: 2, height: 1 });
    expect(bare[1].properties.markdown).toContain('addAlarms()');
  });

  it('names the dashboard as asked, and shows the last 3 hours', () => {
    const { template: named } = dashboardOf({}, (s) => s.addDashboard({ dashboardName: 'chime-join' }));
    named.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'chime-join' });
    expect(
      JSON.parse(render(Object.values(named.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody))
        .start,
    ).toBe('-PT3H');
  });

  it('uses the period asked for in the rate, error and latency graphs', () => {
    const five = dashboardOf({}, (s) => s.addDashboard({ period: Duration.minutes(5) })).widgets;
    expect(linesOf(titled(five, 'Joins per 5 minutes'))).toEqual([`ChimeJoinService Joins Service=${SERVICE} Sum 300`]);
    expect(linesOf(titled(five, 'Requests per 5 minutes by route'))[0]).toMatch(/Sum 300$/);
    expect(linesOf(titled(five, 'Client errors (4xx) by code'))[0]).toMatch(/'Sum', 300\)$/);
    // The gauges keep the sweep's interval.
    expect(linesOf(titled(five, 'Live meetings'))[0]).toMatch(/Maximum 900$/);
  });

  it('adds its widgets below those of a dashboard passed in, and returns it', () => {
    let returned: cloudwatch.Dashboard | undefined;
    let mine: cloudwatch.Dashboard | undefined;
    const { widgets: all } = dashboardOf({}, (s, stack) => {
      mine = new cloudwatch.Dashboard(stack, 'Ops');
      mine.addWidgets(new cloudwatch.TextWidget({ markdown: 'our other services', width: 24, height: 3 }));
      returned = s.addDashboard({ dashboard: mine });
    });
    expect(returned).toBe(mine);
    expect(all[0].properties.markdown).toBe('our other services');
    expect(all[1]).toMatchObject({ y: 3, type: 'text' });
    expect(all.map((w) => w.properties.title)).toContain('Joins per minute');
  });

  it.each<[string, JoinServiceDashboardOptions | 'twice', RegExp]>([
    ['a name for a dashboard passed in', { dashboardName: 'x' }, /dashboardName names a new dashboard/],
    ['a period under a minute', { period: Duration.seconds(30) }, /period must be a whole number of minutes/],
    ['a period of a fraction of minutes', { period: Duration.seconds(90) }, /period must be a whole number of minutes/],
    ['a second dashboard of its own', 'twice', /has made its dashboard; pass `dashboard`/],
  ])('refuses %s', (_name, options, message) => {
    expect(() =>
      synthService({}, undefined, (s, stack) => {
        if (options === 'twice') {
          s.addDashboard();
          s.addDashboard();
        } else if (options.dashboardName) {
          s.addDashboard({ ...options, dashboard: new cloudwatch.Dashboard(stack, 'Other') });
        } else {
          s.addDashboard(options);
        }
      }),
    ).toThrow(message);
  });
});

it('keeps two join services apart on one dashboard', () => {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const first = new ChimeJoinService(stack, 'JoinService');
  const second = new ChimeJoinService(stack, 'Second');
  const dashboard = first.addDashboard();
  expect(second.addDashboard({ dashboard })).toBe(dashboard);
  const widgets = widgetsOf(Template.fromStack(stack));
  const joins = widgets.filter((w) => w.properties.title === 'Joins per minute').map((w) => linesOf(w)[0]);
  expect(joins).toEqual([
    `ChimeJoinService Joins Service=${SERVICE} Sum 60`,
    'ChimeJoinService Joins Service=TestStack/Second Sum 60',
  ]);
});
