/** @type {import('jest').Config} */
module.exports = {
  // Node's environment, counting failed tests for test/report.ts.
  testEnvironment: '<rootDir>/test/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // After `npm run build`, lib/ holds compiled .js beside the .ts: test the sources, not a stale build.
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    // ts-jest with TypeScript 6 emits nothing unless moduleResolution is "bundler" (see tsconfig.dev.json);
    // isolatedModules (set there) roughly triples the speed of the run.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }],
  },
  setupFiles: ['<rootDir>/test/setup-env.js'],
  snapshotSerializers: ['<rootDir>/test/asset-hash-serializer.js'],
  testTimeout: 60000,
};
