/**
 * The benchmark's reference: a join handler written the way sample Chime SDK backends write it, with the
 * aggregated `ChimeSDKMeetings` client and `DynamoDBDocument` from @aws-sdk/lib-dynamodb, both built at module
 * scope, the SDK's default credential chain, and bundled by esbuild without minification (bench/run.ts builds
 * it). It does the same work as lambda/create-attendee.ts on a valid request (CreateAttendee + GetMeeting, a
 * conditional put of the mapping) so that the two cold loads compare like for like. Never shipped.
 */
import { ChimeSDKMeetings } from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const chime = new ChimeSDKMeetings({ region: process.env.CHIME_REGION || process.env.AWS_REGION });
const documents = DynamoDBDocument.from(new DynamoDB({}), { marshallOptions: { removeUndefinedValues: true } });
const tableName = process.env.ATTENDEE_TABLE_NAME;

/** Nothing to do: the clients above are built when the module loads (the samples' style). */
export const buildClients = (): void => undefined;

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const meetingId = event.pathParameters?.MeetingId;
  let body: { ExternalUserId?: string; Capabilities?: Record<string, string> };
  try {
    body = JSON.parse(event.body ?? '{}');
  } catch {
    return reply(400, { Code: 'BadRequest', Message: 'body is not JSON' });
  }
  if (!meetingId || !/^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$/.test(meetingId)) {
    return reply(400, { Code: 'BadRequest', Message: 'MeetingId must be a GUID' });
  }
  if (typeof body.ExternalUserId !== 'string' || body.ExternalUserId.length < 2 || body.ExternalUserId.length > 64) {
    return reply(400, { Code: 'BadRequest', Message: 'ExternalUserId must be 2 to 64 characters' });
  }
  try {
    const [{ Attendee }, { Meeting }] = await Promise.all([
      chime.createAttendee({ MeetingId: meetingId, ExternalUserId: body.ExternalUserId, Capabilities: body.Capabilities as never }),
      chime.getMeeting({ MeetingId: meetingId }),
    ]);
    const now = new Date();
    await documents
      .put({
        TableName: tableName,
        Item: {
          ExternalUserId: Attendee?.ExternalUserId,
          MeetingId: meetingId,
          AttendeeId: Attendee?.AttendeeId,
          Capabilities: Attendee?.Capabilities,
          CreatedAt: now.toISOString(),
          ExpiresAt: Math.floor(now.getTime() / 1000) + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(ExternalUserId)',
      })
      .catch((err: { name?: string }) => {
        if (err.name !== 'ConditionalCheckFailedException') throw err;
      });
    return reply(201, { Attendee, Meeting });
  } catch (err) {
    const { name, $metadata } = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    const status = $metadata?.httpStatusCode ?? 500;
    return reply(status >= 500 ? 502 : status, { Code: name ?? 'InternalFailure', Message: 'Chime or DynamoDB failed' });
  }
}

const reply = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
