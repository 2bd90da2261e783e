// Keeps the snapshot of test/integ.join-service.ts. integ-runner cannot read this cloud assembly yet (TOOLCHAIN.md),
// so the CDK CLI synthesizes it offline, and this script keeps only what is the same on every machine and checkout:
// - asset.* folders go: they copy assets/ and the integ-tests provider, and the templates pin them by hash;
// - performance-counters.json goes: aws-cdk-lib writes it after a slow synthesis, with this machine's timings;
// - creation stack traces go from *.metadata.json: they hold absolute paths; so do the construct analytics entries
//   a new app's feature flags add (props as CDK's telemetry reports them), which say nothing the template doesn't;
// - the assertions' salt (Date.now() by default) is pinned through the `integ-snapshot-salt` context value;
// - performance-counters.json goes: the CLI has the app write its synth timings there when a synth is slow (a busy
//   machine), so it comes and goes with the load.
// CI regenerates the snapshot and fails if it differs from the committed one.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const snapshot = join('test', 'integ.join-service.snapshot');
const outdir = join(root, snapshot);

// The integ app imports '../lib', which resolves to jsii's compiled lib/*.js when they exist: refuse to snapshot a
// build older than its sources (run `npm run build` first), or the snapshot would show stale code.
const libDir = join(root, 'lib');
const newest = (dir, ext) =>
  readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts'))
    .reduce((max, f) => Math.max(max, statSync(join(dir, f)).mtimeMs), 0);
const builtAt = newest(libDir, '.js');
if (builtAt > 0 && newest(libDir, '.ts') > builtAt) {
  console.error('lib/*.js is older than lib/*.ts: run `npm run build` first, then `npm run integ:snapshot`.');
  process.exit(1);
}

rmSync(outdir, { recursive: true, force: true });
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_STACK_TRACE: '1' };
for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[name];
const synth = spawnSync(
  join(root, 'node_modules', '.bin', 'cdk'),
  [
    'synth',
    '--app',
    'npx tsx test/integ.join-service.ts',
    '--output',
    snapshot,
    '--no-version-reporting',
    '--no-path-metadata',
    '--no-asset-metadata',
    '--quiet',
    '--context',
    'integ-snapshot-salt=snapshot',
  ],
  { cwd: root, env, stdio: 'inherit' },
);
if (synth.status !== 0) process.exit(synth.status ?? 1);

for (const entry of readdirSync(outdir)) {
  const file = join(outdir, entry);
  if (entry.startsWith('asset.') || entry === 'performance-counters.json') {
    rmSync(file, { recursive: true, force: true });
  } else if (entry.endsWith('.metadata.json')) {
    const metadata = JSON.parse(readFileSync(file, 'utf8'));
    for (const [path, entries] of Object.entries(metadata)) {
      const kept = entries.filter(
        (e) => e.type !== 'aws:cdk:creationStack' && !e.type.startsWith('aws:cdk:analytics:'),
      );
      if (kept.length > 0) metadata[path] = kept;
      else delete metadata[path];
    }
    writeFileSync(file, JSON.stringify(metadata, null, 2) + '\n');
  }
}
console.log(`${snapshot}: ${readdirSync(outdir).sort().join(', ')}`);
