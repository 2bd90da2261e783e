// jest `testSequencer` for Stryker's runs (issue 17): the handler tests first (milliseconds each), then the
// end-to-end suites, the construct suites last (each loads aws-cdk-lib and synthesizes a stack per test): the one
// with the default template's snapshot first, the cdk-nag packs (the slowest) last. With ./environment.js skipping
// all after the first failure, most mutants are killed before a slow file is loaded.
const Sequencer = require('@jest/test-sequencer').default;

const RANK = [
  /\/test\/handlers\//,
  /\/test\/e2e\//,
  /\/test\/construct\/chime-join-service\.test\.ts$/,
  /\/test\/construct\/(?!cdk-nag)/,
  /\/test\/construct\//,
];
const rank = (testPath) => {
  const index = RANK.findIndex((pattern) => pattern.test(testPath));
  return index === -1 ? RANK.length : index;
};

class MutationSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = MutationSequencer;
