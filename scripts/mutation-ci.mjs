// CI's mutation step (issue 17): the per-file thresholds on the code as it is, without a full run on every change.
// The committed baseline, test/mutation/stryker-incremental.json, is the last full or incremental `npm run mutate`:
// it holds every mutated file's source, every test file's source and which tests reached and killed each mutant.
//
// 1. A mutated file (lambda/, lib/) whose source differs from the baseline's (or is new) re-runs whole.
// 2. A test file that changed or went away re-runs the mutants whose result it could make worse: those its tests
//    killed, and the runtime errors and timeouts its tests reached (a changed test can turn either into a survivor).
//    Survivors and mutants without coverage can only get better; their baseline result stands until `npm run
//    mutate` refreshes it. (Every mutant a construct test file reached would be most of lib/, about an hour here.)
// 3. Nothing to re-run: the baseline's results are the code's; the thresholds are checked on them.
// 4. Otherwise Stryker runs those files and lines (`--mutate file:from-to`, whole lines: a mutant sharing a line
//    re-runs too), with --force, in incremental mode from a copy of the baseline, and the thresholds are checked on
//    that copy as Stryker rewrote it (every mutant of a file, run or reused).
//
// Stryker runs with --force: its own incremental reuse keeps a result when only a test's table rows (outside the
// test's body) changed, and never re-runs a mutant reached while modules load (Stryker's "static" mutants).
// A top-level directory the baseline has not measured yet is listed, not checked.
//
// What it cannot see: a change to a helper that is neither mutated nor a test file (test/handlers/fixtures.ts,
// test/construct/template-helpers.ts, local/) until a test file or source changes with it; `npm run mutate --
// --force` re-runs everything.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const BASELINE = 'test/mutation/stryker-incremental.json';
const WORK = 'reports/mutation';
const RUN_BASELINE = `${WORK}/ci-incremental.json`;
const MERGED = `${WORK}/ci-merged.json`;

/** The files `stryker.config.mjs` mutates: every .ts under lambda/ and lib/ but declarations. */
function mutatedFiles() {
  return ['lambda', 'lib'].flatMap((dir) =>
    readdirSync(dir, { recursive: true })
      .map((name) => path.posix.join(dir, name.split(path.sep).join('/')))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .sort(),
  );
}

const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

const baseline = JSON.parse(readFileSync(BASELINE, 'utf8'));
const measuredDirs = new Set(Object.keys(baseline.files).map((file) => file.split('/')[0]));
// A file with nothing Stryker mutates has no entry in its reports, so it is left out here too: one of types only
// (as lambda/shared/types.ts), re-exports (lib/index.ts) and enums (lib/meeting-creation.ts: Stryker leaves enum
// members alone). Any other top-level statement (a const, a function, a class) is code to mutate.
const NOTHING_TO_MUTATE = new Set([
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.EnumDeclaration,
]);
const hasCode = (file) =>
  ts
    .createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022)
    .statements.some((statement) => !NOTHING_TO_MUTATE.has(statement.kind));
const allSources = mutatedFiles().filter(hasCode);
const sources = allSources.filter((file) => measuredDirs.has(file.split('/')[0]));
const unmeasured = [...new Set(allSources.filter((file) => !sources.includes(file)).map((f) => f.split('/')[0]))];
if (unmeasured.length > 0) console.log(`not measured by the baseline yet, not checked: ${unmeasured.join(', ')}/`);

const changedSources = sources.filter((file) => baseline.files[file]?.source !== read(file));
const changedTestFiles = Object.keys(baseline.testFiles).filter(
  (file) => baseline.testFiles[file].source !== read(file),
);
const changedTests = new Set(changedTestFiles.flatMap((file) => baseline.testFiles[file].tests.map((test) => test.id)));

/** The tests a mutant's result rests on, when a change to one of them could make that result worse (step 2). */
function resultRestsOn(mutant) {
  if (mutant.status === 'Killed' && mutant.killedBy?.length) return mutant.killedBy;
  if (['Killed', 'RuntimeError', 'Timeout'].includes(mutant.status)) return mutant.coveredBy ?? [];
  return [];
}

/** Per file, the line ranges of the mutants to re-run because of the changed tests, merged where they touch. */
const recheck = new Map();
for (const [file, { mutants }] of Object.entries(baseline.files)) {
  if (!sources.includes(file) || changedSources.includes(file)) continue;
  const lines = mutants
    .filter((mutant) => resultRestsOn(mutant).some((id) => changedTests.has(id)))
    .map(({ location }) => [location.start.line, location.end.line])
    .sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const [from, to] of lines) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  if (merged.length > 0) recheck.set(file, merged);
}
const rechecked = [...recheck.values()].reduce((n, ranges) => n + ranges.length, 0);
const affected = [...new Set([...changedSources, ...recheck.keys()])].sort();
const mutateArgs = [
  ...changedSources,
  ...[...recheck].flatMap(([file, ranges]) => ranges.map(([from, to]) => `${file}:${from}-${to}`)),
];

console.log(`mutation baseline: ${BASELINE} (${Object.keys(baseline.files).length} files)`);
console.log(`changed sources: ${changedSources.join(', ') || 'none'}`);
console.log(`changed or removed test files: ${changedTestFiles.join(', ') || 'none'}`);

const files = Object.fromEntries(Object.entries(baseline.files).filter(([file]) => sources.includes(file)));
if (affected.length > 0) {
  console.log(`re-running, whole: ${changedSources.join(', ') || 'none'}`);
  console.log(
    `re-running, the lines of mutants the changed tests killed or reached: ${rechecked} range(s) in ${
      [...recheck.keys()].join(', ') || 'no file'
    }`,
  );
  mkdirSync(WORK, { recursive: true });
  copyFileSync(BASELINE, RUN_BASELINE);
  // The construct tests among the covering ones read the bundled handlers.
  spawnSync(process.execPath, ['scripts/bundle-handlers.mjs', '--quiet'], { stdio: 'inherit' });
  const args = ['stryker', 'run', '--force', '--mutate', mutateArgs.join(','), '--incrementalFile', RUN_BASELINE];
  const run = spawnSync('npx', args, { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`stryker exited with ${run.status ?? run.signal}`);
    process.exit(1);
  }
  // The incremental file Stryker rewrote holds every mutant of each file, the re-run ones and the rest reused.
  const rewritten = JSON.parse(readFileSync(RUN_BASELINE, 'utf8'));
  for (const file of affected) files[file] = rewritten.files[file];
} else {
  console.log("no mutated file changed, and no result rests on a changed test: checking the baseline's results");
}

const missing = sources.filter((file) => files[file] === undefined);
if (missing.length > 0) {
  console.error(`no mutation results for: ${missing.join(', ')}`);
  process.exit(1);
}
mkdirSync(WORK, { recursive: true });
writeFileSync(MERGED, JSON.stringify({ ...baseline, files }));
const check = spawnSync(process.execPath, ['scripts/mutation-thresholds.mjs', MERGED], { stdio: 'inherit' });
process.exit(check.status ?? 1);
