// Jest's node environment, plus:
// - a count of the file's failed tests and hooks that test/report.ts reads, so that a suite's summary (fault ledgers,
//   hostile-input tables) is printed where it helps a failure and nowhere else;
// - a temporary directory of the file's own (TMPDIR), removed when the file ends. Each synthesis of a test's App
//   writes a cloud assembly with a copy of every handler bundle (about 2.5 MB) to a new directory under the system's
//   temporary directory, and aws-cdk-lib never removes it: a full test run left about 400 of them, and a mutation
//   run of lib/ 25,000 (64 GB, until the disk was full).
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

class ReportingEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    // os.tmpdir() reads the process's TMPDIR when called; a jest worker runs one test file at a time.
    this.previousTmpdir = process.env.TMPDIR;
    this.tmpdir = mkdtempSync(path.join(os.tmpdir(), 'jest-file-'));
    process.env.TMPDIR = this.tmpdir;
  }

  async teardown() {
    if (this.previousTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.previousTmpdir;
    rmSync(this.tmpdir, { recursive: true, force: true });
    await super.teardown();
  }

  handleTestEvent(event) {
    const failed = (event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure';
    if (failed) this.global.__testFailures = (this.global.__testFailures ?? 0) + 1;
  }
}

module.exports = ReportingEnvironment;
