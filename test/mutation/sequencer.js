// jest `testSequencer` for Stryker's runs (issue 17): cheapest and likeliest killers first, since ./environment.js
// and ./runner.js skip everything after the first failure.
// 1. the handler tests (milliseconds each);
// 2. the construct suite with the default template's snapshot (aws-cdk-lib and one synth: about 2 s). It kills most
//    of lib/'s mutants, among them the constants of lib/contract.ts that the handlers load too, which the handler
//    and end-to-end suites cannot kill when both sides of a wire read the same constant;
// 3. the end-to-end suites (each starts DynamoDB and Chime stand-ins);
// 4. the other construct suites, the cdk-nag packs (the slowest) last.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = [
  /\/test\/handlers\//,
  /\/test\/construct\/chime-join-service\.test\.ts$/,
  /\/test\/e2e\//,
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
