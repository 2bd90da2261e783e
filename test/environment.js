// Jest's node environment, plus a count of the file's failed tests and hooks that test/report.ts reads, so that a
// suite's summary (fault ledgers, hostile-input tables) is printed where it helps a failure and nowhere else.
const { TestEnvironment } = require('jest-environment-node');

class ReportingEnvironment extends TestEnvironment {
  handleTestEvent(event) {
    const failed = (event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure';
    if (failed) this.global.__testFailures = (this.global.__testFailures ?? 0) + 1;
  }
}

module.exports = ReportingEnvironment;
