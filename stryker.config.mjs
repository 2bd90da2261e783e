// Mutation testing (issue 17): `npm run mutate` for a full run over lambda/ and lib/, then
// scripts/mutation-thresholds.mjs checks each file against its own threshold (Stryker has one global `break`).
// Runs on the project's Node.js 24 (npx / npm scripts): Stryker 10 needs Node.js 22+.
// aws-cdk-lib 2.276 checks every synthesized template with its built-in CloudFormation validator (WebAssembly): 3.8 s
// of the 5 s of a construct test file's first synth here. In the tests it only ever warns (no App of theirs opts in
// to failing on it), so no test can fail by it: Stryker's runs (its test processes inherit this) go without it, and
// a construct file's first synth takes 1.4 s. The example app's `cdk synth` (cdk.json opts in) still validates.
process.env.CDK_VALIDATION = 'false';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // Plain TypeScript through ts-jest (isolatedModules): no typescript checker, it is too slow here.
  checkers: [],
  coverageAnalysis: 'perTest',
  mutate: ['lambda/**/*.ts', 'lib/**/*.ts', '!**/*.d.ts', '!**/*.test.ts'],
  jest: {
    configFile: 'jest.config.js',
    // The dry run runs the test files related to the mutated files (test/mutation/dependency-extractor.js makes the
    // end-to-end suites related to the handlers they load by name); each mutant run then loads only the files that
    // reached that mutant (test/mutation/filter.js, from the map test/mutation/environment.js records) and stops at
    // its first failing test.
    enableFindRelatedTests: true,
    config: {
      // --findRelatedTests needs the mutated sources among jest's roots, or no test is related to any mutant and
      // every mutant "survives" (Stryker 10 adds the mutated files' folders too; this states it). local/ is there for
      // the same reason: the end-to-end suites reach the handlers through local/join-service.ts.
      roots: ['<rootDir>/test', '<rootDir>/lambda', '<rootDir>/lib', '<rootDir>/local'],
      // Stryker wraps the environment and require()s its name from the sandbox itself, without expanding
      // <rootDir>: relative. test/mutation/environment.js extends the project's test/environment.js.
      testEnvironment: './test/mutation/environment.js',
      filter: '<rootDir>/test/mutation/filter.js',
      testSequencer: '<rootDir>/test/mutation/sequencer.js',
      // Once a mutant run has a failing test, the remaining test files are reported skipped, not loaded.
      runner: '<rootDir>/test/mutation/runner.js',
      dependencyExtractor: '<rootDir>/test/mutation/dependency-extractor.js',
      // In scope: the handler tests (mocked clients), the end-to-end suites (the handlers in this process, behind
      // the local API over loopback, with dynalite and the Chime emulator) and the construct tests (for lib/).
      // Left out: suites that run out of process, where a mutant cannot reach (bundles, tarball, bench, docs), and
      // the slow property and race suites (hostile input, consistency, faults, emulator drift, local mode, browser),
      // which CI runs on every change; a mutant only they would catch counts as survived here.
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/(emulator|faults|local|tarball|bench|docs|consistency|security)/',
        '<rootDir>/test/handlers/bundle\\.test\\.ts$',
      ],
    },
  },
  // Per-file thresholds are scripts/mutation-thresholds.mjs's job (90% for lambda/, 85% for lib/), run by
  // `postmutate`. No `break` here: a run below it would exit before `postmutate` compacts the baseline it wrote
  // (scripts/mutation-baseline.mjs) and prints the per-file table.
  thresholds: { high: 90, low: 85, break: null },
  incremental: true,
  // Committed: the baseline an incremental run (CI, or a local run after a change) starts from.
  incrementalFile: 'test/mutation/stryker-incremental.json',
  // The machine's two cores.
  concurrency: 2,
  timeoutMS: 10000,
  // A worker's jest runs keep memory (about 16 MB a run in the lib/ run: 4.8 GB per worker after 300 runs, each run
  // slower as the collector works through it). A fresh worker every 25 runs costs a jest start-up, about a second.
  maxTestRunnerReuse: 25,
  // The dry run of lib/ runs every construct suite: over Stryker's 5 minutes on this machine when it is busy.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // The sandbox copies the project: leave out what the tests never read.
  ignorePatterns: [
    // other Stryker runs' sandboxes (a second run with its own tempDirName, e.g. lib/ beside lambda/)
    '.stryker-tmp*',
    'dist',
    'cdk.out',
    'coverage',
    'bench/tmp',
    'reports',
    'docs',
    'test/integ.join-service.snapshot',
    'tools/node22/node_modules',
    '*.tgz',
    '.jsii',
    '.jsii.tabl.json',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
