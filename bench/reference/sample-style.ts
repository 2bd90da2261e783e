/**
 * Reference 1, as sample backends do it: the aggregated `ChimeSDKMeetings` client and `DynamoDBDocument` from
 * @aws-sdk/lib-dynamodb, bundled by esbuild without minification (the "1,405 KB, 2.1× bare node").
 */
import { ChimeSDKMeetings } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { joinHandler } from './join-handler';

const chime = new ChimeSDKMeetings({ region: process.env.CHIME_REGION || process.env.AWS_REGION });
const documents = DynamoDBDocument.from(new DynamoDB({}), { marshallOptions: { removeUndefinedValues: true } });

/** Nothing to do: the clients above are built when the module loads (the samples' style). */
export const buildClients = (): void => undefined;

export const handler = joinHandler({
  createAttendee: (input) => chime.createAttendee(input),
  getMeeting: (input) => chime.getMeeting(input),
  put: (input) => documents.put(input),
});
