/**
 * Reference 2, the usual advice applied: modular clients and commands (`ChimeSDKMeetingsClient` +
 * `CreateAttendeeCommand`, `DynamoDBDocumentClient` + `PutCommand`), bundled by esbuild with minification (the
 * issue's "351 KB, 1.9× bare node").
 */
import { ChimeSDKMeetingsClient, CreateAttendeeCommand, GetMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { joinHandler } from './join-handler';

const chime = new ChimeSDKMeetingsClient({ region: process.env.CHIME_REGION || process.env.AWS_REGION });
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/** Nothing to do: the clients above are built when the module loads. */
export const buildClients = (): void => undefined;

export const handler = joinHandler({
  createAttendee: (input) => chime.send(new CreateAttendeeCommand(input)),
  getMeeting: (input) => chime.send(new GetMeetingCommand(input)),
  put: (input) => documents.send(new PutCommand(input)),
});
