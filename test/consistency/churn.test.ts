// The randomized churn (churn.ts), sized for CI. A failure prints the seed: `npm run churn -- --seed <seed>` replays
// the same operations; `npm run churn -- --operations 10000` is the long run.
import { startLocalJoinService, type LocalJoinService } from '../../local/join-service';
import { formatChurn, runChurn } from './churn';

let service: LocalJoinService;
beforeAll(async () => {
  service = await startLocalJoinService({ port: 0, dynamodbFaultProxy: true });
});
afterAll(() => service?.stop());

it('keeps the tables and every join answer true to Chime through a seeded churn of 400 operations, meetings by name included', async () => {
  const seed = Number(process.env.CHURN_SEED ?? Date.now() % 1_000_000);
  const summary = await runChurn(service, { seed, operations: 400 });
  const report = formatChurn(summary);
  expect({ violations: summary.violations.length, report }).toEqual({ violations: 0, report });
  // The churn did what it is for: every kind of operation ran, deletes raced joins, and rooms' meetings ended.
  for (const operation of ['join', 'batch', 'delete', 'lookup', 'joinByName', 'deleteMeeting', 'endRoom'])
    expect(summary.byOperation[operation]).toBeGreaterThan(0);
  expect(summary.roomMeetingsEnded).toBeGreaterThan(0);
}, 120_000);
