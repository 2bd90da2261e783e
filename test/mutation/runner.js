// jest `runner` of Stryker's runs (issue 17): jest's own, except in a mutant run once a test has failed (the mutant
// is killed: ./environment.js sets the flag). Each remaining test file is then reported as one skipped test instead
// of being loaded: loading it would still run its imports (aws-cdk-lib, the handlers) for nothing. A file cannot be
// skipped from the environment: a throw there makes Stryker count the mutant as a runtime error, not killed; and a
// result with no test at all is one jest turns into a suite failure, hence the one skipped test.
// A file that fails to load (its describe-level synth throws under the mutant: "Test suite failed to run") runs no
// test, so the environment never sees a failure: the runner stops the run itself, or every other file reaching the
// mutant ran for nothing (54 s for a row of lib/operations.ts, against 7.6 s). Stryker counts such a run as a runtime
// error (excluded from the score) either way.
const TestRunner = require('jest-runner').default;
const { createEmptyTestResult } = require('@jest/test-result');
const { inMutantRun } = require('./coverage-map');

function skippedFile(testPath) {
  const title = 'not run: the mutant was already killed';
  return {
    ...createEmptyTestResult(),
    testFilePath: testPath,
    numPendingTests: 1,
    testResults: [
      {
        ancestorTitles: [],
        duration: 0,
        failureDetails: [],
        failureMessages: [],
        fullName: title,
        invocations: 0,
        location: null,
        numPassingAsserts: 0,
        retryReasons: [],
        status: 'pending',
        title,
      },
    ],
  };
}

class MutationRunner extends TestRunner {
  #listeners = [];

  on(eventName, listener) {
    this.#listeners.push([eventName, listener]);
    return super.on(eventName, listener);
  }

  async #emit(eventName, payload) {
    for (const [name, listener] of this.#listeners) if (name === eventName) await listener(payload);
  }

  async runTests(tests, watcher, options) {
    if (!options.serial || !inMutantRun()) return super.runTests(tests, watcher, options);
    const failed = () => {
      globalThis.__mutationRunFailed = true;
    };
    const unsubscribe = [
      super.on('test-file-failure', failed),
      super.on('test-file-success', ([, result]) => {
        if (result.testExecError || result.numFailingTests > 0) failed();
      }),
    ];
    try {
      await this.#runEach(tests, watcher, options);
    } finally {
      for (const off of unsubscribe) off();
    }
  }

  async #runEach(tests, watcher, options) {
    for (const test of tests) {
      if (globalThis.__mutationRunFailed) {
        await this.#emit('test-file-start', [test]);
        await this.#emit('test-file-success', [test, skippedFile(test.path)]);
      } else {
        await super.runTests([test], watcher, options);
      }
    }
  }
}

module.exports = MutationRunner;
