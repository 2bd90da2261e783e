// `npm run local [-- options]`: the join service on 127.0.0.1 for frontend development, with a demo meeting to
// join. `--help` lists the options; README.md "Local mode" explains them.
import { parseArgs } from 'node:util';
import { IDENTITY_HEADERS, LOCAL_TABLE_NAME, type LocalJoinService, startLocalJoinService } from './join-service';

const USAGE = `usage: npm run local -- [options]
  --port N                    API port on 127.0.0.1 (default 8080; 0 picks a free one)
  --chime emulator|aws        Chime SDK Meetings: the local emulator (default) or the real service
  --region R                  the services' region, the emulator's too (default us-east-1)
  --dynamodb dynalite|aws     DynamoDB: in memory (default) or the real service (default credential chain)
  --dynamodb-endpoint URL     DynamoDB at URL instead, e.g. DynamoDB Local at http://localhost:8000
  --table NAME                the attendee table (default ${LOCAL_TABLE_NAME}); outside dynalite it is
                              created if absent, and used as is if its keys match
  --cors-origin URL           let pages from this origin call the API (repeatable)
  --identity-headers          take the caller's identity from the ${IDENTITY_HEADERS.externalUserId} and ${IDENTITY_HEADERS.admin} headers
  --verbose                   also print each request's full metrics record (EMF JSON)`;

/** The room local mode creates at start, so a client can join it at once. */
const DEMO_ROOM = 'local-demo';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      chime: { type: 'string', default: 'emulator' },
      region: { type: 'string', default: 'us-east-1' },
      dynamodb: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      table: { type: 'string', default: LOCAL_TABLE_NAME },
      'cors-origin': { type: 'string', multiple: true, default: [] },
      'identity-headers': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  if (values.chime !== 'emulator' && values.chime !== 'aws') throw new Error('--chime must be "emulator" or "aws"');
  const dynamodb = values.dynamodb ?? 'dynalite';
  if (dynamodb !== 'dynalite' && dynamodb !== 'aws') throw new Error('--dynamodb must be "dynalite" or "aws"');
  const endpoint = values['dynamodb-endpoint'];
  if (endpoint !== undefined && values.dynamodb === 'dynalite')
    throw new Error('--dynamodb dynalite and --dynamodb-endpoint exclude each other');
  if (endpoint !== undefined && !URL.canParse(endpoint))
    throw new Error(`--dynamodb-endpoint must be a URL such as http://localhost:8000, got ${endpoint}`);
  if (!values.verbose) dropMetricsRecords();

  const identityHeaders = values['identity-headers'];
  const service = await startLocalJoinService({
    port,
    chime: values.chime,
    region: values.region,
    dynamodb,
    dynamodbEndpoint: endpoint,
    tableName: values.table,
    corsAllowOrigins: values['cors-origin'],
    authorization: identityHeaders ? 'headers' : 'none',
    emulator: { log: process.env.EMULATOR_LOG ? (line) => console.log(`chime: ${line}`) : undefined },
    log: (line) => console.log(line),
  });
  const meetingId = await demoMeeting(service, identityHeaders, values.region);

  const table = `table ${service.tableName}${service.dynamodb ? '' : service.tableCreated ? ' (created)' : ' (existing)'}`;
  console.log('cdk-chime-join-service, local mode');
  console.log(
    identityHeaders
      ? `  WARNING: local mode trusts the ${IDENTITY_HEADERS.externalUserId} and ${IDENTITY_HEADERS.admin} headers as given. Never expose this port.`
      : '  WARNING: local mode trusts every caller: no authorization is checked. Never expose this port.',
  );
  console.log(
    `  Chime SDK Meetings: ${service.emulator ? `emulator at ${service.emulator.endpoint}` : `the real service in ${values.region}`}`,
  );
  console.log(
    `  DynamoDB: ${
      service.dynamodb
        ? `dynalite at ${service.dynamodb.endpoint}`
        : service.dynamodbEndpoint
          ? `endpoint ${service.dynamodbEndpoint}`
          : `the real service in ${values.region}`
    }, ${table}`,
  );
  console.log(`Room: ${DEMO_ROOM}`);
  console.log(`MeetingId: ${meetingId}`);
  console.log(`API: ${service.url}`);
  // Without the identity header, identity-headers mode answers 401: the hint must be a request that works.
  const asAlice = identityHeaders ? ` -H '${IDENTITY_HEADERS.externalUserId}: alice'` : '';
  console.log(
    `  try: curl -s -X POST ${service.url}/join${asAlice} -H 'Content-Type: application/json' -d '{"ExternalMeetingId":"${DEMO_ROOM}","ExternalUserId":"alice"}'`,
  );

  const shutdown = () => {
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/**
 * The demo room, created by name through the service itself, as a client would (POST /meetings). A table kept from
 * an earlier run may still record a meeting the new emulator never made: that one is ended (DELETE) and replaced.
 */
async function demoMeeting(service: LocalJoinService, identityHeaders: boolean, region: string): Promise<string> {
  const headers = { 'content-type': 'application/json', ...(identityHeaders && { [IDENTITY_HEADERS.admin]: 'true' }) };
  const create = async () => {
    const reply = await fetch(`${service.url}/meetings`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ExternalMeetingId: DEMO_ROOM, MediaRegion: region }),
    });
    const answer = (await reply.json()) as { Meeting?: { MeetingId?: string }; Message?: string };
    if (!reply.ok || !answer.Meeting?.MeetingId) {
      throw new Error(`could not create the demo meeting: ${reply.status} ${answer.Message ?? ''}`);
    }
    return answer.Meeting.MeetingId;
  };
  const meetingId = await create();
  if (!service.emulator || service.emulator.getMeeting(meetingId)) return meetingId;
  await fetch(`${service.url}/meetings/${meetingId}`, { method: 'DELETE', headers });
  return create();
}

/**
 * The handlers write one EMF record (a JSON line starting `{"_aws"`) per request to stdout, as in Lambda, where
 * CloudWatch turns it into metrics. On a console it buries the one-line request log, so only --verbose keeps it.
 */
function dropMetricsRecords(): void {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'string' || !chunk.startsWith('{"_aws"')) return write(chunk, ...rest);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  }) as typeof process.stdout.write;
}

main().catch((error) => {
  console.error(`npm run local: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
