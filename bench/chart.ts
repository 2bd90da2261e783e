// The cold-load chart of docs/PERFORMANCE.md (docs/performance-cold-load.svg): per handler, its cold load in the
// Lambda environment on Lambda's Node.js beside bare node and the two references, as a plain SVG string. A pure
// function of bench/results.json (no clock, no randomness, fixed number formats), so the same results always give
// the same file. `npm run bench` writes it; `npx tsx bench/chart.ts` regenerates it from the committed results.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the chart reads from bench/results.json. */
export interface ChartResults {
  runtimes?: { lambda?: { version?: string } };
  machine?: { cpus: number; loadAverageBefore: number; loadAverageAfter: number };
  coldLoad: { lambda: Record<string, { medianMs: number; vsBareNode: number }> };
  targets?: Array<{ id: string; description: string; actual: number | null; pass: boolean | null }>;
}

/** The comparison bars drawn beside every handler, in this order after the handler's own. */
export const COMPARISONS = [
  { key: 'bare', label: 'bare node (node -e 0)', color: '#8c8c8c' },
  { key: 'referenceSample', label: 'sample-style reference', color: '#d55e00' },
  { key: 'referenceModular', label: 'modular, minified reference', color: '#e69f00' },
] as const;
export const HANDLER_COLOR = '#0072b2';
/** Entries of coldLoad.lambda that are not handlers. */
const NOT_HANDLERS = new Set(['bare', 'httpsFloor', 'referenceSample', 'referenceModular']);
/** The cold-load target drawn as a dashed line: the handler's cold load against bare node's. */
export const TARGET_VS_BARE_NODE = 1.5;

const WIDTH = 960;
const HEIGHT = 480;
const PLOT = { left: 72, right: 24, top: 96, bottom: 84 };
const FONT = 'font-family="-apple-system, BlinkMacSystemFont, \'Segoe UI\', Helvetica, Arial, sans-serif"';

const px = (value: number) => String(Number(value.toFixed(2)));
const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round axis step giving at most about six ticks up to `max`. */
function tickStep(max: number): number {
  const rough = max / 6;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((step) => step >= rough) ?? 10 * magnitude;
}

export function coldLoadChart(results: ChartResults): string {
  const cold = results.coldLoad.lambda;
  const handlers = Object.keys(cold).filter((name) => !NOT_HANDLERS.has(name));
  for (const key of ['bare', ...COMPARISONS.map((c) => c.key)]) {
    if (!cold[key]) throw new Error(`results.coldLoad.lambda.${key} is missing`);
  }
  const node = results.runtimes?.lambda?.version ?? 'unknown';
  const targetMs = TARGET_VS_BARE_NODE * cold.bare.medianMs;

  const values = handlers.flatMap((h) => [cold[h].medianMs, ...COMPARISONS.map((c) => cold[c.key].medianMs)]);
  const step = tickStep(Math.max(...values, targetMs));
  const axisMax = Math.ceil(Math.max(...values, targetMs) / step) * step;
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const baseline = PLOT.top + plotHeight;
  /** Pixels per millisecond: every bar's height is its figure times this. */
  const scale = plotHeight / axisMax;
  const y = (valueMs: number) => baseline - valueMs * scale;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="title desc">`,
    `<title id="title">Cold load per handler, Lambda environment, Node.js ${escape(node)}</title>`,
    `<desc id="desc">Median cold load in milliseconds of each handler bundle (require and build its AWS clients) beside bare node, the sample-style reference and the modular, minified reference, from bench/results.json.</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<g ${FONT} fill="#1f2328">`,
    `<text x="${PLOT.left}" y="28" font-size="17" font-weight="600">Cold load per handler: Lambda environment, Node.js ${escape(node)}</text>`,
    `<text x="${PLOT.left}" y="48" font-size="12" fill="#57606a">A fresh process require()s the bundle and builds its AWS clients: median ms. Under each handler: its ratio to bare node.</text>`,
  );

  // Legend.
  const legend = [{ label: 'handler', color: HANDLER_COLOR }, ...COMPARISONS];
  let legendX = PLOT.left;
  for (const { label, color } of legend) {
    out.push(
      `<rect x="${legendX}" y="62" width="12" height="12" fill="${color}"/>`,
      `<text x="${legendX + 17}" y="72" font-size="12">${escape(label)}</text>`,
    );
    legendX += 30 + label.length * 6.6;
  }
  // The cold-load target, drawn at 1.5 × bare node's median (it is judged on the median of per-round ratios).
  const target = results.targets?.find((t) => t.id === 'cold-vs-bare-node');
  const verdict = target?.pass === true ? ', PASS' : target?.pass === false ? ', FAIL' : '';
  out.push(
    `<line x1="${px(legendX)}" y1="68" x2="${px(legendX + 22)}" y2="68" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    `<text x="${px(legendX + 27)}" y="72" font-size="12">target ≤ ${TARGET_VS_BARE_NODE}× bare node${verdict}</text>`,
  );

  // Axis: gridlines and labels in ms.
  for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
    const ty = px(y(tick));
    out.push(
      `<line x1="${PLOT.left}" y1="${ty}" x2="${WIDTH - PLOT.right}" y2="${ty}" stroke="${tick === 0 ? '#57606a' : '#d0d7de'}" stroke-width="1"/>`,
      `<text x="${PLOT.left - 8}" y="${px(y(tick) + 4)}" font-size="12" text-anchor="end">${Number(tick.toFixed(6))}</text>`,
    );
  }
  out.push(
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${baseline}" stroke="#57606a" stroke-width="1"/>`,
    `<text transform="translate(20 ${px(PLOT.top + plotHeight / 2)}) rotate(-90)" font-size="12" text-anchor="middle">cold load (ms)</text>`,
  );

  // Bars: per handler, its own and the three comparisons.
  const groupWidth = plotWidth / handlers.length;
  const barWidth = (groupWidth * 0.84) / (1 + COMPARISONS.length);
  handlers.forEach((handler, g) => {
    const groupX = PLOT.left + g * groupWidth + groupWidth * 0.08;
    const bars = [
      { series: 'handler', label: handler, color: HANDLER_COLOR, ms: cold[handler].medianMs },
      ...COMPARISONS.map((c) => ({ series: c.key, label: c.label, color: c.color, ms: cold[c.key].medianMs })),
    ];
    bars.forEach((bar, i) => {
      const x = groupX + i * barWidth;
      const value = bar.ms.toFixed(1);
      out.push(
        `<rect x="${px(x + 1)}" y="${px(y(bar.ms))}" width="${px(barWidth - 2)}" height="${px(bar.ms * scale)}" fill="${bar.color}" data-handler="${escape(handler)}" data-series="${bar.series}" data-ms="${bar.ms}"><title>${escape(bar.label)}: ${value} ms</title></rect>`,
        `<text x="${px(x + barWidth / 2)}" y="${px(y(bar.ms) - 4)}" font-size="10.5" text-anchor="middle">${value}</text>`,
      );
    });
    const centre = px(PLOT.left + (g + 0.5) * groupWidth);
    out.push(
      `<text x="${centre}" y="${baseline + 20}" font-size="13" font-weight="600" text-anchor="middle">${escape(handler)}</text>`,
      `<text x="${centre}" y="${baseline + 38}" font-size="12" fill="#57606a" text-anchor="middle">${cold[handler].vsBareNode.toFixed(2)}× bare node</text>`,
    );
  });

  out.push(
    `<line x1="${PLOT.left}" y1="${px(y(targetMs))}" x2="${WIDTH - PLOT.right}" y2="${px(y(targetMs))}" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="5 3"/>`,
  );
  const machine = results.machine
    ? ` Run on ${results.machine.cpus} CPUs, load ${results.machine.loadAverageBefore} → ${results.machine.loadAverageAfter}.`
    : '';
  out.push(
    `<text x="${PLOT.left}" y="${HEIGHT - 12}" font-size="11" fill="#57606a">Bars: medians over interleaved rounds; ratios and the target: medians of per-round ratios (docs/PERFORMANCE.md).${machine}</text>`,
    '</g>',
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

export const CHART_FILE = join(__dirname, '..', 'docs', 'performance-cold-load.svg');

// `npx tsx bench/chart.ts`: the chart of the committed bench/results.json, without running the benchmark.
if (require.main === module) {
  const results = JSON.parse(readFileSync(join(__dirname, 'results.json'), 'utf8')) as ChartResults;
  writeFileSync(CHART_FILE, coldLoadChart(results));
  process.stdout.write(`wrote ${CHART_FILE}\n`);
}
