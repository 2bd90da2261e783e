// CI's mutation step (issue 17): the per-file thresholds on the code as it is, without a full run on every change.
// The committed baseline, test/mutation/stryker-incremental.json, is the last full or incremental `npm run mutate`:
// it holds every mutated file's source, every test file's source and which tests reached and killed each mutant.
//
// 1. A mutated file (lambda/, lib/) is affected when its source differs from the baseline's (or it is new), or when
//    a test that reached one of its mutants is in a test file that changed or went away.
// 2. No affected file: the baseline's results are the code's; the thresholds are checked on them.
// 3. Otherwise Stryker runs on the affected files only, in incremental mode from a copy of the baseline (so it reuses
//    what a change left alone even inside them), and the thresholds are checked on the baseline with those files'
//    new results. `npm run mutate` then refreshes the baseline for the next change.
//
// Stryker runs those files with --force: its own incremental reuse keeps a result when only a test's table rows
// (outside the test's body) changed, and never re-runs a mutant reached while modules load (coveredBy empty).
// A top-level directory the baseline has not measured yet (lib/ until its first run) is listed, not checked.
//
// What it cannot see: a change to a helper that is neither mutated nor a test file (test/handlers/fixtures.ts,
// local/) until a test file or source changes with it; `npm run mutate -- --force` re-runs everything.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const BASELINE = 'test/mutation/stryker-incremental.json';
const WORK = 'reports/mutation';
const RUN_BASELINE = `${WORK}/ci-incremental.json`;
const RUN_REPORT = `${WORK}/mutation.json`;
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
const reachedByChangedTests = Object.entries(baseline.files)
  .filter(
    ([file, { mutants }]) =>
      sources.includes(file) && mutants.some((m) => (m.coveredBy ?? []).some((id) => changedTests.has(id))),
  )
  .map(([file]) => file);
const affected = [...new Set([...changedSources, ...reachedByChangedTests])].sort();

console.log(`mutation baseline: ${BASELINE} (${Object.keys(baseline.files).length} files)`);
console.log(`changed sources: ${changedSources.join(', ') || 'none'}`);
console.log(`changed or removed test files: ${changedTestFiles.join(', ') || 'none'}`);

const files = Object.fromEntries(Object.entries(baseline.files).filter(([file]) => sources.includes(file)));
if (affected.length > 0) {
  console.log(`re-running the mutants of: ${affected.join(', ')}`);
  mkdirSync(WORK, { recursive: true });
  copyFileSync(BASELINE, RUN_BASELINE);
  // The construct tests among the covering ones read the bundled handlers.
  spawnSync(process.execPath, ['scripts/bundle-handlers.mjs', '--quiet'], { stdio: 'inherit' });
  const args = ['stryker', 'run', '--force', '--mutate', affected.join(','), '--incrementalFile', RUN_BASELINE];
  const run = spawnSync('npx', args, { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`stryker exited with ${run.status ?? run.signal}`);
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(RUN_REPORT, 'utf8'));
  for (const file of affected) files[file] = report.files[file];
} else {
  console.log('no mutated file or test file changed since the baseline: checking its results');
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
