// The authorization matrix over HTTP, one row per route of OPERATION_TABLE: local mode with identity headers (as a
// custom authorizer would put the caller in the request context) and `meetingCreation: users`. What each caller
// must get follows from the row's `callers` column:
// - everyone: no identity → 401;
// - administrators only (no `callers`): a plain user → 403, an administrator → 2xx;
// - `self`: a user acting for another user → 403, as themself → 2xx;
// - `creators`: any user → 2xx (the setting lets users create; meeting-creation-admins.test.ts covers `admins`);
// - `members`: a user without an attendee in the meeting → 403, a member → 2xx;
// - `host`: a user who is not in the meeting → 403, a member who is not the host → 403, the host → 2xx.
// A route must be described in REQUESTS below, so a new row of the table fails this file until it is classified.
import { type Callers, JoinServiceOperation, OPERATION_TABLE } from '../../lib/operations';
import { type LocalJoinService, startLocalJoinService } from '../../local/join-service';
import { asUser, callJson } from './identity-http';

let service: LocalJoinService;
beforeAll(async () => {
  for (const level of ['log', 'info', 'warn', 'error'] as const)
    jest.spyOn(console, level).mockImplementation(() => undefined);
  service = await startLocalJoinService({ port: 0, authorization: 'headers', meetingCreation: 'users' });
});
afterAll(async () => {
  await service?.stop();
  jest.restoreAllMocks();
});

const HOST = 'hanna-host';
const MEMBER = 'mike-member';
const OUTSIDER = 'olga-outsider';
const ADMIN = 'ops-admin';
const as = asUser;

const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  callJson(service.url, method, path, headers, body);

/** A live meeting the host created by joining, with one more member. */
interface Fixture {
  readonly room: string;
  readonly meetingId: string;
  readonly hostAttendeeId: string;
  readonly memberAttendeeId: string;
}
let rooms = 0;
async function fixture(): Promise<Fixture> {
  const room = `matrix-${++rooms}`;
  const hosted = await call('POST', '/join', as(HOST), { ExternalMeetingId: room });
  expect(hosted.status).toBe(201);
  const member = await call('POST', '/join', as(MEMBER), { ExternalMeetingId: room });
  expect(member.status).toBe(201);
  return {
    room,
    meetingId: hosted.body.Meeting.MeetingId,
    hostAttendeeId: hosted.body.Attendee.AttendeeId,
    memberAttendeeId: member.body.Attendee.AttendeeId,
  };
}

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}
/**
 * How to call each route as `user` against a fixture. `self` routes also say how a user acts for someone else.
 * The `callers` given here must equal the table's: a change of the table's column fails the file.
 */
const CAPS = { Audio: 'SendReceive', Video: 'None', Content: 'None' };
const REQUESTS: Record<
  string,
  {
    callers: Callers | undefined;
    request: (f: Fixture, user: string) => Request;
    forOther?: (f: Fixture) => Request;
    /** A host route: what its refusal says the host alone may do. */
    hostAction?: string;
  }
> = {
  [JoinServiceOperation.CREATE_ATTENDEE]: {
    callers: 'self',
    request: (f, user) => ({
      method: 'POST',
      path: `/meetings/${f.meetingId}/attendees`,
      body: { ExternalUserId: user },
    }),
    forOther: (f) => ({ method: 'POST', path: `/meetings/${f.meetingId}/attendees`, body: { ExternalUserId: MEMBER } }),
  },
  [JoinServiceOperation.BATCH_CREATE_ATTENDEE]: {
    callers: undefined,
    request: (f) => ({
      method: 'POST',
      path: `/meetings/${f.meetingId}/attendees/batch`,
      body: { Attendees: [{ ExternalUserId: `batch-${f.room}` }] },
    }),
  },
  [JoinServiceOperation.LIST_ATTENDEES]: {
    callers: undefined,
    request: (f) => ({ method: 'GET', path: `/meetings/${f.meetingId}/attendees` }),
  },
  [JoinServiceOperation.LIST_USER_ATTENDEES]: {
    callers: 'self',
    request: (_f, user) => ({ method: 'GET', path: `/users/${encodeURIComponent(user)}/attendees` }),
    forOther: () => ({ method: 'GET', path: `/users/${MEMBER}/attendees` }),
  },
  [JoinServiceOperation.DELETE_ATTENDEE]: {
    callers: 'host',
    hostAction: 'remove attendees from this meeting',
    request: (f) => ({ method: 'DELETE', path: `/meetings/${f.meetingId}/attendees/${f.memberAttendeeId}?ban=true` }),
  },
  [JoinServiceOperation.CREATE_MEETING]: {
    callers: 'creators',
    request: (f, user) => ({ method: 'POST', path: '/meetings', body: { ExternalMeetingId: `${f.room}-new-${user}` } }),
  },
  [JoinServiceOperation.JOIN_MEETING]: {
    callers: 'self',
    request: (f, user) => ({
      method: 'POST',
      path: '/join',
      body: { ExternalMeetingId: f.room, ExternalUserId: user },
    }),
    forOther: (f) => ({ method: 'POST', path: '/join', body: { ExternalMeetingId: f.room, ExternalUserId: MEMBER } }),
  },
  [JoinServiceOperation.GET_MEETING]: {
    callers: 'members',
    request: (f) => ({ method: 'GET', path: `/meetings/${f.meetingId}` }),
  },
  [JoinServiceOperation.DELETE_MEETING]: {
    callers: 'host',
    hostAction: 'end this meeting',
    request: (f) => ({ method: 'DELETE', path: `/meetings/${f.meetingId}` }),
  },
  [JoinServiceOperation.GET_PRESENCE]: {
    callers: 'members',
    request: (f) => ({ method: 'GET', path: `/meetings/${f.meetingId}/presence` }),
  },
  [JoinServiceOperation.UPDATE_ATTENDEE_CAPABILITIES]: {
    callers: 'host',
    hostAction: "change this meeting's capabilities",
    request: (f) => ({
      method: 'PUT',
      path: `/meetings/${f.meetingId}/attendees/${f.memberAttendeeId}/capabilities`,
      body: { Capabilities: CAPS },
    }),
  },
  [JoinServiceOperation.UPDATE_CAPABILITIES_EXCEPT]: {
    callers: 'host',
    hostAction: "change this meeting's capabilities",
    request: (f) => ({
      method: 'PUT',
      path: `/meetings/${f.meetingId}/attendees/capabilities`,
      body: { Capabilities: CAPS, ExcludedAttendeeIds: [{ AttendeeId: f.hostAttendeeId }] },
    }),
  },
  [JoinServiceOperation.DELETE_BAN]: {
    callers: 'host',
    hostAction: 'readmit users to this meeting',
    request: (f) => ({ method: 'DELETE', path: `/meetings/${f.meetingId}/bans/${MEMBER}` }),
  },
};

const send = (r: Request, headers: Record<string, string>) => call(r.method, r.path, headers, r.body);
const chimeCalls = () => Object.values(service.emulator!.stats().operations).reduce((n, op) => n + op.requests, 0);
const expectError = (reply: { status: number; body: any }, status: number, code: string, message?: string) => {
  expect(reply.status).toBe(status);
  expect(reply.body).toEqual({ Code: code, Message: message ?? expect.any(String), RequestId: expect.any(String) });
};
const is2xx = (reply: { status: number; body: unknown }) => {
  if (reply.status < 200 || reply.status > 299)
    throw new Error(`expected 2xx, got ${reply.status} ${JSON.stringify(reply.body)}`);
};

const ROWS = OPERATION_TABLE.map((row) => [`${row.method} ${row.path}`, row] as const);

it('classifies every route of the operation table, with the table’s callers', () => {
  expect(Object.keys(REQUESTS).sort()).toEqual(OPERATION_TABLE.map((row) => row.operation).sort());
  for (const row of OPERATION_TABLE) {
    expect([row.operation, REQUESTS[row.operation].callers]).toEqual([row.operation, row.callers]);
    if (row.callers === 'self') expect(REQUESTS[row.operation].forOther).toBeDefined();
  }
});

describe.each(ROWS)('%s', (_name, row) => {
  const spec = REQUESTS[row.operation];
  const request = (f: Fixture, user: string) => {
    if (!spec) throw new Error(`${row.operation} is not classified in REQUESTS`);
    return spec.request(f, user);
  };

  it('no identity → 401, and Chime is not called', async () => {
    const f = await fixture();
    const before = chimeCalls();
    expectError(await send(request(f, OUTSIDER), {}), 401, 'Unauthorized');
    expect(chimeCalls()).toBe(before);
  });

  it('an administrator → 2xx', async () => {
    const f = await fixture();
    is2xx(await send(request(f, ADMIN), as(ADMIN, true)));
  });

  switch (row.callers) {
    case undefined:
      it('a plain user (even the host) → 403', async () => {
        const f = await fixture();
        const refusal = 'This route is for administrators only';
        expectError(await send(request(f, OUTSIDER), as(OUTSIDER)), 403, 'Forbidden', refusal);
        expectError(await send(request(f, HOST), as(HOST)), 403, 'Forbidden', refusal);
      });
      break;
    case 'self':
      it('a user acting for another user → 403; as themself → 2xx', async () => {
        const f = await fixture();
        expectError(await send(spec.forOther!(f), as(OUTSIDER)), 403, 'Forbidden');
        is2xx(await send(request(f, OUTSIDER), as(OUTSIDER)));
      });
      break;
    case 'creators':
      it('any user → 2xx (meetingCreation: users)', async () => {
        const f = await fixture();
        is2xx(await send(request(f, OUTSIDER), as(OUTSIDER)));
      });
      break;
    case 'members':
      it('a user who is not a member → 403; a member → 2xx', async () => {
        const f = await fixture();
        expectError(await send(request(f, OUTSIDER), as(OUTSIDER)), 403, 'Forbidden');
        is2xx(await send(request(f, MEMBER), as(MEMBER)));
      });
      break;
    case 'host':
      it('a user not in the meeting → 403; a member who is not the host → 403; the host → 2xx', async () => {
        const f = await fixture();
        const refusal = `Only administrators and the meeting host may ${spec.hostAction!}`;
        expectError(await send(request(f, OUTSIDER), as(OUTSIDER)), 403, 'Forbidden', refusal);
        expectError(await send(request(f, MEMBER), as(MEMBER)), 403, 'Forbidden', refusal);
        is2xx(await send(request(f, HOST), as(HOST)));
      });
      break;
    default:
      it('is a kind of caller this matrix knows', () => {
        throw new Error(`unknown callers ${String(row.callers)} for ${row.operation}: classify it here`);
      });
  }
});
