// Pre-bundles every Lambda entry in lambda/ into assets/<operation>/index.mjs, so that the construct ships
// ready code (lambda.Code.fromAsset) and consumers need neither esbuild nor Docker to synthesize.
import { build } from 'esbuild';
import { readdirSync, rmSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lambdaDir = join(root, 'lambda');
const assetsDir = join(root, 'assets');

// One entry per operation: the top-level .ts files of lambda/ (shared code lives in lambda/shared/).
const entries = readdirSync(lambdaDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
if (entries.length === 0) throw new Error('no handler entries found in lambda/');

rmSync(assetsDir, { recursive: true, force: true });
const sizes = {};
for (const file of entries) {
  const name = basename(file, '.ts');
  const outdir = join(assetsDir, name);
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'index.mjs');
  await build({
    entryPoints: [join(lambdaDir, file)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // The SDK's ESM builds: without this, esbuild picks the CommonJS builds and the ESM bundle throws
    // "Dynamic require of node:https is not supported" when Lambda loads it.
    mainFields: ['module', 'main'],
    // Lambda gives the role's credentials in environment variables; the SDK's full default chain is ~53 KB.
    alias: { '@aws-sdk/credential-provider-node': join(lambdaDir, 'shared', 'env-credentials.ts') },
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'warning',
  });
  sizes[name] = statSync(outfile).size;
}
writeFileSync(join(assetsDir, 'sizes.json'), JSON.stringify(sizes, null, 2) + '\n');
for (const [name, size] of Object.entries(sizes)) {
  console.log(`${name.padEnd(24)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}
