// jest `filter` for Stryker's mutant runs (issue 17): keeps the test files that reached the active mutant, per the
// map ./environment.js recorded in the dry run. Outside a mutant run, or without a map, it keeps every file.
// Each mutant run starts here, so it also clears the stop-at-first-failure flag of ./environment.js.
const { activeMutant, inMutantRun, readMap } = require('./coverage-map');

module.exports = async function filter(testPaths) {
  globalThis.__mutationRunFailed = false;
  const map = inMutantRun() ? readMap() : null;
  if (!map) return { filtered: testPaths };
  const reached = new Set(map[activeMutant()] ?? []);
  return { filtered: testPaths.filter((testPath) => reached.has(testPath)) };
};
