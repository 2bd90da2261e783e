// One cold start, run by bench/run.ts in a fresh `node` process: require a handler bundle, as Lambda's runtime
// loads a CommonJS .js handler, and build what its first valid request uses (configuration and AWS clients),
// without sending anything. Our bundles build their clients lazily and export `buildClients()` for this; the
// references build theirs at module scope.
require(process.argv[2]).buildClients();
