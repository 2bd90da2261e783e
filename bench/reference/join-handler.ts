/**
 * The benchmark's references: a join handler written the way sample Chime SDK backends write it, in two builds
 * that differ only in how they reach the SDK (sample-style.ts, modular.ts). Both build their clients at module
 * scope and use the SDK's default credential chain. The handler does the same work as lambda/create-attendee.ts
 * on a valid request (CreateAttendee + GetMeeting, a conditional put of the mapping) so that cold loads compare
 * like for like. bench/run.ts bundles them; never shipped.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** What a reference hands the handler: its clients' calls. */
export interface ReferenceCalls {
  createAttendee(input: {
    MeetingId: string;
    ExternalUserId: string;
    Capabilities?: never;
  }): Promise<{ Attendee?: Record<string, any> }>;
  getMeeting(input: { MeetingId: string }): Promise<{ Meeting?: unknown }>;
  put(input: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string }): Promise<unknown>;
}

export function joinHandler(calls: ReferenceCalls) {
  const tableName = process.env.ATTENDEE_TABLE_NAME ?? '';
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
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
        calls.createAttendee({
          MeetingId: meetingId,
          ExternalUserId: body.ExternalUserId,
          Capabilities: body.Capabilities as never,
        }),
        calls.getMeeting({ MeetingId: meetingId }),
      ]);
      const now = new Date();
      await calls
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
      return reply(status >= 500 ? 502 : status, {
        Code: name ?? 'InternalFailure',
        Message: 'Chime or DynamoDB failed',
      });
    }
  };
}

const reply = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
