// Who may call what, in every authorization mode: the handlers enforce it again from the request context, so a
// request that reaches a function without API Gateway's check still meets the same rules.
import {
  BatchCreateAttendeeCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  GetMeetingCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import { DynamoDBClient, UpdateItemCommand, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../lib/contract';
import { JoinServiceOperation } from '../../lib/operations';
import { authorize, callerIdentity } from '../../lambda/shared/authorization';
import { type AuthConfig, readAuthConfig } from '../../lambda/shared/config';
import { JoinServiceError } from '../../lambda/shared/errors';
import { type Operation, toJoinRequest } from '../../lambda/shared/http';
import { handler as batchHandler } from '../../lambda/batch-create-attendee';
import { handler as createHandler } from '../../lambda/create-attendee';
import { ATTENDEE_ID, captureLogs, chimeAttendee, MEETING, MEETING_ID, parseBody, proxyEvent, TABLE } from './fixtures';

// This file's functions run in cognito mode; the mode is read on the first request (authConfig), not at import.
process.env[ENV.tableName] = TABLE;
process.env[ENV.authMode] = 'cognito';

const config = (mode: AuthConfig['mode']): AuthConfig => ({ mode, identityClaim: 'sub', adminGroup: 'admins' });

const cognito = (claims: Record<string, string | string[]> | undefined) => ({
  authorizer: claims ? { claims } : null,
  identity: {},
});
const custom = (context: Record<string, unknown> | null) => ({ authorizer: context, identity: {} });
const unsigned = { identity: {} };

/** A JWT as Cognito issues it (the signature is API Gateway's to verify, so any bytes do here). */
const jwt = (payload: Record<string, unknown>) =>
  [{ alg: 'RS256', kid: 'k' }, payload]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .join('.') + '.c2lnbmF0dXJl';

/**
 * What a REST API's Cognito authorizer hands the function: the verified token's claims, `cognito:groups` flattened
 * to one string, and the request's headers, among them the very Authorization header it verified.
 */
function cognitoRequest(groups: string[], options: { authorization?: string; claims?: Record<string, string> } = {}) {
  const claims = { sub: 'alice', token_use: 'id', 'cognito:groups': groups.join(','), ...options.claims };
  const token = jwt({ sub: 'alice', token_use: 'id', 'cognito:groups': groups, exp: 2e9 });
  return {
    requestContext: cognito(claims),
    headers: { Authorization: options.authorization ?? token },
  };
}

const CALLERS = {
  'iam, signed': ['iam', {}],
  'iam, unsigned': ['iam', unsigned],
  'cognito, alice': ['cognito', cognito({ sub: 'alice' })],
  'cognito, alice in admins': ['cognito', cognitoRequest(['users', 'admins'])],
  'cognito, alice in admins, Bearer token': [
    'cognito',
    cognitoRequest(['admins'], { authorization: `Bearer ${jwt({ sub: 'alice', 'cognito:groups': ['admins'] })}` }),
  ],
  'cognito, alice with an array claim [admins, users]': [
    'cognito',
    cognito({ sub: 'alice', 'cognito:groups': ['admins', 'users'] }),
  ],
  'cognito, alice in administrators (not admins)': ['cognito', cognitoRequest(['administrators'])],
  // Group names may hold punctuation: only a group named exactly `admins` makes an administrator.
  'cognito, alice in "x,admins"': ['cognito', cognitoRequest(['x,admins'])],
  'cognito, alice in "[admins"': ['cognito', cognitoRequest(['[admins'])],
  'cognito, alice in "admins users"': ['cognito', cognitoRequest(['admins users'])],
  'cognito, alice in "admins]" and "[x"': ['cognito', cognitoRequest(['[x', 'admins]'])],
  // The flattened claim alone is ambiguous, so it makes nobody an administrator.
  'cognito, flattened "admins" without the token': ['cognito', cognito({ sub: 'alice', 'cognito:groups': 'admins' })],
  'cognito, an admin token of another user': [
    'cognito',
    cognitoRequest(['users'], { authorization: jwt({ sub: 'bob', 'cognito:groups': ['admins'] }) }),
  ],
  'cognito, an admin token whose other claims differ': [
    'cognito',
    cognitoRequest(['admins'], { claims: { token_use: 'access' } }),
  ],
  'cognito, an unparsable Authorization header': [
    'cognito',
    cognitoRequest(['admins'], { authorization: 'not.a-token' }),
  ],
  'cognito, a token whose groups are not a list': [
    'cognito',
    cognitoRequest(['admins'], { authorization: jwt({ sub: 'alice', 'cognito:groups': 'admins' }) }),
  ],
  'cognito, no token': ['cognito', cognito(undefined)],
  'cognito, token without sub': ['cognito', cognito({ email: 'alice@example.com' })],
  'custom, alice': ['custom', custom({ externalUserId: 'alice', isAdmin: 'false' })],
  'custom, admin': ['custom', custom({ externalUserId: 'root', isAdmin: 'true' })],
  'custom, admin without user id': ['custom', custom({ isAdmin: true })],
  'custom, no context': ['custom', custom(null)],
  'custom, empty context': ['custom', custom({ principalId: 'x' })],
  'none, anyone': ['none', unsigned],
} as const;

type Caller = keyof typeof CALLERS;
const ROUTES: Array<[Operation, Record<string, string>]> = [
  [JoinServiceOperation.CREATE_ATTENDEE, { MeetingId: MEETING_ID }],
  [JoinServiceOperation.BATCH_CREATE_ATTENDEE, { MeetingId: MEETING_ID }],
  [JoinServiceOperation.LIST_ATTENDEES, { MeetingId: MEETING_ID }],
  [JoinServiceOperation.LIST_USER_ATTENDEES, { ExternalUserId: 'alice' }],
  [JoinServiceOperation.LIST_USER_ATTENDEES, { ExternalUserId: 'bob' }],
  [JoinServiceOperation.DELETE_ATTENDEE, { MeetingId: MEETING_ID, AttendeeId: ATTENDEE_ID }],
];

/**
 * The expected outcome per caller, in the order of ROUTES: create, batch, list, alice's lookup, bob's lookup, delete.
 * A delete is for administrators and the meeting's host: the edge lets a user through and the handler decides (the
 * operation-table test and test/e2e/moderation.test.ts refuse a user who is not the host).
 */
const EXPECTED: Record<Caller, number[]> = {
  'iam, signed': [200, 200, 200, 200, 200, 200],
  'iam, unsigned': [401, 401, 401, 401, 401, 401],
  'cognito, alice': [200, 403, 403, 200, 403, 200],
  'cognito, alice in admins': [200, 200, 200, 200, 200, 200],
  'cognito, alice in admins, Bearer token': [200, 200, 200, 200, 200, 200],
  'cognito, alice with an array claim [admins, users]': [200, 200, 200, 200, 200, 200],
  'cognito, alice in administrators (not admins)': [200, 403, 403, 200, 403, 200],
  'cognito, alice in "x,admins"': [200, 403, 403, 200, 403, 200],
  'cognito, alice in "[admins"': [200, 403, 403, 200, 403, 200],
  'cognito, alice in "admins users"': [200, 403, 403, 200, 403, 200],
  'cognito, alice in "admins]" and "[x"': [200, 403, 403, 200, 403, 200],
  'cognito, flattened "admins" without the token': [200, 403, 403, 200, 403, 200],
  'cognito, an admin token of another user': [200, 403, 403, 200, 403, 200],
  'cognito, an admin token whose other claims differ': [200, 403, 403, 200, 403, 200],
  'cognito, an unparsable Authorization header': [200, 403, 403, 200, 403, 200],
  'cognito, a token whose groups are not a list': [200, 403, 403, 200, 403, 200],
  'cognito, no token': [401, 401, 401, 401, 401, 401],
  'cognito, token without sub': [401, 401, 401, 401, 401, 401],
  'custom, alice': [200, 403, 403, 200, 403, 200],
  'custom, admin': [200, 200, 200, 200, 200, 200],
  'custom, admin without user id': [200, 200, 200, 200, 200, 200],
  'custom, no context': [401, 401, 401, 401, 401, 401],
  'custom, empty context': [401, 401, 401, 401, 401, 401],
  'none, anyone': [200, 200, 200, 200, 200, 200],
};

function outcome(caller: Caller, operation: Operation, path: Record<string, string>): number {
  const [mode, context] = CALLERS[caller];
  const { requestContext, headers } =
    'requestContext' in context
      ? (context as { requestContext: Record<string, unknown>; headers: Record<string, string> })
      : { requestContext: context as Record<string, unknown>, headers: undefined };
  const event = proxyEvent({ path, requestContext, headers });
  try {
    authorize(operation, toJoinRequest(event), callerIdentity(event, config(mode)));
    return 200;
  } catch (error) {
    if (!(error instanceof JoinServiceError)) throw error;
    expect(error.code).toBe(error.statusCode === 401 ? 'Unauthorized' : 'Forbidden');
    return error.statusCode;
  }
}

describe('the authorization matrix', () => {
  it.each(Object.keys(EXPECTED) as Caller[])('%s', (caller) => {
    expect(ROUTES.map(([operation, path]) => outcome(caller, operation, path))).toEqual(EXPECTED[caller]);
  });

  it('takes the ExternalUserId from the configured claim and the admin group from the config', () => {
    const event = proxyEvent({
      requestContext: cognito({ sub: 'x', email: 'alice@example.com', 'cognito:groups': 'ops' }),
      headers: { authorization: jwt({ sub: 'x', email: 'alice@example.com', 'cognito:groups': ['ops'] }) },
    });
    expect(callerIdentity(event, { mode: 'cognito', identityClaim: 'email', adminGroup: 'ops' })).toEqual({
      externalUserId: 'alice@example.com',
      isAdmin: true,
    });
  });
});

describe('administrators in cognito mode: the verified token, read as JSON', () => {
  const identity = (event: ReturnType<typeof proxyEvent>) => callerIdentity(event, config('cognito'));
  const request = (groups: string[], authorization?: string, multiValue?: string[]) => {
    const { requestContext, headers } = cognitoRequest(groups, authorization ? { authorization } : {});
    const event = proxyEvent({ requestContext, headers });
    if (multiValue) event.multiValueHeaders = { Authorization: multiValue };
    return event;
  };

  it('reads the groups of the token in the Authorization header the authorizer verified', () => {
    expect(identity(request(['users', 'admins']))).toEqual({ externalUserId: 'alice', isAdmin: true });
    expect(identity(request(['users']))).toEqual({ externalUserId: 'alice', isAdmin: false });
  });

  it('finds the header whatever its letter case', () => {
    const { requestContext } = cognitoRequest(['admins']);
    const token = jwt({ sub: 'alice', 'cognito:groups': ['admins'] });
    expect(identity(proxyEvent({ requestContext, headers: { authorization: token } }))?.isAdmin).toBe(true);
  });

  it.each([['x,admins'], ['[admins'], ['admins]'], [' admins'], ['Admins']])(
    'makes no administrator of a member of the group %p',
    (group) => {
      expect(identity(request([group]))?.isAdmin).toBe(false);
    },
  );

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a header of two parts', 'a.b'],
    ['a payload that is not base64url JSON', 'eyJhbGciOiJSUzI1NiJ9.!!!.c2ln'],
    ['a payload that is JSON but not an object', `e30.${Buffer.from('["admins"]').toString('base64url')}.c2ln`],
  ])('fails closed (not an administrator) on %s', (_name, authorization) => {
    const { requestContext } = cognitoRequest(['admins']);
    const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
    expect(identity(proxyEvent({ requestContext, headers }))).toEqual({ externalUserId: 'alice', isAdmin: false });
  });

  it('fails closed when the request carries two Authorization headers (which one was verified is unknown)', () => {
    const admin = jwt({ sub: 'alice', 'cognito:groups': ['admins'] });
    expect(identity(request(['admins'], admin, [admin, jwt({ sub: 'alice' })]))?.isAdmin).toBe(false);
  });
});

describe('the authorization mode setting', () => {
  it.each([undefined, '', 'IAM', 'open'])('refuses %p, failing closed', (mode) => {
    expect(() => readAuthConfig({ [ENV.authMode]: mode })).toThrow(
      /AUTH_MODE must be one of iam, cognito, custom, none/,
    );
  });

  it('defaults the claim to sub and the admin group to admins', () => {
    expect(readAuthConfig({ [ENV.authMode]: 'cognito' })).toEqual({
      mode: 'cognito',
      identityClaim: 'sub',
      adminGroup: 'admins',
    });
  });
});

describe('handlers in cognito mode', () => {
  const chime = mockClient(ChimeSDKMeetingsClient);
  const dynamodb = mockClient(DynamoDBClient);

  beforeEach(() => {
    captureLogs();
    chime.reset();
    dynamodb.reset();
    // The batch's look for banned users (the byMeeting index, filtered on BannedAt) finds none unless a test says so.
    dynamodb.on(QueryCommand, { FilterExpression: 'attribute_exists(#banned)' }).resolves({ Items: [] });
    chime.on(CreateAttendeeCommand).resolves({ Attendee: { ...chimeAttendee('alice'), AttendeeId: ATTENDEE_ID } });
    chime.on(BatchCreateAttendeeCommand).resolves({ Attendees: [], Errors: [] });
    chime.on(GetMeetingCommand).resolves({ Meeting: MEETING });
    dynamodb.on(UpdateItemCommand).resolves({});
    dynamodb.on(GetItemCommand).resolves({}); // no ban: the join's look before Chime finds no item
  });
  afterAll(() => jest.restoreAllMocks());

  const asAlice = cognito({ sub: 'alice' });

  it('joins the caller as the ExternalUserId of their token when the body names none', async () => {
    const result = await createHandler(proxyEvent({ body: {}, requestContext: asAlice }));
    expect(result.statusCode).toBe(201);
    expect(chime.commandCalls(CreateAttendeeCommand)[0].args[0].input.ExternalUserId).toBe('alice');
  });

  it("refuses with 403 a body ExternalUserId that is not the caller's, before any AWS call", async () => {
    const result = await createHandler(proxyEvent({ body: { ExternalUserId: 'bob' }, requestContext: asAlice }));
    expect(result.statusCode).toBe(403);
    expect(parseBody(result)).toEqual({
      Code: 'Forbidden',
      Message: expect.stringContaining('ExternalUserId'),
      RequestId: 'req-1',
    });
    expect(chime.calls()).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('refuses a batch from a non-admin with 403 and no AWS call, even when the body is invalid', async () => {
    const result = await batchHandler(proxyEvent({ body: { Attendees: 'nonsense' }, requestContext: asAlice }));
    expect(result.statusCode).toBe(403);
    expect(chime.calls()).toHaveLength(0);
  });

  it('answers 401 to a request without a token, before validation', async () => {
    const result = await createHandler(
      proxyEvent({ path: { MeetingId: 'not-a-guid' }, body: {}, requestContext: cognito(undefined) }),
    );
    expect(result.statusCode).toBe(401);
    expect(parseBody(result).Code).toBe('Unauthorized');
  });
});

describe('identities at the edges of each mode', () => {
  const withContext = (requestContext: Record<string, unknown>) => proxyEvent({ requestContext });

  it.each([
    ['userArn and caller', { userArn: 'arn:aws:iam::123456789012:user/a', caller: 'AIDA' }, { isAdmin: true }],
    ['only a userArn', { userArn: 'arn:aws:iam::123456789012:user/a', caller: null }, { isAdmin: true }],
    ['only a caller', { userArn: null, caller: 'AIDAEXAMPLE' }, { isAdmin: true }],
    ['empty strings for both', { userArn: '', caller: '' }, undefined],
    ['neither', { userArn: null, caller: null }, undefined],
  ])('iam: a signed caller is known by either of userArn and caller (%s)', (_, identity, expected) => {
    expect(callerIdentity(withContext({ identity }), config('iam'))).toEqual(expected);
  });

  it('iam: no request context at all, or one without an identity, is no identity', () => {
    expect(callerIdentity(proxyEvent({ requestId: null }), config('iam'))).toBeUndefined();
    const bare = proxyEvent();
    bare.requestContext = { requestId: 'req-1' } as typeof bare.requestContext;
    expect(callerIdentity(bare, config('iam'))).toBeUndefined();
  });

  it.each([
    ['a number', 42, 'false', undefined],
    ['an empty string', '', 'false', undefined],
    ['a number, from an administrator', 42, 'true', { externalUserId: undefined, isAdmin: true }],
    ['an empty string, from an administrator', '', true, { externalUserId: undefined, isAdmin: true }],
    ['a user id, isAdmin "TRUE"', 'alice', 'TRUE', { externalUserId: 'alice', isAdmin: false }],
    ['a user id, isAdmin 1', 'alice', 1, { externalUserId: 'alice', isAdmin: false }],
    ['a user id, isAdmin true', 'alice', true, { externalUserId: 'alice', isAdmin: true }],
  ])('custom: an externalUserId of %s', (_, externalUserId, isAdmin, expected) => {
    const event = withContext({ authorizer: { externalUserId, isAdmin }, identity: {} });
    expect(callerIdentity(event, config('custom'))).toEqual(expected);
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
  ])('cognito: a configured claim that is %s is no identity', (_, sub) => {
    const event = withContext({ authorizer: { claims: { sub, 'cognito:groups': ['admins'] } }, identity: {} });
    expect(callerIdentity(event, config('cognito'))).toBeUndefined();
  });

  it.each([
    [['admins'], true],
    [['users', 'admins'], true],
    [[7, 'admins'], true],
    [[7, null], false],
    [['users'], false],
    [[], false],
  ])('cognito: a cognito:groups claim that is already the list %j is taken as it is', (groups, isAdmin) => {
    const event = withContext({ authorizer: { claims: { sub: 'alice', 'cognito:groups': groups } }, identity: {} });
    expect(callerIdentity(event, config('cognito'))).toEqual({ externalUserId: 'alice', isAdmin });
  });

  it('cognito: an admin token with the same subject but a text claim the authorizer did not pass still counts', () => {
    // Claims only in the token are not compared: only those the two share must agree.
    const { requestContext } = cognitoRequest(['admins']);
    const token = jwt({ sub: 'alice', 'cognito:groups': ['admins'], nonce: 'only-in-the-token' });
    expect(
      callerIdentity(proxyEvent({ requestContext, headers: { Authorization: token } }), config('cognito')),
    ).toEqual({ externalUserId: 'alice', isAdmin: true });
  });

  it.each([
    ['without sub', { 'cognito:groups': ['admins'] }],
    ['with an empty sub', { sub: '', 'cognito:groups': ['admins'] }],
    ['with a sub that is not text', { sub: 1, 'cognito:groups': ['admins'] }],
    ['whose groups hold a non-string', { sub: 'alice', 'cognito:groups': ['admins', 1] }],
  ])('cognito: a token %s makes no administrator', (_, payload) => {
    const { requestContext } = cognitoRequest(['admins']);
    const event = proxyEvent({ requestContext, headers: { Authorization: jwt(payload) } });
    expect(callerIdentity(event, config('cognito'))).toEqual({ externalUserId: 'alice', isAdmin: false });
  });

  it('cognito: a lower-case "bearer" prefix is read too; a token of four parts is not', () => {
    const { requestContext } = cognitoRequest(['admins']);
    const token = jwt({ sub: 'alice', 'cognito:groups': ['admins'] });
    const isAdmin = (Authorization: string) =>
      callerIdentity(proxyEvent({ requestContext, headers: { Authorization } }), config('cognito'))?.isAdmin;
    expect(isAdmin(`bearer   ${token}`)).toBe(true);
    expect(isAdmin(`${token}.x`)).toBe(false);
  });

  it('cognito: a token whose payload decodes to something that is not JSON makes no administrator', () => {
    const { requestContext } = cognitoRequest(['admins']);
    const event = proxyEvent({
      requestContext,
      headers: { Authorization: `e30.${Buffer.from('abc').toString('base64url')}.c2ln` },
    });
    expect(callerIdentity(event, config('cognito'))).toEqual({ externalUserId: 'alice', isAdmin: false });
  });

  it('cognito: a multiValueHeaders entry that is one string, not a list, is read as that one value', () => {
    const { requestContext } = cognitoRequest(['admins']);
    const event = proxyEvent({ requestContext, headers: {} });
    event.multiValueHeaders = {
      Authorization: jwt({ sub: 'alice', 'cognito:groups': ['admins'] }) as unknown as string[],
    };
    expect(callerIdentity(event, config('cognito'))?.isAdmin).toBe(true);
  });

  it('cognito: reads the Authorization header from multiValueHeaders when API Gateway gives it there', () => {
    const { requestContext } = cognitoRequest(['admins']);
    const event = proxyEvent({ requestContext, headers: {} });
    event.multiValueHeaders = { authorization: [jwt({ sub: 'alice', 'cognito:groups': ['admins'] })] };
    expect(callerIdentity(event, config('cognito'))?.isAdmin).toBe(true);
  });
});

describe('authorize', () => {
  const routed = (path: Record<string, string>) => toJoinRequest(proxyEvent({ path }));

  it("lets a user look up their own attendees and refuses another user's, naming the rule", () => {
    const alice = { externalUserId: 'alice', isAdmin: false };
    const op = JoinServiceOperation.LIST_USER_ATTENDEES;
    expect(authorize(op, routed({ ExternalUserId: 'alice' }), alice)).toBe(alice);
    expect(() => authorize(op, routed({ ExternalUserId: 'bob' }), alice)).toThrow(
      "Only administrators may look up another user's attendees",
    );
  });

  it("leaves a user named in a host route's path to the handler: the host acts on another user (a ban)", () => {
    const host = { externalUserId: 'host', isAdmin: false };
    const op = JoinServiceOperation.DELETE_BAN;
    expect(authorize(op, routed({ MeetingId: MEETING_ID, ExternalUserId: 'bob' }), host)).toBe(host);
  });

  it('refuses an administrators-only route to a user with 403, and a missing identity with 401', () => {
    const alice = { externalUserId: 'alice', isAdmin: false };
    const op = JoinServiceOperation.LIST_ATTENDEES;
    expect(() => authorize(op, routed({ MeetingId: MEETING_ID }), alice)).toThrow(
      expect.objectContaining({ statusCode: 403, message: 'This route is for administrators only' }),
    );
    expect(() => authorize(op, routed({ MeetingId: MEETING_ID }), undefined)).toThrow(
      expect.objectContaining({ statusCode: 401, message: 'The request carries no identity this API accepts' }),
    );
  });
});

describe('administrators in cognito mode: the token and its header, exactly', () => {
  const admins = { 'cognito:groups': ['admins'] };
  const isAdmin = (event: ReturnType<typeof proxyEvent>, identityClaim = 'sub') =>
    callerIdentity(event, { mode: 'cognito', identityClaim, adminGroup: 'admins' })?.isAdmin;
  const withToken = (claims: Record<string, string>, token: string) =>
    proxyEvent({
      requestContext: cognito({ ...claims, 'cognito:groups': 'admins' }),
      headers: { Authorization: token },
    });

  it.each([
    ['"!" before it', (payload: string) => `!${payload}`],
    ['"!" after it', (payload: string) => `${payload}!`],
    [
      '"+" and "/" for its "-" and "_" (standard base64)',
      (payload: string) => payload.replace(/-/g, '+').replace(/_/g, '/'),
    ],
  ])(
    'refuses a payload with characters outside base64url (%s), which a lenient decoder would read alike',
    (_, spoil) => {
      // The nonce makes "-" and "_" appear in the encoded payload.
      const [header, payload, signature] = jwt({ sub: 'alice', ...admins, nonce: '>>>???' }).split('.');
      expect(payload).toMatch(/-.*_/);
      const read = (p: string) => isAdmin(withToken({ sub: 'alice' }, [header, p, signature].join('.')));
      expect(read(payload)).toBe(true);
      expect(read(spoil(payload))).toBe(false);
    },
  );

  it('refuses a payload that is JSON null, without failing', () => {
    const token = `e30.${Buffer.from('null').toString('base64url')}.c2ln`;
    expect(callerIdentity(withToken({ sub: 'alice' }, token), config('cognito'))).toEqual({
      externalUserId: 'alice',
      isAdmin: false,
    });
  });

  // With the ExternalUserId in another claim (email), the subject is still what ties the token to the claims.
  it.each([
    ['neither has a subject', {}, {}],
    ['both have an empty subject', { sub: '' }, { sub: '' }],
    ['the token has a subject the claims do not carry', {}, { sub: 'alice-sub' }],
  ])('refuses the token when %s', (_, claimsSub, tokenSub) => {
    const email = { email: 'alice@example.com' };
    const event = withToken({ ...email, ...claimsSub }, jwt({ ...email, ...tokenSub, ...admins }));
    expect(isAdmin(event, 'email')).toBe(false);
    // The same token and claims, both with the same subject, make an administrator.
    const same = withToken({ ...email, sub: 'alice-sub' }, jwt({ ...email, sub: 'alice-sub', ...admins }));
    expect(isAdmin(same, 'email')).toBe(true);
  });

  it('reads the Authorization header among the other headers of a request', () => {
    const event = withToken({ sub: 'alice' }, jwt({ sub: 'alice', ...admins }));
    event.headers = { Accept: 'application/json', 'Content-Type': 'application/json', ...event.headers, Host: 'x' };
    expect(isAdmin(event)).toBe(true);
  });

  it('counts no empty or absent Authorization value as a second header', () => {
    const token = jwt({ sub: 'alice', ...admins });
    const empty = withToken({ sub: 'alice' }, token);
    empty.headers = { Authorization: token, authorization: '' };
    expect(isAdmin(empty)).toBe(true);
    const absent = withToken({ sub: 'alice' }, token);
    absent.multiValueHeaders = { Authorization: [token], authorization: undefined };
    expect(isAdmin(absent)).toBe(true);
    // Two real values are two headers: which one API Gateway verified is unknown.
    absent.multiValueHeaders = { Authorization: [token], authorization: [token] };
    expect(isAdmin(absent)).toBe(false);
  });
});
