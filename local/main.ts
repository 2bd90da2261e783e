// `npm run local [-- --port N] [-- --chime aws --region R] [-- --cors-origin URL]`: the join service on
// 127.0.0.1 for frontend development, with a demo meeting to join.
import { parseArgs } from 'node:util';
import { ChimeSDKMeetingsClient, CreateMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { startLocalJoinService } from './join-service';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      chime: { type: 'string', default: 'emulator' },
      region: { type: 'string', default: 'us-east-1' },
      'cors-origin': { type: 'string', multiple: true, default: [] },
      'identity-headers': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run local -- [--port 8080] [--chime emulator|aws] [--region us-east-1] [--cors-origin URL ...] [--identity-headers]',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  if (values.chime !== 'emulator' && values.chime !== 'aws') throw new Error('--chime must be "emulator" or "aws"');

  const service = await startLocalJoinService({
    port,
    chime: values.chime,
    region: values.region,
    corsAllowOrigins: values['cors-origin'],
    authorization: values['identity-headers'] ? 'headers' : 'none',
    emulator: { log: process.env.EMULATOR_LOG ? (line) => console.log(`chime: ${line}`) : undefined },
  });
  const meetingId = service.emulator
    ? service.emulator.createMeeting({ ExternalMeetingId: 'local-demo', MediaRegion: values.region }).MeetingId
    : await createRealMeeting(values.region);

  console.log('cdk-chime-join-service, local mode');
  console.log(
    values['identity-headers']
      ? '  WARNING: local mode trusts the X-External-User-Id and X-Admin headers as given. Never expose this port.'
      : '  WARNING: local mode trusts every caller: no authorization is checked. Never expose this port.',
  );
  console.log(
    `  Chime SDK Meetings: ${service.emulator ? `emulator at ${service.emulator.endpoint}` : `the real service in ${values.region}`}`,
  );
  console.log(`  DynamoDB: dynalite at ${service.dynamodb.endpoint}, table ${service.tableName}`);
  console.log(`MeetingId: ${meetingId}`);
  console.log(`API: ${service.url}`);
  console.log(`  try: curl -s -X POST ${service.url}/meetings/${meetingId}/attendees -d '{"ExternalUserId":"alice"}'`);

  const shutdown = () => {
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function createRealMeeting(region: string): Promise<string> {
  const client = new ChimeSDKMeetingsClient({ region });
  const { Meeting } = await client.send(
    new CreateMeetingCommand({
      ClientRequestToken: `local-demo-${Date.now()}`,
      ExternalMeetingId: 'local-demo',
      MediaRegion: region,
    }),
  );
  client.destroy();
  return Meeting!.MeetingId!;
}

main().catch((error) => {
  console.error(`npm run local: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
