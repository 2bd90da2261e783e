// The event function's own code (applyMeetingEvent) against real DynamoDB semantics: dynalite on loopback, started by
// the test file that uses this, fresh tables per scenario with the room's record live and its users' joins recorded
// (as POST /join leaves them), and Chime's EventBridge events as Chime sends them.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createAttendeeTable, createMeetingTable, type LocalDynamoDb, startDynamoDb } from '../../local/dynamodb';
import type { EventDeps } from '../../lambda/meeting-events';
import { mappingOf, recordJoin } from '../../lambda/shared/attendee-store';
import { CONFIG, NOW } from '../handlers/fixtures';

/** Starts dynalite before the file's tests and stops it after them; answers the client of the running one. */
export function useDynamoDb(): () => DynamoDBClient {
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  beforeAll(async () => {
    dynamo = await startDynamoDb();
    client = new DynamoDBClient(dynamo.clientConfig());
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });
  return () => client;
}

let tables = 0;

/** Fresh tables for one meeting: its room's record live, and each attendee's join recorded. */
export async function freshEventService(
  client: DynamoDBClient,
  meeting: { readonly meetingId: string; readonly room: string },
  attendees: ReadonlyArray<{ readonly ExternalUserId: string; readonly AttendeeId: string }>,
  bus: Pick<EventDeps, 'bus'> & { readonly eventBusName?: string } = { bus: { publish: async () => undefined } },
): Promise<EventDeps> {
  const n = ++tables;
  const deps: EventDeps = {
    dynamodb: client,
    config: {
      ...CONFIG,
      tableName: `attendees-${n}`,
      meetingTableName: `meetings-${n}`,
      ...(bus.eventBusName && { eventBusName: bus.eventBusName }),
    },
    now: () => NOW,
    bus: bus.bus,
  };
  await createAttendeeTable(client, deps.config.tableName);
  await createMeetingTable(client, deps.config.meetingTableName!);
  await client.send(
    new PutItemCommand({
      TableName: deps.config.meetingTableName,
      Item: marshall({ ExternalMeetingId: meeting.room, Generation: 1, State: 'live', MeetingId: meeting.meetingId }),
    }),
  );
  for (const attendee of attendees) await recordJoin(deps, mappingOf(meeting.meetingId, attendee, undefined, deps));
  return deps;
}

/** One of Chime's meeting events, as EventBridge delivers it. */
export const chimeEvent = (
  eventType: string,
  timestamp: number,
  detail: { readonly meetingId: string } & Record<string, unknown>,
) => ({
  version: '0',
  source: 'aws.chime',
  'detail-type': 'Chime Meeting State Change',
  detail: { version: '0', eventType: `chime:${eventType}`, timestamp, ...detail },
});
