// `npm run bench` (after `npm run bundle`): how lean the shipped handlers are and how the service behaves under
// a meeting's load. Prints a table and writes bench/results.json with every figure and each target's pass/fail;
// with --strict (`npm run bench -- --strict`) it exits 1 if a target fails. Every timing that is compared is a
// ratio taken in the same run, run by run, so a shared or noisy machine slows both sides alike. README
// "Performance" explains each figure.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { ENV, OPERATIONS } from '../lib/contract';

const ROOT = join(__dirname, '..');
const TMP = join(ROOT, 'bench', 'tmp');
const HANDLERS = Object.values(OPERATIONS);
const bundleOf = (operation: string) => join(ROOT, 'assets', operation, 'index.mjs');

/** Cold starts of each variant; the brief asks for at least 20. */
const COLD_ROUNDS = 25;
const COLD_WARMUP_ROUNDS = 2;
/** Warm runs: each scenario in this many processes (interleaved), p50 and p99 being medians over them. */
const WARM_PROCESSES = 5;
/** Untimed invocations first: the optimizing compiler is still at work for the first few hundred. */
const WARM_WARMUP = 1000;
const WARM_ITERATIONS = 1000;
const BATCH_WARM_ATTENDEES = 100;
/** A 100-attendee batch request takes ~5 ms: fewer of them. */
const BATCH_WARM_WARMUP = 150;
const BATCH_WARM_ITERATIONS = 250;
const SYNTH_ROUNDS = 4;

const TARGETS = {
  bundleBytes: 250_000,
  coldVsBareNode: 1.5,
  coldVsReference: 0.7,
  warmP99Ms: 2,
  batchChimeCalls: 3,
  batchDynamodbWrites: 10,
  synthVsBareL2: 1.2,
};

/**
 * What Lambda gives a function, and nothing from the shell that runs the benchmark: NODE_OPTIONS or
 * NODE_EXTRA_CA_CERTS there (this sandbox sets the latter) would slow every `node` start, bare ones included,
 * and flatter the ratios. The credentials are fake: nothing is sent.
 */
const LAMBDA_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  TZ: 'UTC',
  LANG: 'en_US.UTF-8',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_ACCESS_KEY_ID: 'ASIABENCHMARKEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'bench/secret/not/used/anywhere/00000000',
  AWS_SESSION_TOKEN: 'bench-session-token',
  [ENV.tableName]: 'bench-attendees',
  [ENV.meetingIndexName]: 'byMeeting',
  [ENV.includeMeeting]: 'true',
  [ENV.attendeeTtlSeconds]: '86400',
  [ENV.chimeRegion]: 'us-east-1',
  [ENV.authMode]: 'iam',
  // Lambda's Node.js 22 never prints the SDK's end-of-life warning for Node.js 20; a local Node.js 20 would.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;
const shuffle = <T>(items: T[]) => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
};
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** The sample-style reference (bench/reference/), bundled as samples do: esbuild, not minified; CJS and ESM. */
async function buildReferences() {
  const entry = join(ROOT, 'bench', 'reference', 'create-attendee.ts');
  const common: BuildOptions = { entryPoints: [entry], bundle: true, minify: false, platform: 'node', target: 'node22', logLevel: 'warning' };
  const cjs = join(TMP, 'reference', 'index.cjs');
  const esm = join(TMP, 'reference', 'index.mjs');
  // CJS is the default of CDK's NodejsFunction; its ESM output needs the SDK's ESM builds (module first).
  await build({ ...common, format: 'cjs', outfile: cjs });
  await build({ ...common, format: 'esm', mainFields: ['module', 'main'], outfile: esm });
  return { cjs, esm };
}

/** Wall time of one fresh `node` process, from spawn to exit. */
function timeNode(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env: LAMBDA_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return elapsed;
}

function coldLoads(references: { cjs: string; esm: string }) {
  const loader = join(ROOT, 'bench', 'cold-load.mjs');
  // The floor of any ESM handler: Lambda's runtime imports the handler module, so the ESM loader's start-up is paid
  // by an empty handler too.
  const empty = join(TMP, 'empty-handler.mjs');
  writeFileSync(empty, 'export const buildClients = () => undefined;\nexport const handler = async () => ({ statusCode: 204 });\n');
  const variants: Record<string, string[]> = { bare: ['-e', '0'], emptyEsmHandler: [loader, pathToFileURL(empty).href] };
  for (const operation of HANDLERS) variants[operation] = [loader, pathToFileURL(bundleOf(operation)).href];
  variants.referenceCjs = [loader, pathToFileURL(references.cjs).href];
  variants.referenceEsm = [loader, pathToFileURL(references.esm).href];
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = -COLD_WARMUP_ROUNDS; round < COLD_ROUNDS; round++) {
    // Every variant once per round, in a new random order, so drift and order effects hit all of them alike.
    for (const name of shuffle(Object.keys(variants))) {
      const elapsed = timeNode(variants[name]);
      if (round >= 0) samples[name].push(elapsed);
    }
  }
  const ratio = (name: string, base: string) => median(samples[name].map((t, i) => t / samples[base][i]));
  const result: Record<string, { medianMs: number; vsBareNode: number; vsReference: number; vsReferenceEsm: number }> = {};
  for (const name of Object.keys(variants)) {
    result[name] = {
      medianMs: median(samples[name]),
      vsBareNode: ratio(name, 'bare'),
      vsReference: ratio(name, 'referenceCjs'),
      vsReferenceEsm: ratio(name, 'referenceEsm'),
    };
  }
  return result;
}

interface WarmRun {
  scenario: string;
  times: number[];
  callsPerRequest: Record<string, number>;
}

/** One child process running warm.mjs; the handlers' stdout (EMF metrics lines) goes to /dev/null, as a pipe would. */
let warmRuns = 0;
function warmRun(operation: string, attendees: number): Promise<WarmRun> {
  const resultFile = join(TMP, `warm-${warmRuns++}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bench', 'warm.mjs'),
        pathToFileURL(bundleOf(operation)).href,
        operation,
        String(attendees),
        String(attendees ? BATCH_WARM_WARMUP : WARM_WARMUP),
        String(attendees ? BATCH_WARM_ITERATIONS : WARM_ITERATIONS),
        resultFile,
      ],
      { env: LAMBDA_ENV, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(readFileSync(resultFile, 'utf8'))) : reject(new Error(`warm ${operation}: ${err}`)),
    );
  });
}

async function warmOverhead() {
  const scenarios = HANDLERS.map((operation) => ({
    operation,
    attendees: operation === OPERATIONS.batchCreateAttendee ? BATCH_WARM_ATTENDEES : 0,
  }));
  const runs = new Map<string, WarmRun[]>(scenarios.map(({ operation }) => [operation, []]));
  for (let run = 0; run < WARM_PROCESSES; run++) {
    for (const { operation, attendees } of shuffle([...scenarios])) runs.get(operation)!.push(await warmRun(operation, attendees));
  }
  const out: Record<string, { attendees?: number; p50Ms: number; p99Ms: number; p99MsPerProcess: number[]; samples: number; callsPerRequest: Record<string, number> }> = {};
  for (const { operation, attendees } of scenarios) {
    const perProcess = runs.get(operation)!.map((run) => [...run.times].sort((a, b) => a - b));
    out[operation] = {
      ...(attendees ? { attendees } : {}),
      // The median process: one process that a neighbour's burst of work slowed down does not set the figure.
      p50Ms: median(perProcess.map((times) => quantile(times, 0.5))),
      p99Ms: median(perProcess.map((times) => quantile(times, 0.99))),
      p99MsPerProcess: perProcess.map((times) => quantile(times, 0.99)),
      samples: perProcess.reduce((n, times) => n + times.length, 0),
      callsPerRequest: runs.get(operation)![0].callsPerRequest,
    };
  }
  return out;
}

function meetingLoad(): Record<string, any> {
  const resultFile = join(TMP, 'meeting.json');
  rmSync(resultFile, { force: true });
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bench', 'meeting.ts'), resultFile],
    {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`bench/meeting.ts failed: ${result.stderr}`);
  return JSON.parse(readFileSync(resultFile, 'utf8'));
}

/** `cdk synth` of each app, interleaved; wall time of the CLI from start to exit. */
function synth() {
  const apps = { construct: 'construct-app.ts', bareL2: 'l2-app.ts' } as const;
  const samples: Record<keyof typeof apps, number[]> = { construct: [], bareL2: [] };
  const cli = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  for (let round = 0; round < SYNTH_ROUNDS; round++) {
    for (const name of shuffle(Object.keys(apps) as Array<keyof typeof apps>)) {
      const out = join(TMP, `cdk.out-${name}`);
      rmSync(out, { recursive: true, force: true });
      const started = process.hrtime.bigint();
      const result = spawnSync(
        process.execPath,
        [cli, 'synth', '--app', `${tsx} ${join('bench', 'synth', apps[name])}`, '--output', out, '--quiet'],
        { cwd: ROOT, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' }, encoding: 'utf8' },
      );
      samples[name].push(Number(process.hrtime.bigint() - started) / 1e6);
      if (result.status !== 0) throw new Error(`cdk synth ${apps[name]} failed: ${result.stderr}`);
    }
  }
  return {
    constructMs: median(samples.construct),
    bareL2Ms: median(samples.bareL2),
    ratio: median(samples.construct.map((t, i) => t / samples.bareL2[i])),
    samplesMs: samples,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0];
  mkdirSync(TMP, { recursive: true });
  for (const operation of HANDLERS) statSync(bundleOf(operation)); // run `npm run bundle` first (npm run bench does)

  progress('building the sample-style reference bundles');
  const references = await buildReferences();
  const sizes: Record<string, number> = Object.fromEntries(HANDLERS.map((op) => [op, statSync(bundleOf(op)).size]));
  sizes.referenceCjs = statSync(references.cjs).size;
  sizes.referenceEsm = statSync(references.esm).size;

  progress(`cold loads: ${COLD_ROUNDS} rounds of ${HANDLERS.length + 4} fresh node processes`);
  const cold = coldLoads(references);
  progress(`warm overhead: ${WARM_PROCESSES} processes per handler`);
  const warm = await warmOverhead();
  progress('a full meeting and 500 concurrent joins against the emulator (about a minute)');
  const load = meetingLoad();
  progress(`consumer synth: ${SYNTH_ROUNDS} × 2 cdk synth`);
  const synthesis = synth();

  const single = HANDLERS.filter((op) => op !== OPERATIONS.batchCreateAttendee);
  const full = load.fullMeeting;
  const rush = load.concurrentJoins;
  const lost = (c: Record<string, number>) => c.attendeesWithoutMapping + c.mappingsWithoutAttendee + c.joinedButMissing;
  const duplicated = (c: Record<string, number>) => c.usersWithTwoAttendees + c.attendeesWithTwoMappings + c.usersWithTwoMappings;
  const targets = [
    target('bundle-size', `every handler bundle ≤ ${TARGETS.bundleBytes} bytes minified`, Math.max(...HANDLERS.map((op) => sizes[op])), (v) => v <= TARGETS.bundleBytes),
    target('cold-vs-bare-node', `every handler's cold load ≤ ${TARGETS.coldVsBareNode}× bare node`, Math.max(...HANDLERS.map((op) => cold[op].vsBareNode)), (v) => v <= TARGETS.coldVsBareNode),
    target('cold-vs-reference', `every handler's cold load ≤ ${TARGETS.coldVsReference}× the sample-style reference (CJS)`, Math.max(...HANDLERS.map((op) => cold[op].vsReference)), (v) => v <= TARGETS.coldVsReference),
    target('warm-p99', `warm overhead p99 ≤ ${TARGETS.warmP99Ms} ms on every single-item route`, Math.max(...single.map((op) => warm[op].p99Ms)), (v) => v <= TARGETS.warmP99Ms),
    target('batch-chime-calls', `250 attendees in exactly ${TARGETS.batchChimeCalls} BatchCreateAttendee calls`, full.batchCreateAttendeeCalls, (v) => v === TARGETS.batchChimeCalls && full.created === 250),
    target('batch-dynamodb-writes', `250 attendees in ≤ ${TARGETS.batchDynamodbWrites} DynamoDB write calls`, full.dynamodbWriteCalls, (v) => v <= TARGETS.batchDynamodbWrites),
    target('joins-consistent', '500 concurrent joins: none lost, none duplicated, every 429 with Retry-After', lost(rush.consistency) + duplicated(rush.consistency) + rush.throttledWithoutRetryAfter + lost(full.consistency) + duplicated(full.consistency), (v) => v === 0),
    target('synth-vs-bare-l2', `consumer synth ≤ ${TARGETS.synthVsBareL2}× the same app from bare L2s`, synthesis.ratio, (v) => v <= TARGETS.synthVsBareL2),
  ];

  const results = {
    command: 'npm run bench',
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverageBefore: round(loadBefore, 2),
      loadAverageAfter: round(loadavg()[0], 2),
    },
    durationSeconds: Math.round((Date.now() - started) / 1000),
    definitions: {
      bundleBytes: 'size of assets/<operation>/index.mjs as shipped (minified ESM)',
      coldLoad: `wall time of a fresh node process that imports the bundle and builds the configuration and AWS clients its first valid request uses (buildClients()), sending nothing; Lambda-like environment; median over ${COLD_ROUNDS} interleaved rounds; ratios are medians of per-round ratios`,
      reference: 'bench/reference/create-attendee.ts: aggregated ChimeSDKMeetings + DynamoDBDocument built at module scope, SDK default credential chain, esbuild bundle not minified (CJS as CDK NodejsFunction does by default; ESM shown for information)',
      warmOverhead: `await handler(event) on a valid request, the bundle's own clients with the transport replaced by an in-process peer answering at once; ${WARM_PROCESSES} processes per route, each ${WARM_ITERATIONS} sequential invocations after ${WARM_WARMUP} warm-up (batch: ${BATCH_WARM_ITERATIONS} requests of ${BATCH_WARM_ATTENDEES} attendees after ${BATCH_WARM_WARMUP}); p50 and p99 are the medians of the processes' own`,
      fullMeeting: 'local service (emulator + dynalite behind a counting proxy), 250 attendees in one batch request, BatchCreateAttendee token bucket 10/s burst 10; peerBusyMs is the time at least one AWS call of the handler waited for its answer; serviceMs = wallMs - peerBusyMs',
      concurrentJoins: '500 single joins sent at once to one meeting, CreateAttendee token bucket 10/s burst 10; a caller answered 429 comes back after Retry-After plus up to 1 s of jitter; Chime caps a meeting at 250 attendees',
      synth: `cdk synth (CLI wall time) of bench/synth/construct-app.ts vs bench/synth/l2-app.ts, ${SYNTH_ROUNDS} interleaved rounds`,
    },
    bundles: sizes,
    coldLoad: roundAll(cold),
    warmOverhead: roundAll(warm),
    fullMeeting: roundAll(full),
    concurrentJoins: roundAll(rush),
    synth: roundAll(synthesis),
    targets,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(table(results));
  if (process.argv.includes('--strict') && targets.some((t) => !t.pass)) process.exitCode = 1;
}

function target(id: string, description: string, actual: number, pass: (value: number) => boolean) {
  return { id, description, actual: round(actual, 3), pass: pass(actual) };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
function roundAll<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? round(v, 3) : v)));
}

function table(r: any): string {
  const lines: string[] = [];
  const row = (cells: string[], widths: number[]) =>
    lines.push(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
  lines.push(`cdk-chime-join-service benchmark: node ${r.machine.node}, ${r.machine.cpus} CPUs, load ${r.machine.loadAverageBefore} → ${r.machine.loadAverageAfter}, ${r.durationSeconds} s`);
  lines.push('');
  const w1 = [38, 11, 9, 7, 10, 10];
  row(['cold start (import + build clients)', 'bundle', 'median', '× bare', '× ref CJS', '× ref ESM'], w1);
  for (const op of HANDLERS) {
    const c = r.coldLoad[op];
    row([op, kib(r.bundles[op]), ms(c.medianMs), c.vsBareNode.toFixed(2), c.vsReference.toFixed(2), c.vsReferenceEsm.toFixed(2)], w1);
  }
  row(['bare `node -e 0`', '', ms(r.coldLoad.bare.medianMs), '1.00', '', ''], w1);
  row(['empty ESM handler', '', ms(r.coldLoad.emptyEsmHandler.medianMs), r.coldLoad.emptyEsmHandler.vsBareNode.toFixed(2), '', ''], w1);
  row(['reference, sample style, CJS', kib(r.bundles.referenceCjs), ms(r.coldLoad.referenceCjs.medianMs), r.coldLoad.referenceCjs.vsBareNode.toFixed(2), '1.00', ''], w1);
  row(['reference, sample style, ESM', kib(r.bundles.referenceEsm), ms(r.coldLoad.referenceEsm.medianMs), r.coldLoad.referenceEsm.vsBareNode.toFixed(2), '', '1.00'], w1);
  lines.push('');
  const w2 = [38, 9, 9, 0];
  row(['warm overhead (instant peers)', 'p50', 'p99', 'AWS calls per request'], w2);
  for (const op of HANDLERS) {
    const w = r.warmOverhead[op];
    const calls = Object.entries(w.callsPerRequest).map(([name, n]) => (n === 1 ? name : `${n}× ${name}`)).join(' + ');
    row([w.attendees ? `${op} (${w.attendees} attendees)` : op, ms(w.p50Ms, 2), ms(w.p99Ms, 2), calls], w2);
  }
  lines.push('');
  const f = r.fullMeeting;
  lines.push(`full meeting: ${f.created}/${f.attendees} attendees in one batch request, BatchCreateAttendee ≤ ${f.limit.ratePerSecond}/s (burst ${f.limit.burst})`);
  lines.push(`  BatchCreateAttendee calls ${f.batchCreateAttendeeCalls} (throttled ${f.batchCreateAttendeeThrottled}); DynamoDB write calls ${f.dynamodbWriteCalls} (${Object.entries(f.dynamodbCalls).map(([k, v]) => `${v} ${k}`).join(', ')})`);
  lines.push(`  wall ${ms(f.wallMs, 0)} = peers ${ms(f.peerBusyMs, 0)} + service ${ms(f.serviceMs, 0)}; ideal ${ms(f.idealMs, 0)} (rate-limit floor ${ms(f.rateLimitFloorMs, 0)})`);
  const j = r.concurrentJoins;
  const tally = (t: Record<string, number>) => Object.entries(t).map(([k, v]) => `${v} × ${k}`).join(', ');
  lines.push(`${j.joins} concurrent joins to one meeting, CreateAttendee ≤ ${j.limit.ratePerSecond}/s (burst ${j.limit.burst}), cap ${j.attendeeCap} attendees`);
  lines.push(`  first answers: ${tally(j.firstWave)} (in ${(j.firstWaveMs / 1000).toFixed(1)} s)`);
  lines.push(`  after callers honour Retry-After: ${tally(j.outcome)} in ${(j.wallMs / 1000).toFixed(1)} s (rate-limit floor ${(j.rateLimitFloorMs / 1000).toFixed(1)} s)`);
  lines.push(`  429 answers ${j.throttledAnswers}, without Retry-After ${j.throttledWithoutRetryAfter}; PutItem ${j.dynamodbCalls.PutItem ?? 0}; lost ${j.consistency.attendeesWithoutMapping + j.consistency.mappingsWithoutAttendee + j.consistency.joinedButMissing}, duplicated ${j.consistency.usersWithTwoAttendees + j.consistency.attendeesWithTwoMappings + j.consistency.usersWithTwoMappings}`);
  lines.push(`consumer synth: construct ${(r.synth.constructMs / 1000).toFixed(1)} s, bare L2s ${(r.synth.bareL2Ms / 1000).toFixed(1)} s, ratio ${r.synth.ratio.toFixed(2)}`);
  lines.push('');
  for (const t of r.targets) lines.push(`${t.pass ? 'PASS' : 'FAIL'}  ${t.description}: ${t.actual}`);
  return `${lines.join('\n')}\n`;
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
