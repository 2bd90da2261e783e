// The handlers write one EMF record per request to stdout (their log line and metrics). Thousands of requests
// run in the suites, so drop those lines from the test output; a test that asserts on them spies on
// process.stdout.write itself (test/handlers/fixtures.ts captureLogs), which sees every record.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) =>
  typeof chunk === 'string' && chunk.startsWith('{"_aws"') ? true : write(chunk, ...rest);
