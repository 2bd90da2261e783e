// The consumer's view of the package: `npm pack`, install the tarball into a fresh CDK app in a temp folder that
// has neither esbuild nor Docker, compile and synthesize that app, and check that every join-service function
// ships one of the pre-built bundles. Needs `npm run build` first (the tarball packs lib/*.js, .jsii and assets/).
// Set KEEP_TARBALL_APP=1 to keep the temp folder for a look.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CDK_LIB = 'aws-cdk-lib@2.276.0';
const CONSTRUCTS = 'constructs@10.5.1';

let passed = 0;
const failures = [];
function check(ok, what, detail = '') {
  if (ok) passed++;
  else failures.push(detail ? `${what}: ${detail}` : what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `\n     ${detail}` : ''}`);
}
function finish() {
  console.log(`\ntarball: ${passed} passed, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}

// A child npm must not inherit the settings `npm run` hands its scripts (local prefix, package fields, ...).
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
function run(cmd, args, opts) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: childEnv, ...opts });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`${r.stdout}\n${r.stderr}`);
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}) after ${seconds}s`);
  }
  console.log(`     (${cmd} ${args.slice(0, 2).join(' ')}: ${seconds}s)`);
  return r.stdout;
}

const operationTable = join(root, 'lib', 'operations.js');
if (!existsSync(operationTable) || !existsSync(join(root, '.jsii')) || !existsSync(join(root, 'assets'))) {
  console.error('test:tarball needs the build output (lib/*.js, .jsii, assets/): run `npm run build` first');
  process.exit(1);
}
const { OPERATION_TABLE, BACKGROUND_TABLE } = createRequire(import.meta.url)(operationTable);
const operations = [...OPERATION_TABLE, ...BACKGROUND_TABLE].map((row) => row.operation);

const work = mkdtempSync(join(tmpdir(), 'cdk-chime-join-service-tarball-'));
try {
  // 1. The tarball holds what users need and nothing else.
  const [pack] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root }));
  const files = pack.files.map((f) => f.path).sort();
  console.log(
    `\n${pack.filename}: ${files.length} files, ${(pack.size / 1024).toFixed(1)} KiB packed, ` +
      `${(pack.unpackedSize / 1024).toFixed(1)} KiB unpacked`,
  );
  for (const f of pack.files) console.log(`  ${String(f.size).padStart(8)}  ${f.path}`);
  const allowed = [
    /^lib\/(private\/)?[^/]+\.js$/,
    /^lib\/(private\/)?[^/]+\.d\.ts$/,
    /^assets\/.+/,
    /^\.jsii$/,
    /^README\.md$/,
    /^API\.md$/,
    /^LICENSE$/,
    /^package\.json$/,
  ];
  const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
  check(
    unexpected.length === 0,
    'the tarball holds only lib/*.js, lib/*.d.ts (and lib/private/), .jsii, assets/, README.md, API.md, LICENSE, package.json',
    unexpected.join(', '),
  );
  check(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources (only .d.ts)');
  check(
    !files.some((f) => /^(test|local|lambda|bin|scripts|dist|cdk\.out)\//.test(f)),
    'no tests, local/, lambda/, bin/, scripts/, dist/',
  );
  const required = [
    '.jsii',
    'package.json',
    'README.md',
    'API.md',
    'LICENSE',
    'lib/index.js',
    'lib/index.d.ts',
    ...operations.map((op) => `assets/${op}/index.js`),
  ];
  const missing = required.filter((f) => !files.includes(f));
  check(
    missing.length === 0,
    `the tarball holds .jsii, the docs, lib/index and a bundle per operation (${operations.length})`,
    `missing ${missing.join(', ')}`,
  );

  // 2. A fresh CDK app installs it: no esbuild, no Docker.
  const app = join(work, 'app');
  const stubs = join(work, 'stub-bin');
  const calls = join(work, 'stub-calls.log');
  run('mkdir', ['-p', app, stubs]);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'tarball-consumer', version: '0.0.0', private: true }, null, 2),
  );
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      join(work, pack.filename),
      CDK_LIB,
      CONSTRUCTS,
    ],
    { cwd: app },
  );
  let esbuildFound = true;
  try {
    createRequire(join(app, 'package.json')).resolve('esbuild');
  } catch {
    esbuildFound = false;
  }
  check(!esbuildFound && !existsSync(join(app, 'node_modules', 'esbuild')), 'the consumer app cannot resolve esbuild');
  // Anything that tries to run Docker or esbuild from the PATH leaves a line in stub-calls.log and fails.
  for (const tool of ['docker', 'esbuild']) {
    const stub = join(stubs, tool);
    writeFileSync(stub, `#!/bin/sh\necho "${tool} $*" >> '${calls}'\nexit 1\n`);
    chmodSync(stub, 0o755);
  }

  // 3. It compiles against the shipped .d.ts and synthesizes.
  copyFileSync(join(root, 'test', 'tarball', 'consumer-app.cts'), join(app, 'app.ts'));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['app.ts'],
      },
      null,
      2,
    ),
  );
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app });
  check(true, 'the consumer app type-checks against the installed package');
  const outdir = join(app, 'cdk.out');
  run(process.execPath, ['app.js'], {
    cwd: app,
    env: { ...childEnv, CDK_OUTDIR: outdir, CDK_DOCKER: join(stubs, 'docker'), PATH: `${stubs}:${process.env.PATH}` },
  });
  check(
    !existsSync(calls),
    'synth ran neither Docker nor esbuild',
    existsSync(calls) ? readFileSync(calls, 'utf8') : '',
  );

  // 4. Every join-service function runs one of the shipped bundles, byte for byte, under the hash CDK computes.
  const installed = join(app, 'node_modules', 'cdk-chime-join-service');
  const { FileSystem } = createRequire(join(app, 'package.json'))('aws-cdk-lib');
  const bundles = Object.fromEntries(
    operations.map((op) => {
      const dir = join(installed, 'assets', op);
      return [op, { dir, hash: FileSystem.fingerprint(dir), files: readdirSync(dir).sort() }];
    }),
  );
  const pascal = (kebab) => kebab.replace(/(^|-)([a-z])/g, (_, _dash, c) => c.toUpperCase());
  for (const stackName of ['MeetingsOnExistingResources', 'MeetingsWithDefaults']) {
    const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8'));
    const assetFiles = JSON.parse(readFileSync(join(outdir, `${stackName}.assets.json`), 'utf8')).files;
    const resources = Object.values(template.Resources);
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const serviceOps = [];
    for (const [logicalId, fn] of functions) {
      // Construct IDs are part of the contract: `JoinService/CreateAttendee` is JoinServiceCreateAttendee<hash>.
      const op = operations.find((o) => new RegExp(`^JoinService${pascal(o)}[0-9A-F]{8}$`).test(logicalId));
      if (!op) continue; // the consumer's own functions
      serviceOps.push(op);
      const bundle = bundles[op];
      const key = fn.Properties.Code?.S3Key;
      const hash = typeof key === 'string' ? key.replace(/\.zip$/, '') : undefined;
      const staged = hash && assetFiles[hash] ? join(outdir, assetFiles[hash].source.path) : undefined;
      const stagedFiles = staged && existsSync(staged) ? readdirSync(staged).sort() : [];
      const same =
        bundle &&
        staged &&
        stagedFiles.join() === bundle.files.join() &&
        stagedFiles.every((f) => readFileSync(join(staged, f)).equals(readFileSync(join(bundle.dir, f))));
      check(
        Boolean(bundle && hash === bundle.hash && same),
        `${stackName} ${logicalId}: code is the shipped assets/${op}/ (hash ${hash?.slice(0, 12)}…)`,
        `asset ${key}, expected ${bundle?.hash}.zip; staged files ${stagedFiles.join(', ')}`,
      );
    }
    check(
      serviceOps.sort().join() === [...operations].sort().join(),
      `${stackName}: one function per operation`,
      `found ${serviceOps.join(', ')}`,
    );
    const tables = resources.filter((r) => r.Type === 'AWS::DynamoDB::Table').length;
    if (stackName === 'MeetingsOnExistingResources') {
      const text = JSON.stringify(template);
      check(tables === 0, `${stackName}: no table of its own (uses the imported ones)`, `${tables} tables`);
      check(
        text.includes('arn:aws:dynamodb:us-east-1:123456789012:table/meeting-attendees/index/byMeeting'),
        `${stackName}: the roles are granted the imported table's byMeeting index`,
      );
      check(
        resources.some(
          (r) => r.Type === 'AWS::Cognito::UserPoolClient' && r.Properties.UserPoolId === 'us-east-1_EXAMPLE1',
        ),
        `${stackName}: composes with the existing user pool`,
      );
    } else {
      check(tables === 2, `${stackName}: creates its two tables (attendees, meetings)`, `${tables} tables`);
    }
  }
} catch (err) {
  check(false, 'the consumer test ran to the end', err.message);
} finally {
  if (process.env.KEEP_TARBALL_APP) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
finish();
