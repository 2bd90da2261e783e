// scripts/architecture.ts draws docs/architecture.svg from the example app's synthesized template: the committed
// picture must be the one a fresh synth gives (byte for byte), show every route, function, table, index and the event
// path, keep its texts apart and inside their boxes, and stay plain SVG that GitHub and Construct Hub display.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARCHITECTURE_FILE,
  type CfnTemplate,
  drawArchitecture,
  exampleArchitecture,
  readArchitecture,
} from '../../scripts/architecture';
import { ATTENDEE_TABLE, MEETING_TABLE } from '../../lib/contract';
import { BACKGROUND_TABLE, OPERATION_TABLE } from '../../lib/operations';
import { synthService } from '../construct/template-helpers';

const model = exampleArchitecture();
const drawing = drawArchitecture(model);

test('the committed picture is the one a fresh synth of the example app gives', () => {
  const committed = readFileSync(ARCHITECTURE_FILE, 'utf8');
  if (committed !== drawing.svg) {
    throw new Error(
      'docs/architecture.svg is not what the synthesized template gives: run `npm run architecture` and commit it',
    );
  }
});

test('is the same file from every synth: no clock, nothing unsorted', () => {
  expect(drawArchitecture(exampleArchitecture()).svg).toBe(drawing.svg);
});

test('shows every route of the operation table with its function, and the background functions', () => {
  const texts = drawing.texts.map((t) => t.text);
  expect(model.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
    OPERATION_TABLE.map((row) => `${row.method} ${row.path}`).sort(),
  );
  for (const row of OPERATION_TABLE) {
    const route = model.routes.find((r) => r.method === row.method && r.path === row.path)!;
    expect(model.functions[route.fn].name).toBe(row.operation);
    expect(texts).toContain(row.path);
  }
  for (const row of [...OPERATION_TABLE, ...BACKGROUND_TABLE]) expect(texts).toContain(row.operation);
});

test('shows the authorization in front, the tables with their indexes, and the event path to the queue', () => {
  const svg = drawing.svg;
  expect(svg).toContain('Authorization on every route: AWS_IAM');
  for (const name of ['AttendeeTable', 'MeetingTable']) expect(svg).toContain(`>${name}<`);
  expect(svg).toContain(`GSI ${ATTENDEE_TABLE.meetingIndexName}<`);
  expect(svg).toContain(`GSI ${MEETING_TABLE.meetingIndexName}<`);
  expect(svg).toContain('EventBridge rule on the default bus');
  expect(svg).toContain('rate(15 minutes)');
  expect(svg).toContain('SQS dead-letter queue MeetingEventsDeadLetterQueue');
  expect(model.triggers.map((t) => [t.kind, model.functions[t.fn].name, t.deadLetterQueue !== undefined])).toEqual([
    ['events', 'meeting-events', true],
    ['schedule', 'meeting-sweep', true],
  ]);
  // What each role may call, from its policies.
  const join = Object.values(model.functions).find((f) => f.name === 'join-meeting')!;
  expect(join.chime).toEqual(['CreateMeeting', 'CreateAttendee']);
});

test('keeps its texts apart, inside the picture and inside their boxes', () => {
  const { texts, boxes, width, height } = drawing;
  const overlaps: string[] = [];
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      if (!apart) overlaps.push(`"${a.text}" and "${b.text}"`);
    }
  });
  expect(overlaps).toEqual([]);
  for (const t of texts) {
    expect(t.x).toBeGreaterThanOrEqual(0);
    expect(t.x + t.width).toBeLessThanOrEqual(width);
    expect(t.y + t.height).toBeLessThanOrEqual(height);
    // A text that starts in a box ends in it.
    const cy = t.y + t.height / 2;
    for (const box of boxes.filter((b) => b.x <= t.x && t.x < b.x + b.width && b.y <= cy && cy <= b.y + b.height)) {
      expect({ text: t.text, fits: t.x + t.width <= box.x + box.width - 2 }).toEqual({ text: t.text, fits: true });
    }
  }
});

test('lines up its boxes: the functions in one column, the same width', () => {
  const fns = drawing.boxes.filter((b) => b.kind === 'fn');
  expect(fns).toHaveLength(OPERATION_TABLE.length + BACKGROUND_TABLE.length);
  expect(new Set(fns.map((b) => b.x)).size).toBe(1);
  expect(new Set(fns.map((b) => b.width)).size).toBe(1);
});

test('is plain SVG of a width GitHub and Construct Hub show whole, on its own light background', () => {
  const svg = drawing.svg;
  expect(drawing.width).toBeGreaterThanOrEqual(900);
  // 13 routes and the moderation actions (BatchUpdateAttendeeCapabilitiesExcept) need the room; GitHub and Construct
  // Hub scale a wider picture to their column, so the bound keeps its text from shrinking below ~8 px there.
  expect(drawing.width).toBeLessThanOrEqual(1400);
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="[\d.]+" height="[\d.]+" viewBox=/);
  for (const banned of ['<script', '<style', 'href', '@import', '@font-face', '<foreignObject', '<image', 'url(']) {
    expect(svg).not.toContain(banned);
  }
  expect(svg).toContain('fill="#ffffff"');
  expect(svg).toContain('sans-serif');
  // Text as text: every label is a <text> element.
  expect((svg.match(/<text /g) ?? []).length).toBe(drawing.texts.length);
});

test('reads routes from the methods, never the CORS preflights', () => {
  const { template } = synthService({ corsAllowOrigins: ['https://app.example.com'] });
  const withCors = readArchitecture(template.toJSON() as CfnTemplate, 'TestStack', 'JoinService');
  expect(withCors.routes).toHaveLength(OPERATION_TABLE.length);
  expect(withCors.tables.map((t) => t.name)).toEqual(['AttendeeTable', 'MeetingTable']);
});

test('the README shows the picture by its raw URL on GitHub (Construct Hub resolves no relative image)', () => {
  const root = join(__dirname, '..', '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const repo = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)![1];
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const url = `https://raw.githubusercontent.com/${repo}/HEAD/docs/architecture.svg?sanitize=true`;
  expect({ shown: readme.includes(`](${url})`), url }).toEqual({ shown: true, url });
});
