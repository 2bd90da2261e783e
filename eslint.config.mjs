// Lint: typescript-eslint's recommended rules with type information, the rules that catch promises nobody
// awaits, and import-x's cycle check (lambda/ → lib/contract.ts only, lib/ never → lambda/: STYLE.md). Formatting
// is Prettier's job (`npm run format:check`); eslint-config-prettier turns off the rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'assets/',
      'dist/',
      'coverage/',
      'bench/tmp/',
      'test/integ.join-service.snapshot/',
      '**/*.d.ts',
      'lib/**/*.js',
      '.stryker-tmp/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.dev.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs'] })],
      // Without this, import-x parses the imported .ts files with espree, fails, and sees no edges (no cycle ever).
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js', '.mjs'],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // Tests and the benchmark read JSON answers and poke at internals; the shipped code (lib, lambda, local) may not.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The construct library is what users import: it never reaches into the handlers, the stand-ins or the tests.
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../lambda/*', '../local/*', '../test/*', '../bench/*'],
              message: 'lib/ must not import lambda/, local/, test/ or bench/',
            },
          ],
        },
      ],
    },
  },
  {
    // Handlers read the shared contract, never the construct (which would pull aws-cdk-lib into a bundle).
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'handlers must not import the CDK' },
            {
              group: ['**/local/*', '**/test/*', '**/bench/*'],
              message: 'handlers must not import local/, test/ or bench/',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript, and the tarball's consumer app (it imports the packed library, so it type-checks only there).
    files: ['**/*.mjs', '**/*.js', '**/*.cjs', '**/*.cts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { ...globals.node } },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
