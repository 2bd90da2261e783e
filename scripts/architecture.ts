// The README's architecture picture (docs/architecture.svg), drawn from the synthesized template of the example app
// (bin/example-app.ts: the construct with its defaults), so that it cannot drift from what the construct deploys:
// the authorization in front (the API's methods), the routes and the function behind each, what each function may
// call (its role's policies: Chime actions, tables and indexes), the tables with their keys and indexes, and the
// EventBridge rule and schedule with their functions and dead-letter queue.
//
// A pure function of the template: sorted, no clock, fixed number formats, so a fresh synth gives the same file byte
// for byte (test/docs/architecture.test.ts regenerates it and fails on a difference). Plain SVG for GitHub and Construct
// Hub: text as text in the fonts of the reader's system, no scripts, styles, external references or markers, and a
// white background of its own, so it reads the same in dark mode.
//
// `npm run architecture` bundles the handlers (the synth needs the assets) and rewrites docs/architecture.svg.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as ExampleApp from '../bin/example-app';

// ---------------------------------------------------------------------------------------------------------------
// The model: what the picture shows, read from the template.
// ---------------------------------------------------------------------------------------------------------------

/** A resource's properties: the template is JSON, read as it comes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Props = Record<string, any>;

export interface CfnTemplate {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties: Props }>;
}

export interface ApiInfo {
  readonly stage: string;
  readonly endpoint: string;
  /** Every method's AuthorizationType, distinct and sorted. */
  readonly authorization: readonly string[];
  readonly throttle?: { readonly rate: number; readonly burst: number };
  readonly tracing: boolean;
  readonly accessLogs: boolean;
  readonly requestValidation: boolean;
  readonly webAcl: boolean;
}

export interface Route {
  readonly method: string;
  readonly path: string;
  /** The logical id of the function behind it. */
  readonly fn: string;
}

export interface TableAccess {
  readonly read: boolean;
  readonly write: boolean;
  /** The indexes it queries, sorted. */
  readonly indexes: readonly string[];
}

export interface FunctionInfo {
  readonly id: string;
  /** The operation it serves, from its description. */
  readonly name: string;
  /** Runtime, architecture and memory, e.g. `nodejs24.x arm64 512 MB`. */
  readonly runtime: string;
  /** Chime actions its role allows, in the policy's order. */
  readonly chime: readonly string[];
  /** By table logical id. */
  readonly tables: Readonly<Record<string, TableAccess>>;
  /** Asynchronous invocations: retries, then the queue (EventInvokeConfig). */
  readonly onFailure?: { readonly queue: string; readonly retries: number };
}

export interface TableInfo {
  readonly id: string;
  readonly name: string;
  readonly keys: readonly string[];
  readonly ttl?: string;
  readonly indexes: ReadonlyArray<{ readonly name: string; readonly keys: readonly string[] }>;
}

export interface TriggerInfo {
  readonly id: string;
  readonly kind: 'events' | 'schedule';
  readonly fn: string;
  /** Event pattern: source, detail type and event types; schedule: its expression. */
  readonly source?: string;
  readonly detailType?: string;
  readonly eventTypes?: readonly string[];
  readonly schedule?: string;
  readonly deadLetterQueue?: string;
}

export interface QueueInfo {
  readonly id: string;
  readonly name: string;
  readonly retentionDays?: number;
}

export interface ArchitectureModel {
  readonly stack: string;
  readonly api: ApiInfo;
  readonly routes: readonly Route[];
  readonly functions: Readonly<Record<string, FunctionInfo>>;
  readonly tables: readonly TableInfo[];
  readonly triggers: readonly TriggerInfo[];
  readonly queues: readonly QueueInfo[];
}

const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const READ_ACTIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

/** Logical id of a `Ref` or `Fn::GetAtt`, else undefined. */
function refOf(value: unknown): string | undefined {
  const v = value as Record<string, unknown> | null;
  if (typeof v?.Ref === 'string') return v.Ref;
  const getAtt = v?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/** Every logical id a value refers to (Refs and GetAtts at any depth), in order. */
function refsIn(value: unknown): string[] {
  const own = refOf(value);
  if (own) return [own];
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(refsIn);
  return [];
}

/** Every string in a value, at any depth (the literal parts of an Fn::Join). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A readable name for a logical id: without the construct's id in front and CDK's hash behind. */
export function shortName(logicalId: string, prefix: string): string {
  const bare = logicalId.replace(/[0-9A-F]{8}$/, '');
  return bare.startsWith(prefix) && bare.length > prefix.length ? bare.slice(prefix.length) : bare;
}

export function readArchitecture(template: CfnTemplate, stack: string, prefix: string): ArchitectureModel {
  const entries = Object.entries(template.Resources).sort(([a], [b]) => byKey(a, b));
  const ofType = (type: string) => entries.filter(([, r]) => r.Type === type);

  // Routes: each method's path, from its resource up to the API's root.
  const resources = new Map(ofType('AWS::ApiGateway::Resource').map(([id, r]) => [id, r.Properties]));
  const pathOf = (resourceId: string | undefined): string => {
    const resource = resourceId ? resources.get(resourceId) : undefined;
    if (!resource) return '';
    return `${pathOf(refOf(resource.ParentId))}/${resource.PathPart}`;
  };
  const methods = ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS');
  const routes: Route[] = methods.map(([, m]) => {
    const fn = refsIn(m.Properties.Integration?.Uri).find(
      (id) => template.Resources[id]?.Type === 'AWS::Lambda::Function',
    );
    if (!fn) throw new Error(`method ${m.Properties.HttpMethod} has no Lambda integration`);
    return { method: m.Properties.HttpMethod, path: pathOf(refOf(m.Properties.ResourceId)) || '/', fn };
  });
  routes.sort((a, b) => byKey(a.path, b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));

  const stages = ofType('AWS::ApiGateway::Stage');
  if (stages.length !== 1) throw new Error(`expected one API stage, found ${stages.length}`);
  const stage = stages[0][1].Properties;
  const settings = (stage.MethodSettings ?? []).find((s: Props) => s.HttpMethod === '*' && s.ResourcePath === '/*');
  const restApi = ofType('AWS::ApiGateway::RestApi')[0]?.[1].Properties;
  const api: ApiInfo = {
    stage: stage.StageName,
    endpoint: (restApi?.EndpointConfiguration?.Types ?? ['EDGE'])[0].toLowerCase(),
    authorization: [...new Set(methods.map(([, m]) => String(m.Properties.AuthorizationType ?? 'NONE')))].sort(byKey),
    throttle:
      settings?.ThrottlingRateLimit !== undefined
        ? { rate: settings.ThrottlingRateLimit, burst: settings.ThrottlingBurstLimit }
        : undefined,
    tracing: stage.TracingEnabled === true,
    accessLogs: stage.AccessLogSetting !== undefined,
    requestValidation: ofType('AWS::ApiGateway::RequestValidator').length > 0,
    webAcl: ofType('AWS::WAFv2::WebACLAssociation').length > 0,
  };

  const tables: TableInfo[] = ofType('AWS::DynamoDB::Table').map(([id, t]) => {
    const keys = (schema: Array<{ AttributeName: string }>) => schema.map((k) => k.AttributeName);
    return {
      id,
      name: shortName(id, prefix),
      keys: keys(t.Properties.KeySchema),
      ttl: t.Properties.TimeToLiveSpecification?.Enabled
        ? t.Properties.TimeToLiveSpecification.AttributeName
        : undefined,
      indexes: (t.Properties.GlobalSecondaryIndexes ?? [])
        .map((g: Props) => ({ name: g.IndexName, keys: keys(g.KeySchema) }))
        .sort((a: { name: string }, b: { name: string }) => byKey(a.name, b.name)),
    };
  });
  const tableIds = new Set(tables.map((t) => t.id));

  const queues: QueueInfo[] = ofType('AWS::SQS::Queue').map(([id, q]) => ({
    id,
    name: shortName(id, prefix),
    retentionDays:
      q.Properties?.MessageRetentionPeriod === undefined ? undefined : q.Properties.MessageRetentionPeriod / 86400,
  }));

  const onFailure = new Map<string, { queue: string; retries: number }>();
  for (const [, config] of ofType('AWS::Lambda::EventInvokeConfig')) {
    const queue = refOf(config.Properties.DestinationConfig?.OnFailure?.Destination);
    const fn = refOf(config.Properties.FunctionName);
    if (queue && fn) onFailure.set(fn, { queue, retries: config.Properties.MaximumRetryAttempts ?? 2 });
  }

  const policies = ofType('AWS::IAM::Policy');
  const functions: Record<string, FunctionInfo> = {};
  for (const [id, fn] of ofType('AWS::Lambda::Function')) {
    const role = refOf(fn.Properties.Role);
    const chime: string[] = [];
    const access: Record<string, { read: boolean; write: boolean; indexes: string[] }> = {};
    for (const [, policy] of policies) {
      if (!(policy.Properties.Roles ?? []).some((r: unknown) => refOf(r) === role)) continue;
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (statement.Effect !== 'Allow') continue;
        const actions = [statement.Action].flat() as string[];
        for (const resource of [statement.Resource].flat()) {
          for (const action of actions) {
            const [service, name] = action.split(':');
            if (service === 'chime' && stringsIn(resource).some((s) => s.includes(':chime:'))) {
              if (!chime.includes(name)) chime.push(name);
            }
            const table = refsIn(resource).find((ref) => tableIds.has(ref));
            if (service !== 'dynamodb' || !table) continue;
            const entry = (access[table] ??= { read: false, write: false, indexes: [] });
            const index = stringsIn(resource)
              .map((s) => /\/index\/(.+)$/.exec(s)?.[1])
              .find(Boolean);
            if (index) {
              if (!entry.indexes.includes(index)) entry.indexes.push(index);
            } else if (READ_ACTIONS.has(name)) entry.read = true;
            else entry.write = true;
          }
        }
      }
    }
    for (const entry of Object.values(access)) entry.indexes.sort(byKey);
    const description = String(fn.Properties.Description ?? '');
    functions[id] = {
      id,
      name: description.includes(': ') ? description.slice(description.lastIndexOf(': ') + 2) : shortName(id, prefix),
      runtime: [
        fn.Properties.Runtime,
        ...(fn.Properties.Architectures ?? ['x86_64']),
        `${fn.Properties.MemorySize ?? 128} MB`,
      ].join(' '),
      chime,
      tables: access,
      ...(onFailure.has(id) && { onFailure: onFailure.get(id) }),
    };
  }

  const triggers: TriggerInfo[] = ofType('AWS::Events::Rule').flatMap(([id, rule]) =>
    (rule.Properties.Targets ?? [])
      .map((target: Props) => ({ fn: refOf(target.Arn), deadLetterQueue: refOf(target.DeadLetterConfig?.Arn) }))
      .filter((t: { fn?: string }) => t.fn && functions[t.fn])
      .map((t: { fn: string; deadLetterQueue?: string }) => {
        const pattern = rule.Properties.EventPattern;
        return pattern
          ? {
              id,
              kind: 'events' as const,
              fn: t.fn,
              source: (pattern.source ?? []).join(', '),
              detailType: (pattern['detail-type'] ?? []).join(', '),
              eventTypes: [pattern.detail?.eventType ?? []].flat().map((e: string) => e.replace(/^chime:/, '')),
              deadLetterQueue: t.deadLetterQueue,
            }
          : {
              id,
              kind: 'schedule' as const,
              fn: t.fn,
              schedule: rule.Properties.ScheduleExpression,
              deadLetterQueue: t.deadLetterQueue,
            };
      }),
  );
  // Chime's events first, then schedules.
  triggers.sort((a, b) => byKey(a.kind, b.kind) || byKey(a.id, b.id));

  return { stack, api, routes, functions, tables, triggers, queues };
}

// ---------------------------------------------------------------------------------------------------------------
// Text measurement: Helvetica's advance widths (Arial has the same), the fonts the picture asks for first, with
// slack for a wider fallback. The layout is computed from these, so it is the same on every machine.
// ---------------------------------------------------------------------------------------------------------------

// prettier-ignore
const WIDTHS: Record<string, number> = {
  ' ': 278, '!': 278, '"': 355, '#': 556, $: 556, '%': 889, '&': 667, "'": 191, '(': 333, ')': 333, '*': 389,
  '+': 584, ',': 278, '-': 333, '.': 278, '/': 278, ':': 278, ';': 278, '<': 584, '=': 584, '>': 584, '?': 556,
  '@': 1015, '[': 278, '\\': 278, ']': 278, '^': 469, _: 556, '`': 333, '{': 334, '|': 260, '}': 334, '~': 584,
  A: 667, B: 667, C: 722, D: 722, E: 667, F: 611, G: 778, H: 722, I: 278, J: 500, K: 667, L: 556, M: 833,
  N: 722, O: 778, P: 667, Q: 778, R: 722, S: 667, T: 611, U: 722, V: 667, W: 944, X: 667, Y: 667, Z: 611,
  a: 556, b: 556, c: 500, d: 556, e: 556, f: 278, g: 556, h: 556, i: 222, j: 222, k: 500, l: 222, m: 833,
  n: 556, o: 556, p: 556, q: 556, r: 333, s: 500, t: 278, u: 556, v: 500, w: 722, x: 500, y: 500, z: 500,
  '·': 278, '→': 1000,
};
const SLACK = 1.18;

export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const ch of text) units += WIDTHS[ch] ?? (ch >= '0' && ch <= '9' ? 556 : 1000);
  return (units / 1000) * size * (bold ? 1.1 : 1) * SLACK;
}

/** Words wrapped into lines no wider than `width`. */
function wrap(text: string, size: number, width: number, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && textWidth(candidate, size, bold) > width) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// Drawing: shapes in paint order, and every text's box for the tests (nothing overlaps, all inside the picture).
// ---------------------------------------------------------------------------------------------------------------

export interface TextBox {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Drawing {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  readonly texts: readonly TextBox[];
  /** The boxes (nodes of the picture), for the alignment checks. */
  readonly boxes: ReadonlyArray<{
    readonly kind: string;
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  }>;
}

const FONT = `font-family="Helvetica, Arial, 'Liberation Sans', sans-serif"`;
const INK = '#1f2328';
const MUTED = '#57606a';
const STYLE = {
  caller: { fill: '#f6f8fa', stroke: '#57606a' },
  api: { fill: '#f3edff', stroke: '#7d3fd9' },
  fn: { fill: '#fff3e0', stroke: '#c76a00' },
  chime: { fill: '#e7f6ec', stroke: '#1a7f37' },
  table: { fill: '#e8f0fe', stroke: '#2f5bd3' },
  trigger: { fill: '#fdebf3', stroke: '#bf1f6e' },
  queue: { fill: '#fff0ee', stroke: '#c2281d' },
} as const;
const METHOD_COLORS: Record<string, string> = {
  GET: '#1a7f37',
  POST: '#0b5cad',
  PUT: '#8250df',
  PATCH: '#8250df',
  DELETE: '#b42318',
};
const FAILURE = '#c2281d';

const n = (v: number) => String(Math.round(v * 10) / 10);
const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

class Canvas {
  private readonly back: string[] = [];
  private readonly shapes: string[] = [];
  private readonly lines: string[] = [];
  private readonly labels: string[] = [];
  public readonly texts: TextBox[] = [];
  public readonly boxes: Drawing['boxes'][number][] = [];

  stripe(x: number, y: number, width: number, height: number, fill: string) {
    this.back.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" fill="${fill}"/>`);
  }

  rule(x1: number, y1: number, x2: number, y2: number, color = '#d0d7de') {
    this.back.push(
      `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${color}" stroke-width="1"/>`,
    );
  }

  box(kind: keyof typeof STYLE, x: number, y: number, width: number, height: number) {
    const { fill, stroke } = STYLE[kind];
    this.shapes.push(
      `<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="1.2"/>`,
    );
    this.boxes.push({ kind, x, y, width, height });
  }

  badge(method: string, x: number, y: number, width: number, height: number) {
    this.shapes.push(
      `<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="4" fill="${METHOD_COLORS[method] ?? MUTED}"/>`,
    );
    this.text(method, x + width / 2, y + height / 2, { size: 10.5, bold: true, fill: '#ffffff', anchor: 'middle' });
  }

  /** A text whose vertical centre is at `cy`. */
  text(
    text: string,
    x: number,
    cy: number,
    options: { size?: number; bold?: boolean; fill?: string; anchor?: 'start' | 'middle' } = {},
  ) {
    const { size = 12, bold = false, fill = INK, anchor = 'start' } = options;
    const width = textWidth(text, size, bold);
    const left = anchor === 'middle' ? x - width / 2 : x;
    // Cap height ≈ 0.72 em: the baseline sits that far below the top of the capitals.
    const baseline = cy + size * 0.36;
    this.labels.push(
      `<text x="${n(x)}" y="${n(baseline)}" font-size="${size}"` +
        `${bold ? ' font-weight="bold"' : ''}${fill === INK ? '' : ` fill="${fill}"`}` +
        `${anchor === 'middle' ? ' text-anchor="middle"' : ''}>${escape(text)}</text>`,
    );
    this.texts.push({ text, x: left, y: cy - size * 0.6, width, height: size * 1.2 });
  }

  /** A path of straight segments. */
  line(points: ReadonlyArray<readonly [number, number]>, options: { color?: string; dashed?: boolean } = {}) {
    const { color = MUTED, dashed = false } = options;
    const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)} ${n(y)}`).join(' ');
    this.lines.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.4"${dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
  }

  /** A path of straight segments, with an arrowhead at its last point (a polygon: no markers). */
  arrow(points: ReadonlyArray<readonly [number, number]>, options: { color?: string; dashed?: boolean } = {}) {
    this.line(points, options);
    const [[x1, y1], [x2, y2]] = points.slice(-2);
    const length = Math.hypot(x2 - x1, y2 - y1);
    const [ux, uy] = [(x2 - x1) / length, (y2 - y1) / length];
    const head = 7;
    const wing = 3.5;
    const bx = x2 - ux * head;
    const by = y2 - uy * head;
    this.lines.push(
      `<polygon points="${n(x2)},${n(y2)} ${n(bx - uy * wing)},${n(by + ux * wing)} ${n(bx + uy * wing)},${n(by - ux * wing)}" fill="${options.color ?? MUTED}"/>`,
    );
  }

  render(width: number, height: number, title: string, description: string): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" role="img" aria-labelledby="title desc">`,
      `<title id="title">${escape(title)}</title>`,
      `<desc id="desc">${escape(description)}</desc>`,
      `<rect x="0.5" y="0.5" width="${n(width - 1)}" height="${n(height - 1)}" rx="8" fill="#ffffff" stroke="#d0d7de"/>`,
      ...this.back,
      ...this.shapes,
      ...this.lines,
      `<g ${FONT} fill="${INK}">`,
      ...this.labels,
      '</g>',
      '</svg>',
      '',
    ].join('\n');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Layout.
// ---------------------------------------------------------------------------------------------------------------

const MARGIN = 24;
const PAD = 10;
const LINE = 15;
const ROUTE_ROW = 34;
const BADGE = { width: 54, height: 20 };
/** The lane left of the routes: the API's branches to them, and below them the failed deliveries to the queue. */
const LANE = 14;
const ARROW_GAP = 40;
const RIGHT_LANE = 24;
const CELL_SIZE = 11;

/** A box's lines: the first bold, the rest muted and smaller. */
interface Lines {
  readonly head: string;
  readonly rest: readonly string[];
}

const linesHeight = (lines: Lines) => PAD * 2 + LINE + lines.rest.length * (LINE - 1);

function drawLines(canvas: Canvas, lines: Lines, x: number, y: number) {
  canvas.text(lines.head, x + PAD, y + PAD + LINE / 2, { size: 12, bold: true });
  lines.rest.forEach((line, i) => {
    const indent = line.startsWith(INDENT) ? 12 : 0;
    canvas.text(line.replace(INDENT, ''), x + PAD + indent, y + PAD + LINE + (LINE - 1) * (i + 0.5), {
      size: 11,
      fill: MUTED,
    });
  });
}

/** Marks a line drawn indented (under the line before it). */
const INDENT = '\t';

/** Wraps each of `texts` to the inner width of a box `width` wide (an indented text stays indented). */
const wrapAll = (texts: readonly string[], width: number) =>
  texts.flatMap((text) => {
    const indent = text.startsWith(INDENT) ? INDENT : '';
    return wrap(text.slice(indent.length), 11, width - PAD * 2 - (indent ? 12 : 0)).map((line) => indent + line);
  });

/** A table's header: its keys, its indexes and their keys, its TTL attribute. */
const tableLines = (t: TableInfo) => [
  ...keyLines(t.keys, ''),
  ...t.indexes.flatMap((index) => [`GSI ${index.name}`, ...keyLines(index.keys, INDENT)]),
  ...(t.ttl ? [`TTL ${t.ttl}`] : []),
];

/** `PK ExternalUserId`, `SK MeetingId`: a key schema, partition key first. */
const keyLines = (keys: readonly string[], indent: string) =>
  keys.map((key, i) => `${indent}${i === 0 ? 'PK' : 'SK'} ${key}`);

/** A role's Chime actions as the lines of its cell: at most CHIME_CELL_WIDTH wide, so the picture stays readable. */
const CHIME_CELL_WIDTH = 230;
function chimeLines(actions: readonly string[]): string[] {
  const lines: string[] = [];
  for (const action of actions) {
    const last = lines.length - 1;
    const joined = last >= 0 ? `${lines[last]}, ${action}` : action;
    if (last >= 0 && textWidth(joined, CELL_SIZE) <= CHIME_CELL_WIDTH) lines[last] = joined;
    else {
      if (last >= 0) lines[last] += ',';
      lines.push(action);
    }
  }
  return lines;
}

function accessCell(access: TableAccess | undefined): string {
  if (!access) return '';
  const rw = `${access.read ? 'R' : ''}${access.write ? 'W' : ''}`;
  return [rw, ...access.indexes].filter(Boolean).join(' + ');
}

export function drawArchitecture(model: ArchitectureModel): Drawing {
  const canvas = new Canvas();
  const functionIds = [...new Set([...model.routes.map((r) => r.fn), ...model.triggers.map((t) => t.fn)])];
  const fnOf = (id: string) => model.functions[id];

  // Column widths, from what they hold.
  const routeWidth = Math.max(
    ...model.routes.map((r) => LANE + 10 + BADGE.width + 10 + textWidth(r.path, 12) + PAD),
    330,
  );
  const fnWidth = Math.max(...functionIds.map((id) => textWidth(fnOf(id).name, 12, true) + PAD * 2), 150);
  const chimeWidth = Math.max(
    ...functionIds.flatMap((id) => chimeLines(fnOf(id).chime).map((line) => textWidth(line, CELL_SIZE) + PAD * 2)),
    170,
  );
  const tableWidths = model.tables.map((t) =>
    Math.max(
      ...functionIds.map((id) => textWidth(accessCell(fnOf(id).tables[t.id]), CELL_SIZE) + PAD * 2),
      ...tableLines(t).map(
        (line) => textWidth(line.replace(INDENT, ''), 11) + (line.startsWith(INDENT) ? 12 : 0) + PAD * 2 + 8,
      ),
      textWidth(t.name, 12, true) + PAD * 2 + 8,
      150,
    ),
  );

  const x = {
    route: MARGIN,
    fn: MARGIN + routeWidth + ARROW_GAP,
  } as Record<string, number>;
  x.chime = x.fn + fnWidth + RIGHT_LANE;
  const tableX: number[] = [];
  let cursor = x.chime + chimeWidth;
  for (const width of tableWidths) {
    tableX.push(cursor);
    cursor += width;
  }
  const width = cursor + MARGIN;
  const entryX = x.route + LANE + 10; // where route badges and trigger boxes start

  // Title.
  canvas.text(`cdk-chime-join-service: what the default construct deploys`, MARGIN, 30, { size: 18, bold: true });
  canvas.text(
    `Drawn from the synthesized template of the example app (${model.stack}) by npm run architecture.`,
    MARGIN,
    52,
    { size: 12, fill: MUTED },
  );

  // The band: callers and the API (left), Chime and the tables (headers of the columns on the right).
  const bandTop = 72;
  const auth = model.api.authorization
    .map((a) =>
      a === 'AWS_IAM'
        ? 'AWS_IAM: SigV4-signed requests'
        : a === 'COGNITO_USER_POOLS'
          ? 'Cognito user pool tokens'
          : a === 'CUSTOM'
            ? 'a Lambda authorizer'
            : 'no authorization',
    )
    .join(', ');
  const apiLeft = entryX;
  const apiWidth = x.fn + fnWidth - apiLeft;
  const callers: Lines = {
    head: 'Callers',
    rest: wrapAll(
      [
        model.api.authorization.includes('AWS_IAM')
          ? 'your backend or operators, signing with their IAM role (grantJoin, grantAdmin)'
          : 'clients with a token',
      ],
      apiWidth,
    ),
  };
  const callersWidth = Math.min(apiWidth, Math.max(...callers.rest.map((l) => textWidth(l, 11))) + PAD * 2 + 4);
  const callersHeight = linesHeight(callers);
  const api: Lines = {
    head: `API Gateway REST API (${model.api.endpoint}), stage ${model.api.stage}`,
    rest: wrapAll(
      [
        `Authorization on every route: ${auth}`,
        [
          model.api.requestValidation ? 'request validation (parameters, JSON bodies)' : '',
          model.api.throttle ? `throttling ${model.api.throttle.rate} req/s, burst ${model.api.throttle.burst}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
        [
          model.api.accessLogs ? 'access logs' : '',
          model.api.tracing ? 'X-Ray' : '',
          model.api.webAcl ? 'WAF web ACL' : 'no WAF web ACL (webAclArn)',
        ]
          .filter(Boolean)
          .join(' · '),
      ],
      apiWidth,
    ),
  };
  const apiTop = bandTop + callersHeight + 22;
  const apiHeight = linesHeight(api);
  const chimeHeader: Lines = {
    head: 'Amazon Chime SDK',
    rest: wrapAll(
      [
        'Meetings: the actions each role may call, on meeting/*',
        ...new Set(
          model.triggers
            .filter((t) => t.kind === 'events')
            .map((t) => `It sends its meeting events (${t.source}) to EventBridge's default bus.`),
        ),
      ],
      chimeWidth - 8,
    ),
  };
  const tableHeaders: Lines[] = model.tables.map((t, i) => ({
    head: t.name,
    rest: wrapAll(tableLines(t), tableWidths[i] - 8),
  }));
  const bandHeight = Math.max(apiTop + apiHeight - bandTop, linesHeight(chimeHeader), ...tableHeaders.map(linesHeight));
  const bandBottom = bandTop + bandHeight;

  canvas.box('caller', apiLeft, bandTop, callersWidth, callersHeight);
  drawLines(canvas, callers, apiLeft, bandTop);
  canvas.arrow([
    [apiLeft + 40, bandTop + callersHeight],
    [apiLeft + 40, apiTop],
  ]);
  canvas.box('api', apiLeft, apiTop, apiWidth, bandBottom - apiTop);
  drawLines(canvas, api, apiLeft, apiTop);
  canvas.box('chime', x.chime + 4, bandTop, chimeWidth - 8, bandHeight);
  drawLines(canvas, chimeHeader, x.chime + 4, bandTop);
  model.tables.forEach((_t, i) => {
    canvas.box('table', tableX[i] + 4, bandTop, tableWidths[i] - 8, bandHeight);
    drawLines(canvas, tableHeaders[i], tableX[i] + 4, bandTop);
  });

  // The rows: a function each, with what its role may call in the columns on the right.
  const rowCells = (fnId: string, top: number, height: number) => {
    const fn = fnOf(fnId);
    const cy = top + height / 2;
    const lines = chimeLines(fn.chime);
    lines.forEach((line, i) => {
      canvas.text(line, x.chime + PAD, cy + (i - (lines.length - 1) / 2) * (CELL_SIZE + 3), { size: CELL_SIZE });
    });
    model.tables.forEach((t, i) => {
      const cell = accessCell(fn.tables[t.id]);
      if (cell) canvas.text(cell, tableX[i] + tableWidths[i] / 2, cy, { size: CELL_SIZE, anchor: 'middle' });
    });
  };
  const functionBox = (fnId: string, top: number, height: number, note?: string) => {
    const boxTop = top + 5;
    const boxHeight = height - 10;
    canvas.box('fn', x.fn, boxTop, fnWidth, boxHeight);
    if (note) {
      canvas.text(fnOf(fnId).name, x.fn + PAD, boxTop + boxHeight / 2 - 7, { size: 12, bold: true });
      canvas.text(note, x.fn + PAD, boxTop + boxHeight / 2 + 8, { size: 10.5, fill: MUTED });
    } else {
      canvas.text(fnOf(fnId).name, x.fn + PAD, boxTop + boxHeight / 2, { size: 12, bold: true });
    }
  };
  const stripes = (top: number, height: number, i: number) => {
    if (i % 2 === 0) canvas.stripe(x.route, top, width - MARGIN - x.route, height, '#f6f8fa');
  };

  // HTTP routes.
  const routesCaption = bandBottom + 22;
  const runtimes = [...new Set(functionIds.map((id) => fnOf(id).runtime))].sort(byKey).join(', ');
  canvas.text(
    `HTTP routes: ${model.routes.length} methods, one function (${runtimes}) and one role each`,
    x.route,
    routesCaption,
    {
      size: 12,
      bold: true,
      fill: MUTED,
    },
  );
  canvas.text('Chime actions', x.chime + PAD, routesCaption, { size: 11, fill: MUTED });
  model.tables.forEach((t, i) =>
    canvas.text(`${t.name} access`, tableX[i] + tableWidths[i] / 2, routesCaption, {
      size: 11,
      fill: MUTED,
      anchor: 'middle',
    }),
  );
  const routesTop = routesCaption + 14;
  const busX = x.route + LANE / 2;
  model.routes.forEach((route, i) => {
    const top = routesTop + i * ROUTE_ROW;
    const cy = top + ROUTE_ROW / 2;
    stripes(top, ROUTE_ROW, i);
    canvas.arrow([
      [busX, cy],
      [entryX, cy],
    ]);
    canvas.badge(route.method, entryX, cy - BADGE.height / 2, BADGE.width, BADGE.height);
    canvas.text(route.path, entryX + BADGE.width + 10, cy, { size: 12 });
    canvas.arrow([
      [x.route + routeWidth, cy],
      [x.fn, cy],
    ]);
    functionBox(route.fn, top, ROUTE_ROW);
    rowCells(route.fn, top, ROUTE_ROW);
  });
  const routesBottom = routesTop + model.routes.length * ROUTE_ROW;
  // The API's bus to its routes: from the API box down the lane.
  canvas.line([
    [busX, bandBottom],
    [busX, routesTop + (model.routes.length - 0.5) * ROUTE_ROW],
  ]);
  canvas.line([
    [apiLeft, bandBottom - 12],
    [busX, bandBottom - 12],
    [busX, bandBottom],
  ]);

  // Meeting events and the sweep.
  const eventsCaption = routesBottom + 26;
  canvas.text(
    "Chime's meeting events and the sweep: asynchronous, failures to the dead-letter queue",
    x.route,
    eventsCaption,
    {
      size: 12,
      bold: true,
      fill: MUTED,
    },
  );
  let top = eventsCaption + 14;
  const triggerWidth = x.route + routeWidth - entryX;
  const failureLaneLeft = busX;
  const failureLaneRight = x.fn + fnWidth + RIGHT_LANE / 2;
  const failures: { left: number[]; right: number[] } = { left: [], right: [] };
  model.triggers.forEach((trigger, i) => {
    const lines: Lines =
      trigger.kind === 'events'
        ? {
            head: 'EventBridge rule on the default bus',
            rest: wrapAll(
              [`${trigger.source}: ${trigger.detailType}`, (trigger.eventTypes ?? []).join(', ')],
              triggerWidth,
            ),
          }
        : { head: 'EventBridge schedule', rest: [String(trigger.schedule)] };
    const height = linesHeight(lines) + 10;
    stripes(top, height, i);
    canvas.box('trigger', entryX, top + 5, triggerWidth, height - 10);
    drawLines(canvas, lines, entryX, top + 5);
    const cy = top + height / 2;
    canvas.arrow([
      [entryX + triggerWidth, cy],
      [x.fn, cy],
    ]);
    const fn = fnOf(trigger.fn);
    functionBox(trigger.fn, top, height, fn.onFailure ? `${fn.onFailure.retries} retries on failure` : undefined);
    rowCells(trigger.fn, top, height);
    if (trigger.deadLetterQueue) failures.left.push(cy);
    if (fn.onFailure) failures.right.push(cy);
    top += height;
  });

  // The dead-letter queue, fed from both sides.
  const queue = model.queues.find((q) => model.triggers.some((t) => t.deadLetterQueue === q.id));
  let bottom = top;
  if (queue) {
    const queueTop = top + 18;
    const queueWidth = x.fn + fnWidth - entryX;
    const lines: Lines = {
      head: `SQS dead-letter queue ${queue.name}`,
      rest: wrapAll(
        [
          ...(queue.retentionDays ? [`messages kept ${queue.retentionDays} days`] : []),
          'from the left: events EventBridge could not deliver to the function',
          'from the right: invocations that failed every retry',
        ],
        queueWidth,
      ),
    };
    const queueHeight = linesHeight(lines);
    canvas.box('queue', entryX, queueTop, queueWidth, queueHeight);
    drawLines(canvas, lines, entryX, queueTop);
    const queueMid = queueTop + queueHeight / 2;
    // Each failing box joins its lane, and the lane runs down into the queue's side.
    const feed = (rows: readonly number[], fromX: number, laneX: number, intoX: number) => {
      if (rows.length === 0) return;
      for (const cy of rows) {
        canvas.line(
          [
            [fromX, cy],
            [laneX, cy],
          ],
          { color: FAILURE, dashed: true },
        );
      }
      canvas.arrow(
        [
          [laneX, Math.min(...rows)],
          [laneX, queueMid],
          [intoX, queueMid],
        ],
        { color: FAILURE, dashed: true },
      );
    };
    feed(failures.left, entryX, failureLaneLeft, entryX);
    feed(failures.right, x.fn + fnWidth, failureLaneRight, x.fn + fnWidth);
    bottom = queueTop + queueHeight;
  }

  // Column rules across the rows.
  for (const left of [x.chime, ...tableX]) canvas.rule(left, routesTop, left, top);
  canvas.rule(width - MARGIN, routesTop, width - MARGIN, top);

  // Legend.
  const legendY = bottom + 26;
  canvas.text(
    'Tables: PK partition key, SK sort key, GSI global secondary index · access: R reads (GetItem, Query, Scan), ' +
      'W writes (UpdateItem, BatchWriteItem), an index name: queries that index',
    x.route,
    legendY,
    { size: 11, fill: MUTED },
  );
  canvas.text(
    'Solid arrows: requests and invocations · dashed: failures to the dead-letter queue · every role also writes its logs and X-Ray traces',
    x.route,
    legendY + 17,
    { size: 11, fill: MUTED },
  );
  const height = legendY + 17 + 20;

  const svg = canvas.render(
    width,
    height,
    'cdk-chime-join-service architecture',
    `${model.routes.length} HTTP routes behind API Gateway (${auth}), one Lambda function per route, ` +
      `${model.tables.length} DynamoDB tables, an EventBridge rule and schedule with their functions and an SQS dead-letter queue.`,
  );
  return { svg, width, height, texts: canvas.texts, boxes: canvas.boxes };
}

// ---------------------------------------------------------------------------------------------------------------
// The example app's template, and the file.
// ---------------------------------------------------------------------------------------------------------------

export const ARCHITECTURE_FILE = join(__dirname, '..', 'docs', 'architecture.svg');

/** Synthesizes the example app (its first stack: the construct with every default) and reads it. */
export function exampleArchitecture(): ArchitectureModel {
  // Required here, not imported: the drawing above needs no CDK, and the tests import it without synthesizing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildExampleApp } = require('../bin/example-app') as typeof ExampleApp;
  const { app, stack, joinService } = buildExampleApp();
  const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  return readArchitecture(template, stack.stackName, joinService.node.id);
}

if (require.main === module) {
  writeFileSync(ARCHITECTURE_FILE, drawArchitecture(exampleArchitecture()).svg);
  process.stdout.write(`wrote ${ARCHITECTURE_FILE}\n`);
}
