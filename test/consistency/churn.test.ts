// The randomized churn (churn.ts), sized for CI. A failure prints the seed: `npm run churn -- --seed <seed>` replays
// the same operations; `npm run churn -- --operations 10000` is the long run.
import { startLocalJoinService, type LocalJoinService } from '../../local/join-service';
import { formatChurn, runChurn } from './churn';

let service: LocalJoinService;
beforeAll(async () => {
  service = await startLocalJoinService({ port: 0, dynamodbFaultProxy: true });
});
afterAll(() => service?.stop());

it('keeps the table and every join answer true to Chime through a seeded churn of 400 operations', async () => {
  const seed = Number(process.env.CHURN_SEED ?? Date.now() % 1_000_000);
  const summary = await runChurn(service, { seed, operations: 400 });
  const report = formatChurn(summary);
  expect({ violations: summary.violations.length, report }).toEqual({ violations: 0, report });
  // The churn did what it is for: every kind of operation ran, and deletes raced joins.
  for (const operation of ['join', 'batch', 'delete', 'lookup'])
    expect(summary.byOperation[operation]).toBeGreaterThan(0);
}, 120_000);
