// jest `testSequencer` for Stryker's runs (issue 17): cheapest and likeliest killers first, since ./environment.js
// and ./runner.js skip everything after the first failure.
// 1. the construct suite with the default template's snapshot (aws-cdk-lib and one synth: 2 to 3 s). It kills most
//    of lib/'s mutants, among them the constants of lib/contract.ts and the rows of lib/operations.ts that the
//    handlers load too: a mutant there is "static" (reached while modules load), so Stryker runs every test that
//    reached it, and with the handler tests first ~455 of them ran before the snapshot killed it (35 s a mutant,
//    against ~3 s snapshot-first). No lambda/ mutant reaches it, so their runs are unchanged;
// 2. the handler tests (milliseconds each);
// 3. the end-to-end suites (each starts DynamoDB and Chime stand-ins);
// 4. the construct suites of refused props (each test one synth that throws): the only killers of the checks in
//    lib/private/defaults.ts, which the suites before them (322 tests, 30 s) cannot kill;
// 5. the other construct suites, the cdk-nag packs (the slowest) last.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = [
  /\/test\/construct\/chime-join-service\.test\.ts$/,
  /\/test\/handlers\//,
  /\/test\/e2e\//,
  /\/test\/construct\/(props-validation|validation-messages)\.test\.ts$/,
  /\/test\/construct\/(?!cdk-nag)/,
  /\/test\/construct\//,
];
const rank = (testPath) => {
  const index = ORDER.findIndex((pattern) => pattern.test(testPath));
  return index === -1 ? ORDER.length : index;
};

class MutationSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = MutationSequencer;
