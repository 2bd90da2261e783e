/**
 * A suite's summary (what it covered: faults served, hostile requests sent) for the reader of a failed run. A
 * passing `npm test` prints nothing but jest's own lines, so the summary is printed only when a test or hook of
 * the file failed (counted by test/environment.js) or when VERBOSE_TESTS=1 asks for it. Call it from afterAll.
 */
export function report(summary: string): void {
  const failures = (globalThis as { __testFailures?: number }).__testFailures ?? 0;
  if (failures > 0 || process.env.VERBOSE_TESTS === '1') console.info(summary);
}
