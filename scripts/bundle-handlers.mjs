// Pre-bundles every Lambda entry in lambda/ into assets/<operation>/index.js, so that the construct ships
// ready code (lambda.Code.fromAsset) and consumers need neither esbuild nor Docker to synthesize.
//
// The bundles are minified CommonJS for Node.js 24 (Lambda's nodejs24.x) and carry only what the two services' clients can reach: a
// cold start parses and runs every byte of them before the first request (bench/run.ts measures it; README
// "Performance"). CommonJS, not ESM: Lambda require()s a .js handler, and that skips the ES module loader, which
// costs a cold start ~6 ms more on this machine (and more again for each node: builtin imported through it).
// The SDK's ESM builds are still the input (mainFields), because esbuild tree-shakes them far better. `node scripts/bundle-handlers.mjs --analyze` prints what each bundle is made of.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lambdaDir = join(root, 'lambda');
// `--bench`: the benchmark's copies (bench/tmp/bundles/<operation>/index.js), the shipped code plus one export,
// `buildClients()`, that production bundles never carry.
const forBench = process.argv.includes('--bench');
const assetsDir = forBench ? join(root, 'bench', 'tmp', 'bundles') : join(root, 'assets');
const analyze = process.argv.includes('--analyze');
// `--quiet`: no size table (the example app's `cdk synth` bundles first, and its output is the template).
const quiet = process.argv.includes('--quiet');

/**
 * Code the SDK would bundle but these handlers never run (or run only a sliver of), replaced by small stand-ins.
 * checkStandIns() runs before every build, so that an SDK update that makes a stand-in wrong fails the build,
 * not the function; an update that moves a file merely leaves the original code in (the bundle grows).
 */
const leanAwsSdk = {
  name: 'lean-aws-sdk',
  setup(b) {
    const stub = (path, contents) => ({ path, namespace: 'lean-aws-sdk', pluginData: contents });
    b.onLoad({ filter: /.*/, namespace: 'lean-aws-sdk' }, (args) => ({ contents: args.pluginData, loader: 'js' }));

    // Event streams (~14 KB and node:zlib): the protocols import them only for an operation with an event-stream
    // member, and neither Chime SDK Meetings nor DynamoDB has one (checkStandIns reads their schemas).
    b.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () =>
      stub(
        'event-streams',
        `const unsupported = () => { throw new Error('event streams are not bundled (scripts/bundle-handlers.mjs)'); };
        export const EventStreamSerde = unsupported, eventStreamSerdeProvider = unsupported;`,
      ),
    );

    // The clients import their whole package.json for one field, the version in the User-Agent header.
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, (args) => {
      const { name, version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });

    // DynamoDB's endpoint-discovery cache (off unless configured) is an LRU from mnemonist (~7 KB with
    // obliterator); EndpointCache uses a few of its methods (LRU_METHODS), which a Map provides in insertion
    // (= recency) order.
    b.onResolve({ filter: /^mnemonist\/lru-cache$/ }, () =>
      stub(
        'lru-cache',
        `export default class LRUCache {
        constructor(capacity) { this.capacity = capacity; this.items = new Map(); }
        has(key) { return this.items.has(key); }
        peek(key) { return this.items.get(key); }
        get(key) {
          if (!this.items.has(key)) return undefined;
          const value = this.items.get(key);
          this.items.delete(key);
          this.items.set(key, value);
          return value;
        }
        set(key, value) {
          this.items.delete(key);
          this.items.set(key, value);
          if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value);
          return this;
        }
        clear() { this.items.clear(); }
        get size() { return this.items.size; }
      }`,
      ),
    );

    // The pure-JS SHA-256 is the fallback for a runtime without node:crypto's sha256, which Lambda never is.
    b.onLoad(
      { filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/]sha256[\\/]Sha256Js\.js$/ },
      () => ({
        contents: `export class Sha256Js { constructor() { throw new Error('node:crypto has no sha256'); } }`,
        loader: 'js',
      }),
    );
  },
};

const LRU_METHODS = ['has', 'peek', 'get', 'set', 'clear', 'size'];

/**
 * The event-streams stand-in is right only while neither service model has a streaming member, and the LRU
 * stand-in only while EndpointCache calls nothing else of its cache.
 */
function checkStandIns() {
  const require = createRequire(join(lambdaDir, 'shared', 'clients.ts'));
  const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
  const self = basename(fileURLToPath(import.meta.url));
  for (const client of ['@aws-sdk/client-chime-sdk-meetings', '@aws-sdk/client-dynamodb']) {
    const schemas = join(packageDir(client), 'dist-es', 'schemas', 'schemas_0.js');
    // The `streaming` trait marks event-stream unions (and streaming blobs); operation names may contain the word.
    if (readFileSync(schemas, 'utf8').includes('"streaming"')) {
      throw new Error(`${client} now has a streaming member: remove the event-streams stand-in from ${self}`);
    }
  }
  const endpointCacheDir = dirname(
    createRequire(packageDir('@aws-sdk/client-dynamodb') + '/').resolve('@aws-sdk/endpoint-cache/package.json'),
  );
  const endpointCache = readFileSync(join(endpointCacheDir, 'dist-es', 'EndpointCache.js'), 'utf8');
  const used = [...endpointCache.matchAll(/this\.cache\.(\w+)/g)].map((m) => m[1]);
  const missing = used.filter((method) => !LRU_METHODS.includes(method));
  if (used.length === 0 || missing.length > 0) {
    throw new Error(
      `EndpointCache now uses LRUCache.${missing.join(', ') || '(nothing)'}: update the LRU stand-in in ${self}`,
    );
  }
}

// One entry per operation: the top-level .ts files of lambda/ (shared code lives in lambda/shared/).
const entries = readdirSync(lambdaDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
if (entries.length === 0) throw new Error('no handler entries found in lambda/');
checkStandIns();

/**
 * A bundle is the handler module as it is. The benchmark's copy adds `buildClients()`, which builds (and returns)
 * the dependencies its first valid request uses: the configuration and the AWS clients, otherwise built lazily on
 * first use. bench/run.ts calls it to time a cold start without a network and to give the warm benchmark the
 * clients whose transport it replaces. They are the handler's own deps, so the copy gains no client.
 */
function entryOf(file) {
  if (!forBench) return `export * from './${file}';\n`;
  const source = readFileSync(join(lambdaDir, file), 'utf8');
  const deps = source.match(/\b(awsTableDeps|awsDeps)\b/)?.[1];
  if (!deps) throw new Error(`${file} uses neither awsDeps nor awsTableDeps from ./shared/clients`);
  return `export * from './${file}';
import { ${deps} as deps } from './shared/clients';
export const buildClients = (): typeof deps => { for (const key of Object.keys(deps)) void deps[key as keyof typeof deps]; return deps; };
`;
}

/** `--analyze`: minified bytes by package (and by @smithy/core or @aws-sdk/core submodule), largest first. */
function printComposition(name, metafile) {
  const groups = {};
  for (const [path, { bytesInOutput }] of Object.entries(Object.values(metafile.outputs)[0].inputs)) {
    const group =
      path.match(/node_modules\/(@(?:smithy|aws-sdk)\/core\/dist-es\/(?:submodules\/)?[^/]+(?:\/[^/.]+)?)/)?.[1] ??
      path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
      path.replace(/\/[^/]+$/, '/');
    groups[group] = (groups[group] ?? 0) + bytesInOutput;
  }
  console.log(`\n${name}`);
  for (const [group, bytes] of Object.entries(groups).sort((a, b) => b[1] - a[1])) {
    console.log(`${String(bytes).padStart(9)}  ${group}`);
  }
}

rmSync(assetsDir, { recursive: true, force: true });
const sizes = {};
for (const file of entries) {
  const name = basename(file, '.ts');
  const outdir = join(assetsDir, name);
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'index.js');
  const result = await build({
    stdin: { contents: entryOf(file), resolveDir: lambdaDir, sourcefile: `${name}.entry.ts`, loader: 'ts' },
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // The SDK's ESM builds: esbuild can drop what they don't use, which it cannot do in the CommonJS builds.
    mainFields: ['module', 'main'],
    // Lambda gives the role's credentials in environment variables; the SDK's full default chain is ~53 KB.
    alias: { '@aws-sdk/credential-provider-node': join(lambdaDir, 'shared', 'env-credentials.ts') },
    plugins: [leanAwsSdk],
    legalComments: 'none',
    sourcemap: false,
    metafile: analyze,
    logLevel: 'warning',
  });
  sizes[name] = statSync(outfile).size;
  if (analyze) printComposition(name, result.metafile);
}
if (!forBench) writeFileSync(join(assetsDir, 'sizes.json'), JSON.stringify(sizes, null, 2) + '\n');
for (const [name, size] of Object.entries(sizes)) {
  if (quiet) break;
  console.log(`${name.padEnd(30)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}
