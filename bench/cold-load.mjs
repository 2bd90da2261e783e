// One cold start, run by bench/run.ts in a fresh `node` process: import a handler bundle and build what its first
// valid request uses (configuration and AWS clients), without sending anything. Our bundles build their clients
// lazily and export `buildClients()` for this; the reference builds its clients at module scope.
const { buildClients } = await import(process.argv[2]);
buildClients();
