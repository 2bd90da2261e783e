// Per-file mutation score thresholds (issue 17), which Stryker's one global `break` cannot express:
// every handler and lambda/shared/ module ≥ 90%, every file in lib/ ≥ 85%. Reads Stryker's JSON report
// (reports/mutation/mutation.json, or the path given) and fails when any file in it is below its threshold.
// The score is Stryker's "mutation score": detected (killed + timeout) / valid (all but compile and runtime errors,
// ignored mutants excluded); a mutant disabled with `// Stryker disable …: reason` is ignored, so it does not count.
// Prints one table row per file: mutants, killed, timeout, survived, no coverage, ignored, score, threshold.
// With --survivors, first every mutant that survived or no test reached: file:line:column, status, mutator, the
// line's code and the replacement (the work list of whoever raises a score).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const listSurvivors = args.includes('--survivors');
const reportPath = args.find((arg) => !arg.startsWith('--')) ?? 'reports/mutation/mutation.json';
const THRESHOLDS = [
  { prefix: 'lambda/', min: 90 },
  { prefix: 'lib/', min: 85 },
];

const report = JSON.parse(readFileSync(reportPath, 'utf8'));
if (listSurvivors) {
  for (const [file, { mutants, source }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const lines = source.split('\n');
    for (const m of mutants.filter((mutant) => mutant.status === 'Survived' || mutant.status === 'NoCoverage')) {
      const { line, column } = m.location.start;
      const code = lines[line - 1].trim();
      console.log(`${file}:${line}:${column} ${m.status} ${m.mutatorName}: ${code} => ${m.replacement ?? ''}`);
    }
  }
  console.log();
}
const rows = [];
let failed = 0;
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const ignored = count('Ignored');
  const errors = count('CompileError') + count('RuntimeError');
  const valid = mutants.length - ignored - errors;
  const score = valid === 0 ? 100 : ((killed + timeout) / valid) * 100;
  const rule = THRESHOLDS.find((t) => file.startsWith(t.prefix));
  const min = rule?.min ?? 0;
  const ok = score >= min;
  if (!ok) failed++;
  rows.push({ file, mutants: mutants.length, killed, timeout, survived, noCoverage, ignored, errors, score, min, ok });
}

const header = '| file | mutants | killed | timeout | survived | no coverage | ignored | errors | score | min |';
console.log(header);
console.log(header.replace(/[^|]+/g, '---'));
for (const r of rows) {
  console.log(
    `| ${r.file} | ${r.mutants} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.ignored} | ` +
      `${r.errors} | ${r.score.toFixed(1)}%${r.ok ? '' : ' ✗'} | ${r.min}% |`,
  );
}
if (failed > 0) {
  console.error(`\n${failed} file(s) below their mutation score threshold`);
  process.exit(1);
}
console.log(`\nall ${rows.length} file(s) at or above their threshold`);
