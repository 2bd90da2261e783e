// `npm run churn [-- --operations 10000] [-- --seed N] [-- --workers 8]`: the randomized churn of
// test/consistency/churn.ts, as long as asked, against a local service of its own (emulator, dynalite, fault proxy).
// Exits 1 if any invariant was violated.
import { parseArgs } from 'node:util';
import { startLocalJoinService } from '../local/join-service';
import { formatChurn, runChurn } from '../test/consistency/churn';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      operations: { type: 'string', default: '2000' },
      seed: { type: 'string' },
      workers: { type: 'string', default: '8' },
    },
  });
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  const operations = Number(values.operations);
  console.log(`churn: seed ${seed} (replay with --seed ${seed}), ${operations} operations`);
  // The handlers' per-request metrics lines would drown the summary.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string' && chunk.startsWith('{"_aws"')
      ? true
      : write(chunk, ...rest)) as typeof process.stdout.write;
  const service = await startLocalJoinService({ port: 0, dynamodbFaultProxy: true });
  try {
    const summary = await runChurn(service, {
      seed,
      operations,
      workers: Number(values.workers),
      progress: (done) => console.log(`  ${done} operations`),
    });
    console.log(formatChurn(summary));
    return summary.violations.length === 0 ? 0 : 1;
  } finally {
    await service.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
