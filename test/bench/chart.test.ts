// bench/chart.ts draws docs/performance-cold-load.svg from bench/results.json: bars proportional to the figures,
// every label present, the same file for the same results, and the committed chart drawn from the committed results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_FILE, COMPARISONS, coldLoadChart, type ChartResults } from '../../bench/chart';

const cold = (medianMs: number, vsBareNode: number) => ({ medianMs, vsBareNode });
const RESULTS: ChartResults = {
  runtimes: { lambda: { version: 'v24.0.1' } },
  coldLoad: {
    lambda: {
      bare: cold(20, 1),
      httpsFloor: cold(30, 1.5),
      'create-attendee': cold(50, 2.5),
      'list-attendees': cold(45.5, 2.27),
      referenceSample: cold(100, 5),
      referenceModular: cold(70.25, 3.5),
    },
  },
  targets: [{ id: 'cold-vs-bare-node', description: '', actual: 2.5, pass: false }],
};

interface Bar {
  handler: string;
  series: string;
  ms: number;
  y: number;
  height: number;
}
const barsOf = (svg: string): Bar[] =>
  [...svg.matchAll(/<rect ([^>]*data-ms="[^"]*"[^>]*)>/g)].map(([, attrs]) => {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)![1];
    return {
      handler: attr('data-handler'),
      series: attr('data-series'),
      ms: Number(attr('data-ms')),
      y: Number(attr('y')),
      height: Number(attr('height')),
    };
  });
const textsOf = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, text]) => text);

describe('cold-load chart', () => {
  const svg = coldLoadChart(RESULTS);
  const bars = barsOf(svg);

  test('one bar per handler and comparison, nothing for the https floor', () => {
    expect(bars.map((b) => `${b.handler}/${b.series}`)).toEqual(
      ['create-attendee', 'list-attendees'].flatMap((h) => [
        `${h}/handler`,
        `${h}/bare`,
        `${h}/referenceSample`,
        `${h}/referenceModular`,
      ]),
    );
    const figures = RESULTS.coldLoad.lambda;
    for (const bar of bars) expect(bar.ms).toBe(figures[bar.series === 'handler' ? bar.handler : bar.series].medianMs);
  });

  test("bars' heights are proportional to the figures and stand on one baseline", () => {
    const pxPerMs = bars[0].height / bars[0].ms;
    expect(pxPerMs).toBeGreaterThan(0);
    for (const bar of bars) {
      expect(bar.height).toBeCloseTo(bar.ms * pxPerMs, 1);
      expect(bar.y + bar.height).toBeCloseTo(bars[0].y + bars[0].height, 1);
    }
    // The tallest bar (100 ms) fits under the axis maximum and fills most of the plot.
    const tallest = bars.find((b) => b.series === 'referenceSample')!;
    expect(tallest.y).toBeGreaterThan(0);
    expect(tallest.height).toBeGreaterThan(200);
  });

  test('labels: title with the Node.js version, legend, axis in ms, handlers, ratios and values', () => {
    const texts = textsOf(svg);
    expect(svg).toContain('<title id="title">Cold load per handler, Lambda environment, Node.js v24.0.1</title>');
    for (const label of ['handler', ...COMPARISONS.map((c) => c.label), 'target ≤ 1.5× bare node, FAIL']) {
      expect(texts).toContain(label);
    }
    expect(texts).toContain('cold load (ms)');
    for (const tick of ['0', '20', '40', '60', '80', '100']) expect(texts).toContain(tick);
    expect(texts).toEqual(
      expect.arrayContaining(['create-attendee', 'list-attendees', '2.50× bare node', '2.27× bare node']),
    );
    expect(texts).toEqual(expect.arrayContaining(['50.0', '45.5', '20.0', '100.0', '70.3']));
  });

  test('white background, and the same SVG for the same results', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>\n<title/);
    expect(svg).toContain('<rect x="0" y="0" width="960" height="480" fill="#ffffff"/>');
    expect(coldLoadChart(JSON.parse(JSON.stringify(RESULTS)))).toBe(svg);
  });

  test('refuses results without a comparison figure', () => {
    const { referenceModular: _, ...rest } = RESULTS.coldLoad.lambda;
    expect(() => coldLoadChart({ coldLoad: { lambda: rest } })).toThrow(/referenceModular/);
  });

  test('the committed chart is the one bench/results.json gives', () => {
    const results = JSON.parse(readFileSync(join(__dirname, '..', '..', 'bench', 'results.json'), 'utf8'));
    expect(readFileSync(CHART_FILE, 'utf8')).toBe(coldLoadChart(results));
  });
});
