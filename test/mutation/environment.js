// The jest environment of Stryker's runs (issue 17): the project's own (test/environment.js), plus
// - in the dry run: which test files reach which mutants, from Stryker's coverage (see ./coverage-map.js);
// - in a mutant run: once a test has failed the mutant is killed, so every later test and describe block of the
//   run is skipped (their beforeAll hooks too: no DynamoDB or Chime stand-in started for nothing). Stryker counts a
//   mutant killed on the first failure; it sets jest's `bail` off, and jest's bail works between files only.
const ReportingEnvironment = require('../environment');
const { inMutantRun, record } = require('./coverage-map');

const NAMESPACE = '__stryker__';

function fullName(test) {
  const names = [];
  for (let block = test.parent; block?.parent; block = block.parent) names.unshift(block.name);
  return [...names, test.name].join(' ');
}

class MutationEnvironment extends ReportingEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.reached = new Set();
    this.staticBefore = {};
  }

  coverage() {
    return this.global[NAMESPACE]?.mutantCoverage;
  }

  async setup() {
    await super.setup();
    if (!inMutantRun()) this.staticBefore = { ...(this.coverage()?.static ?? {}) };
  }

  async handleTestEvent(event, state) {
    await super.handleTestEvent?.(event, state);
    if (inMutantRun()) {
      const failed = (event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure';
      if (failed) globalThis.__mutationRunFailed = true;
      if (globalThis.__mutationRunFailed) {
        if (event.name === 'run_describe_start') event.describeBlock.mode = 'skip';
        if (event.name === 'test_start') event.test.mode = 'skip';
      }
    } else if (event.name === 'test_done') {
      for (const id of Object.keys(this.coverage()?.perTest?.[fullName(event.test)] ?? {})) this.reached.add(id);
    }
  }

  async teardown() {
    const coverage = this.coverage();
    if (!inMutantRun() && coverage) {
      // Mutants reached outside any test (while loading modules, in hooks) are Stryker's "static" ones.
      for (const [id, hits] of Object.entries(coverage.static ?? {})) {
        if (hits > (this.staticBefore[id] ?? 0)) this.reached.add(id);
      }
      record(this.testPath, this.reached);
    }
    await super.teardown();
  }
}

module.exports = MutationEnvironment;
