/**
 * The operation table: one row per operation of the join service, and every fact about it in that row. The
 * construct derives the API's methods and models, the functions, their roles and grants and the CORS methods from
 * it; the handlers derive who may call an operation; the local adapter derives its routes and which handler module
 * to load; the metrics take their `Operation` names from it. test/construct/operation-table.test.ts fails when a row
 * is not wired everywhere.
 *
 * This module imports nothing, so the Lambda bundles, the local stand-ins and the construct can all read it. Only
 * `JoinServiceOperation` is public (re-exported from the package's index); the table itself is internal.
 */

/**
 * The operations of a join service. Each value names the operation's handler, its asset folder and the
 * `Operation` dimension of its metrics (`ChimeJoinService.metricLatency(...)`).
 */
export enum JoinServiceOperation {
  /** `POST /meetings/{MeetingId}/attendees`: joins one user to a meeting. */
  CREATE_ATTENDEE = 'create-attendee',
  /** `POST /meetings/{MeetingId}/attendees/batch`: joins up to 250 users at once. */
  BATCH_CREATE_ATTENDEE = 'batch-create-attendee',
  /** `GET /meetings/{MeetingId}/attendees`: one page of a meeting's attendees. */
  LIST_ATTENDEES = 'list-attendees',
  /** `GET /users/{ExternalUserId}/attendees`: the meetings a user has joined, from the table. */
  LIST_USER_ATTENDEES = 'list-user-attendees',
  /** `DELETE /meetings/{MeetingId}/attendees/{AttendeeId}`: removes an attendee. */
  DELETE_ATTENDEE = 'delete-attendee',
  /** `POST /meetings`: the live meeting of a room (ExternalMeetingId), created when none is live. */
  CREATE_MEETING = 'create-meeting',
  /** `POST /join`: joins the caller to a room's live meeting, creating it when allowed. */
  JOIN_MEETING = 'join-meeting',
  /** `GET /meetings/{MeetingId}`: a meeting, from its record. */
  GET_MEETING = 'get-meeting',
  /** `DELETE /meetings/{MeetingId}`: ends a meeting. */
  DELETE_MEETING = 'delete-meeting',
  /** `GET /meetings/{MeetingId}/presence`: who is connected, from the table. */
  GET_PRESENCE = 'get-presence',
  /** `PUT /meetings/{MeetingId}/attendees/{AttendeeId}/capabilities`: one attendee's capabilities (moderation). */
  UPDATE_ATTENDEE_CAPABILITIES = 'update-attendee-capabilities',
  /** `PUT /meetings/{MeetingId}/attendees/capabilities`: every attendee's capabilities but some (moderation). */
  UPDATE_CAPABILITIES_EXCEPT = 'update-capabilities-except',
  /** `DELETE /meetings/{MeetingId}/bans/{ExternalUserId}`: readmits a banned user. */
  DELETE_BAN = 'delete-ban',
  /** Chime's EventBridge meeting events, applied to the tables (not an HTTP route). */
  MEETING_EVENTS = 'meeting-events',
  /** The scheduled sweep that closes meetings which ended without an event (not an HTTP route). */
  MEETING_SWEEP = 'meeting-sweep',
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The Chime SDK Meetings actions a handler may call (IAM action names without the `chime:` prefix). */
export type ChimeAction =
  | 'CreateMeeting'
  | 'GetMeeting'
  | 'DeleteMeeting'
  | 'CreateAttendee'
  | 'BatchCreateAttendee'
  | 'GetAttendee'
  | 'ListAttendees'
  | 'DeleteAttendee'
  | 'UpdateAttendeeCapabilities'
  | 'BatchUpdateAttendeeCapabilitiesExcept';

/** The DynamoDB actions a handler may call (IAM action names without the `dynamodb:` prefix). */
export type DynamoDbAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan' | 'BatchWriteItem';

/** The request bodies the API validates at the edge (lib/request-schemas.ts has one JSON schema per name). */
export type RequestBody =
  | 'CreateAttendeeRequest'
  | 'BatchCreateAttendeeRequest'
  | 'CreateMeetingRequest'
  | 'JoinMeetingRequest'
  | 'UpdateAttendeeCapabilitiesRequest'
  | 'UpdateCapabilitiesExceptRequest';

/**
 * Who may call an operation in the token modes (Cognito, custom authorizer), besides administrators:
 * - `self`: any authenticated user, as themself (a body or path naming another user is refused with 403);
 * - `creators`: any user when `meetingCreation` lets users create meetings (the handler checks the setting);
 * - `members`: users who hold an attendee in the meeting (the handler checks the attendee table);
 * - `host`: the user who created the meeting (the handler checks the meeting record).
 * An operation without `callers` is for administrators only: a row nobody marked fails closed. For `creators`,
 * `members` and `host` the edge lets a user through and the handler must decide (the operation-table test calls
 * each such handler as a user who is none of these and expects 403).
 */
export type Callers = 'self' | 'creators' | 'members' | 'host';

/** What every function of the service is: its id, its permissions and its timeout. */
export interface FunctionDefinition {
  readonly operation: JoinServiceOperation;
  /** The construct id of the operation's function (and the prefix of its role's and log group's): logical IDs. */
  readonly id: string;
  /** Chime actions the handler calls, on the account's meetings in the Chime region. */
  readonly chime: readonly ChimeAction[];
  /** Chime actions it calls only when joins answer the Meeting (the `includeMeeting` prop). */
  readonly chimeWhenIncludeMeeting?: readonly ChimeAction[];
  /** DynamoDB actions on the attendee table. */
  readonly attendeeTable: readonly DynamoDbAction[];
  /** DynamoDB actions on the attendee table's `byMeeting` index. */
  readonly attendeeIndex: readonly DynamoDbAction[];
  /** DynamoDB actions on the meeting table. */
  readonly meetingTable?: readonly DynamoDbAction[];
  /** DynamoDB actions on the meeting table's `byMeetingId` index. */
  readonly meetingIndex?: readonly DynamoDbAction[];
  /** The function's timeout. */
  readonly timeoutSeconds: number;
  /** Whether it asks the meeting access policy (`MeetingAccess.custom`: it may invoke that function). */
  readonly meetingAccess?: boolean;
}

/** A function behind an HTTP route. */
export interface OperationDefinition extends FunctionDefinition {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{Name}` path parameters. */
  readonly path: string;
  /** Optional query string parameters. */
  readonly query: readonly string[];
  /** Who may call it besides administrators; absent: administrators only. */
  readonly callers?: Callers;
  /** IAM mode: whether `grantJoin` allows it (`grantAdmin` allows every operation). */
  readonly joinGrant?: boolean;
  /** The JSON body the edge validates; absent: the route takes no body. */
  readonly body?: RequestBody;
}

/*
 * Every route function's timeout is below API Gateway's 29-second integration timeout and above the handler's
 * bounded retries (3 attempts of at most 3 s and 1.5 s of backoff per AWS call), so a slow upstream ends as our own
 * error.
 */
export const OPERATION_TABLE: readonly OperationDefinition[] = [
  {
    operation: JoinServiceOperation.CREATE_ATTENDEE,
    id: 'CreateAttendee',
    method: 'POST',
    path: '/meetings/{MeetingId}/attendees',
    query: [],
    callers: 'self',
    joinGrant: true,
    chime: ['CreateAttendee'],
    chimeWhenIncludeMeeting: ['GetMeeting'],
    attendeeTable: ['UpdateItem', 'GetItem', 'BatchWriteItem'],
    attendeeIndex: ['Query'],
    meetingIndex: ['Query'],
    meetingAccess: true,
    timeoutSeconds: 15,
    body: 'CreateAttendeeRequest',
  },
  {
    operation: JoinServiceOperation.BATCH_CREATE_ATTENDEE,
    id: 'BatchCreateAttendee',
    method: 'POST',
    path: '/meetings/{MeetingId}/attendees/batch',
    query: [],
    chime: ['BatchCreateAttendee'],
    attendeeTable: ['UpdateItem', 'GetItem', 'BatchWriteItem'],
    attendeeIndex: ['Query'],
    // Up to three sequential Chime calls of 100 attendees each.
    timeoutSeconds: 25,
    body: 'BatchCreateAttendeeRequest',
  },
  {
    operation: JoinServiceOperation.LIST_ATTENDEES,
    id: 'ListAttendees',
    method: 'GET',
    path: '/meetings/{MeetingId}/attendees',
    query: ['max-results', 'next-token'],
    chime: ['ListAttendees'],
    attendeeTable: ['BatchWriteItem'],
    attendeeIndex: ['Query'],
    timeoutSeconds: 15,
  },
  {
    operation: JoinServiceOperation.LIST_USER_ATTENDEES,
    id: 'ListUserAttendees',
    method: 'GET',
    path: '/users/{ExternalUserId}/attendees',
    query: [],
    callers: 'self',
    chime: [],
    attendeeTable: ['Query'],
    attendeeIndex: [],
    timeoutSeconds: 15,
  },
  {
    operation: JoinServiceOperation.DELETE_ATTENDEE,
    id: 'DeleteAttendee',
    method: 'DELETE',
    path: '/meetings/{MeetingId}/attendees/{AttendeeId}',
    // `ban=true`: the user cannot rejoin this meeting until readmitted.
    query: ['ban'],
    callers: 'host',
    chime: ['GetAttendee', 'DeleteAttendee', 'GetMeeting'],
    attendeeTable: ['UpdateItem'],
    attendeeIndex: ['Query'],
    meetingTable: ['GetItem'],
    meetingIndex: ['Query'],
    timeoutSeconds: 15,
  },
  {
    operation: JoinServiceOperation.CREATE_MEETING,
    id: 'CreateMeeting',
    method: 'POST',
    path: '/meetings',
    query: [],
    callers: 'creators',
    chime: ['CreateMeeting'],
    attendeeTable: [],
    attendeeIndex: [],
    meetingTable: ['UpdateItem', 'GetItem'],
    timeoutSeconds: 15,
    body: 'CreateMeetingRequest',
  },
  {
    operation: JoinServiceOperation.JOIN_MEETING,
    id: 'JoinMeeting',
    method: 'POST',
    path: '/join',
    query: [],
    callers: 'self',
    joinGrant: true,
    chime: ['CreateMeeting', 'CreateAttendee'],
    attendeeTable: ['UpdateItem', 'GetItem', 'BatchWriteItem'],
    attendeeIndex: ['Query'],
    meetingTable: ['UpdateItem', 'GetItem'],
    meetingAccess: true,
    // Waiting for another request's meeting (up to 8 s) and then joining it.
    timeoutSeconds: 25,
    body: 'JoinMeetingRequest',
  },
  {
    operation: JoinServiceOperation.GET_MEETING,
    id: 'GetMeeting',
    method: 'GET',
    path: '/meetings/{MeetingId}',
    query: [],
    callers: 'members',
    chime: ['GetMeeting'],
    attendeeTable: ['GetItem'],
    attendeeIndex: [],
    meetingIndex: ['Query'],
    timeoutSeconds: 15,
  },
  {
    operation: JoinServiceOperation.DELETE_MEETING,
    id: 'DeleteMeeting',
    method: 'DELETE',
    path: '/meetings/{MeetingId}',
    query: [],
    callers: 'host',
    chime: ['GetMeeting', 'DeleteMeeting'],
    attendeeTable: ['BatchWriteItem'],
    attendeeIndex: ['Query'],
    meetingTable: ['UpdateItem', 'GetItem'],
    meetingIndex: ['Query'],
    timeoutSeconds: 15,
  },
  {
    operation: JoinServiceOperation.GET_PRESENCE,
    id: 'GetPresence',
    method: 'GET',
    path: '/meetings/{MeetingId}/presence',
    query: [],
    callers: 'members',
    chime: [],
    attendeeTable: ['GetItem'],
    attendeeIndex: ['Query'],
    timeoutSeconds: 15,
  },
  {
    operation: JoinServiceOperation.UPDATE_ATTENDEE_CAPABILITIES,
    id: 'UpdateAttendeeCapabilities',
    method: 'PUT',
    path: '/meetings/{MeetingId}/attendees/{AttendeeId}/capabilities',
    query: [],
    callers: 'host',
    chime: ['UpdateAttendeeCapabilities', 'GetMeeting'],
    attendeeTable: [],
    attendeeIndex: [],
    meetingTable: ['GetItem'],
    meetingIndex: ['Query'],
    timeoutSeconds: 15,
    body: 'UpdateAttendeeCapabilitiesRequest',
  },
  {
    operation: JoinServiceOperation.UPDATE_CAPABILITIES_EXCEPT,
    id: 'UpdateCapabilitiesExcept',
    method: 'PUT',
    path: '/meetings/{MeetingId}/attendees/capabilities',
    query: [],
    callers: 'host',
    chime: ['BatchUpdateAttendeeCapabilitiesExcept', 'GetMeeting'],
    attendeeTable: [],
    attendeeIndex: [],
    meetingTable: ['GetItem'],
    meetingIndex: ['Query'],
    timeoutSeconds: 15,
    body: 'UpdateCapabilitiesExceptRequest',
  },
  {
    operation: JoinServiceOperation.DELETE_BAN,
    id: 'DeleteBan',
    method: 'DELETE',
    path: '/meetings/{MeetingId}/bans/{ExternalUserId}',
    query: [],
    callers: 'host',
    chime: ['GetMeeting'],
    attendeeTable: ['UpdateItem'],
    attendeeIndex: [],
    meetingTable: ['GetItem'],
    meetingIndex: ['Query'],
    timeoutSeconds: 15,
  },
];

/** What starts a background function. */
export type Trigger = 'meeting-events' | 'schedule';

/** A function that no route calls: Chime's meeting events, and the scheduled sweep. */
export interface BackgroundDefinition extends FunctionDefinition {
  readonly trigger: Trigger;
}

export const BACKGROUND_TABLE: readonly BackgroundDefinition[] = [
  {
    operation: JoinServiceOperation.MEETING_EVENTS,
    id: 'MeetingEvents',
    trigger: 'meeting-events',
    chime: [],
    // Presence and removals on the attendee table; a meeting's end closes its record and its mappings.
    attendeeTable: ['UpdateItem', 'BatchWriteItem'],
    attendeeIndex: ['Query'],
    meetingTable: ['UpdateItem'],
    meetingIndex: ['Query'],
    timeoutSeconds: 25,
  },
  {
    operation: JoinServiceOperation.MEETING_SWEEP,
    id: 'MeetingSweep',
    trigger: 'schedule',
    chime: ['GetMeeting'],
    attendeeTable: ['BatchWriteItem'],
    attendeeIndex: ['Query'],
    meetingTable: ['Scan', 'UpdateItem'],
    timeoutSeconds: 120,
  },
];

const BY_OPERATION = new Map(OPERATION_TABLE.map((row) => [row.operation, row]));

/** The row of one operation; throws for an operation the table does not hold (a bug, never a caller's input). */
export function operationDefinition(operation: JoinServiceOperation): OperationDefinition {
  const row = BY_OPERATION.get(operation);
  if (!row) throw new Error(`no row in the operation table for ${operation}`);
  return row;
}

/** The names of a route's path parameters, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]);
}

/** The HTTP methods the API answers (CORS preflights list them), in a stable order. */
export function httpMethods(): HttpMethod[] {
  const order: HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];
  // The filter keeps a method no route uses out of CORS preflights; while the table has routes of all four, its
  // mutants are equivalent.
  // Stryker disable next-line MethodExpression,ConditionalExpression,EqualityOperator: equivalent (see above)
  return order.filter((method) => OPERATION_TABLE.some((row) => row.method === method));
}
