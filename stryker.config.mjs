// Mutation testing (issue 17): `npm run mutate` for a full run over lambda/ and lib/, then
// scripts/mutation-thresholds.mjs checks each file against its own threshold (Stryker has one global `break`).
// Runs on the project's Node.js 24 (npx / npm scripts): Stryker 10 needs Node.js 22+.
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
    enableFindRelatedTests: true,
    config: {
      // --findRelatedTests needs the mutated sources among jest's roots, or no test is related to any mutant and
      // every mutant "survives" (Stryker 10 adds the mutated files' folders too; this states it).
      roots: ['<rootDir>/test', '<rootDir>/lambda', '<rootDir>/lib'],
      // Stryker wraps the environment and require()s its name from the sandbox itself, without expanding
      // <rootDir> (jest.config.js says '<rootDir>/test/environment.js'): the same file, relative.
      testEnvironment: './test/environment.js',
      // The unit-level suites only, as in issue 17's measurement: the handler tests (mocked clients) and the
      // construct tests (for lib/). The hostile-input properties (test/security) made each lambda/ mutant cost ~5 s
      // instead of ~1 s; the end-to-end, emulator, fault, consistency, local-mode, browser, tarball and benchmark
      // suites run whole services over loopback (or out of process, where mutants cannot reach). CI runs them all
      // on every change; mutation scores here count only what the unit-level tests detect.
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/(e2e|emulator|faults|local|tarball|bench|docs|consistency|security)/',
        '<rootDir>/test/handlers/bundle\\.test\\.ts$',
      ],
    },
  },
  // Per-file thresholds are scripts/mutation-thresholds.mjs's job (90% for lambda/, 85% for lib/); Stryker's own
  // `break` is the lowest of them, so that a run below every threshold fails even without the script.
  thresholds: { high: 90, low: 85, break: 85 },
  incremental: true,
  // Committed: the baseline an incremental run (CI, or a local run after a change) starts from.
  incrementalFile: 'test/mutation/stryker-incremental.json',
  concurrency: 1,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // The sandbox copies the project: leave out what the tests never read.
  ignorePatterns: [
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
