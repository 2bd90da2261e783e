// Compacts the incremental baseline Stryker rewrites after every `npm run mutate` (issue 17): what a later
// incremental run needs stays (each file's and test file's source, every mutant's status, location, and the tests
// that covered and killed it); each mutant's statusReason (a test failure message with the run's sandbox path) goes,
// and the JSON is written on one line: 6.9 MB became 2.1 MB for lambda/ (200 KB gzipped), with no sandbox paths.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test/mutation/stryker-incremental.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
for (const { mutants } of Object.values(report.files)) {
  for (const mutant of mutants) delete mutant.statusReason;
}
writeFileSync(file, `${JSON.stringify(report)}\n`);
console.log(`${file}: ${Object.keys(report.files).length} files, compacted`);
