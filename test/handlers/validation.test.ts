// Every input rule of SERVICE.md "Validation", through the Lambda entries: each refusal must name the field,
// and must happen before any AWS call.
import {
  BatchCreateAttendeeCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  DeleteAttendeeCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  UpdateItemCommand,
  QueryCommand,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV, MAX_BODY_BYTES } from '../../lib/contract';
import { handler as batchHandler } from '../../lambda/batch-create-attendee';
import { handler as createHandler } from '../../lambda/create-attendee';
import { handler as deleteHandler } from '../../lambda/delete-attendee';
import { handler as listHandler } from '../../lambda/list-attendees';
import { handler as listUserHandler } from '../../lambda/list-user-attendees';
import { JoinServiceError } from '../../lambda/shared/errors';
import type { CallerIdentity, JoinRequest } from '../../lambda/shared/http';
import {
  attendeeInput,
  validateBatchCreateAttendee,
  validateCreateAttendee,
  validateDeleteAttendee,
  validateDeleteBan,
  validateListAttendees,
  validateListUserAttendees,
  validateUpdateAttendeeCapabilities,
  validateUpdateCapabilitiesExcept,
} from '../../lambda/shared/validation';
import {
  ATTENDEE_ID,
  captureLogs,
  chimeAttendee,
  type EventInput,
  MEETING,
  parseBody,
  proxyEvent,
  request,
  TABLE,
} from './fixtures';

process.env[ENV.tableName] = TABLE;
process.env[ENV.authMode] = 'iam';
const chime = mockClient(ChimeSDKMeetingsClient);
const dynamodb = mockClient(DynamoDBClient);

beforeEach(() => {
  captureLogs();
  chime.reset();
  dynamodb.reset();
  // The batch's look for banned users (the byMeeting index, filtered on BannedAt) finds none unless a test says so.
  dynamodb.on(QueryCommand, { FilterExpression: 'attribute_exists(#banned)' }).resolves({ Items: [] });
  chime.on(CreateAttendeeCommand).callsFake(async (input) => ({ Attendee: chimeAttendee(input.ExternalUserId) }));
  chime.on(GetMeetingCommand).resolves({ Meeting: MEETING });
  chime.on(BatchCreateAttendeeCommand).callsFake(async (input) => ({
    Attendees: input.Attendees.map((a: { ExternalUserId: string }, i: number) => chimeAttendee(a.ExternalUserId, i)),
    Errors: [],
  }));
  chime.on(ListAttendeesCommand).resolves({ Attendees: [] });
  chime.on(DeleteAttendeeCommand).resolves({});
  chime
    .on(GetAttendeeCommand)
    .callsFake(async (input) => ({ Attendee: { ...chimeAttendee('alice'), AttendeeId: input.AttendeeId } }));
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(GetItemCommand).resolves({}); // no ban: the join's look before Chime finds no item
  dynamodb.on(BatchWriteItemCommand).resolves({});
  dynamodb.on(QueryCommand).resolves({ Items: [] });
  dynamodb.on(DeleteItemCommand).resolves({});
});
afterEach(() => jest.restoreAllMocks());

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
interface Refusal {
  name: string;
  input: EventInput;
  /** Must appear in the message: the field and (where it helps) the rule. */
  field: string;
  status?: number;
  code?: string;
}
interface Acceptance {
  name: string;
  input: EventInput;
}

async function expectRefused(handler: Handler, { input, field, status = 400, code = 'BadRequest' }: Refusal) {
  const result = await handler(proxyEvent(input));
  const body = parseBody(result);
  expect({ status: result.statusCode, code: body.Code }).toEqual({ status, code });
  expect(body.Message).toContain(field);
  expect(body.RequestId).toBe('req-1');
  expect(chime.calls()).toHaveLength(0);
  expect(dynamodb.calls()).toHaveLength(0);
}

async function expectAccepted(handler: Handler, { input }: Acceptance, status: number) {
  const result = await handler(proxyEvent(input));
  expect({ status: result.statusCode, body: result.statusCode === status ? '' : result.body }).toEqual({
    status,
    body: '',
  });
}

const a = (n: number, ch = 'a') => ch.repeat(n);
const caps = (Audio: string, Video: string, Content: string) => ({ Audio, Video, Content });
const join = (fields: Record<string, unknown>) => ({ body: { ExternalUserId: 'alice', ...fields } });
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
/** A JSON body of exactly `bytes` bytes that is valid for create (padded with JSON whitespace). */
const paddedBody = (bytes: number) => {
  const json = '{"ExternalUserId":"alice"}';
  return json + ' '.repeat(bytes - json.length);
};

describe('create: refusals', () => {
  const refusals: Refusal[] = [
    {
      name: 'a MeetingId that is not a GUID',
      input: { path: { MeetingId: 'not-a-guid' }, ...join({}) },
      field: 'MeetingId must be a GUID',
    },
    {
      name: 'a MeetingId with a non-hex digit',
      input: { path: { MeetingId: MEETING.MeetingId.replace(/^./, 'g') }, ...join({}) },
      field: 'MeetingId',
    },
    { name: 'a missing MeetingId', input: { path: {}, ...join({}) }, field: 'MeetingId is required' },
    { name: 'a missing ExternalUserId', input: { body: {} }, field: 'ExternalUserId is required' },
    { name: 'an absent body', input: {}, field: 'ExternalUserId is required' },
    // An empty body is no body (not invalid JSON), so the caller learns which field is required.
    { name: 'an empty body', input: { body: '' }, field: 'ExternalUserId is required' },
    {
      name: 'a 1-character ExternalUserId',
      input: join({ ExternalUserId: 'a' }),
      field: 'ExternalUserId must be 2 to 64 characters',
    },
    {
      name: 'a 65-character ExternalUserId',
      input: join({ ExternalUserId: a(65) }),
      field: 'ExternalUserId must be 2 to 64 characters',
    },
    { name: 'a numeric ExternalUserId', input: join({ ExternalUserId: 42 }), field: 'ExternalUserId must be a string' },
    {
      name: 'an ExternalUserId with an emoji',
      input: join({ ExternalUserId: 'alice😀' }),
      field: 'ExternalUserId may contain only',
    },
    {
      name: 'an ExternalUserId with <',
      input: join({ ExternalUserId: '<script>' }),
      field:
        'ExternalUserId may contain only letters (a-z, A-Z, À-ÿ), digits, -_&@+=,(){}[]/«».:|\'"# and spaces, ' +
        'neither first nor last (no other whitespace)',
    },
    {
      name: 'an ExternalUserId with ¿ (just below À)',
      input: join({ ExternalUserId: 'ab¿' }),
      field: 'ExternalUserId may contain only',
    },
    // Chime's pattern admits any whitespace (\s); ours only the plain space inside, so no look-alike or invisible ids.
    ...[
      ['a byte order mark (U+FEFF) before', '\ufeffalice'],
      ['a no-break space (U+00A0)', 'al\u00a0ice'],
      ['an en quad (U+2000)', 'al\u2000ice'],
      ['a hair space (U+200A)', 'al\u200aice'],
      ['a line separator (U+2028)', 'al\u2028ice'],
      ['an ideographic space (U+3000)', 'al\u3000ice'],
      ['a tab', 'al\tice'],
      ['a newline', 'al\nice'],
      ['a leading space', ' alice'],
      ['a trailing space', 'alice '],
    ].map(([what, id]) => ({
      name: `an ExternalUserId with ${what}`,
      input: join({ ExternalUserId: id }),
      field: 'ExternalUserId may contain only',
    })),
    {
      name: 'the aws: prefix',
      input: join({ ExternalUserId: 'aws:alice' }),
      field: 'ExternalUserId must not begin with "aws:"',
    },
    {
      name: 'the AWS: prefix',
      input: join({ ExternalUserId: 'AWS:alice' }),
      field: 'ExternalUserId must not begin with "aws:"',
    },
    {
      name: 'the aWs: prefix',
      input: join({ ExternalUserId: 'aWs:alice' }),
      field: 'ExternalUserId must not begin with "aws:"',
    },
    {
      name: 'Capabilities without Content',
      input: join({ Capabilities: { Audio: 'None', Video: 'None' } }),
      field: 'Capabilities.Content is required',
    },
    {
      name: 'Capabilities without Audio',
      input: join({ Capabilities: { Video: 'None', Content: 'None' } }),
      field: 'Capabilities.Audio is required',
    },
    {
      name: 'a capability outside the enum',
      input: join({ Capabilities: caps('Loud', 'None', 'None') }),
      field: 'Capabilities.Audio must be one of SendReceive, Send, Receive, None',
    },
    {
      name: 'a lower-case capability',
      input: join({ Capabilities: caps('None', 'receive', 'None') }),
      field: 'Capabilities.Video must be one of',
    },
    {
      name: 'Content Receive with Video None',
      input: join({ Capabilities: caps('None', 'None', 'Receive') }),
      field: 'Capabilities.Content may be SendReceive or Receive only when Capabilities.Video',
    },
    {
      name: 'Content SendReceive with Video Send',
      input: join({ Capabilities: caps('None', 'Send', 'SendReceive') }),
      field: 'Capabilities.Content',
    },
    { name: 'Capabilities null', input: join({ Capabilities: null }), field: 'Capabilities must be a JSON object' },
    {
      name: 'Capabilities as an array',
      input: join({ Capabilities: ['Audio'] }),
      field: 'Capabilities must be a JSON object',
    },
    {
      name: 'an unknown capability',
      input: join({ Capabilities: { ...caps('None', 'None', 'None'), Screen: 'None' } }),
      field: 'Capabilities.Screen is not a known field',
    },
    {
      name: 'an unknown top-level field',
      input: join({ Role: 'admin' }),
      field: 'Role is not a known field (expected ExternalUserId, Capabilities, Tags)',
    },
    {
      // Cut after 64 characters (code points: never half an emoji), so a huge name makes no huge message.
      name: 'an unknown field with a 65-character name',
      input: join({ [`${a(64, '🎉')}x`]: 1 }),
      field: `${a(64, '🎉')}… is not a known field (expected ExternalUserId, Capabilities, Tags)`,
    },
    {
      name: 'an unknown field with a 64-character name',
      input: join({ [a(64, '🎉')]: 1 }),
      field: `${a(64, '🎉')} is not a known field`,
    },
    {
      name: 'a body MeetingId (not a body field)',
      input: join({ MeetingId: MEETING.MeetingId }),
      field: 'MeetingId is not a known field',
    },
    { name: '11 tags', input: join({ Tags: tags(11) }), field: 'Tags must have at most 10 items' },
    {
      name: 'Tags that are not an array',
      input: join({ Tags: { Key: 'k', Value: 'v' } }),
      field: 'Tags must be an array',
    },
    { name: 'a tag that is not an object', input: join({ Tags: ['k=v'] }), field: 'Tags[0] must be a JSON object' },
    {
      name: 'an empty tag Key',
      input: join({ Tags: [{ Key: '', Value: 'v' }] }),
      field: 'Tags[0].Key must be 1 to 128 characters',
    },
    {
      name: 'a 129-character tag Key',
      input: join({ Tags: [{ Key: a(129), Value: 'v' }] }),
      field: 'Tags[0].Key must be 1 to 128 characters',
    },
    {
      name: 'a tag Key of 129 emoji',
      input: join({ Tags: [{ Key: a(129, '🎉'), Value: 'v' }] }),
      field: 'Tags[0].Key',
    },
    {
      name: 'an empty tag Value',
      input: join({ Tags: [{ Key: 'k', Value: '' }] }),
      field: 'Tags[0].Value must be 1 to 256 characters',
    },
    {
      name: 'a 257-character tag Value',
      input: join({ Tags: [tags(1)[0], { Key: 'x', Value: a(257) }] }),
      field: 'Tags[1].Value must be 1 to 256 characters',
    },
    { name: 'a tag without Value', input: join({ Tags: [{ Key: 'k' }] }), field: 'Tags[0].Value is required' },
    {
      name: 'a duplicate tag Key',
      input: join({ Tags: [...tags(2), { Key: 'k0', Value: 'again' }] }),
      field: 'Tags[2].Key duplicates Tags[0].Key',
    },
    {
      name: 'an unknown tag field',
      input: join({ Tags: [{ Key: 'k', Value: 'v', Color: 'red' }] }),
      field: 'Tags[0].Color is not a known field',
    },
    // API Gateway validates a body against the model only for the content types it is registered for; a cross-site
    // form posts text/plain without a preflight. Whatever the body, its content type must say JSON.
    ...[
      ['text/plain', { 'content-type': 'text/plain' }],
      ['text/plain;charset=UTF-8 (what fetch sends for a string body)', { 'content-type': 'text/plain;charset=UTF-8' }],
      ['application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['multipart/form-data', { 'content-type': 'multipart/form-data; boundary=x' }],
      ['application/jsonp (a prefix of json)', { 'content-type': 'application/jsonp' }],
      ['text/x+json (+json outside application/)', { 'content-type': 'text/x+json' }],
      ['no content type', {}],
    ].map(([what, headers]) => ({
      name: `a JSON body sent as ${what as string}`,
      input: { ...join({}), headers: headers as Record<string, string> },
      field: 'Content-Type: application/json',
      status: 415,
      code: 'UnsupportedMediaType',
    })),
    {
      name: 'a body that is not JSON',
      input: { body: '{"ExternalUserId": "alice"' },
      field: 'body must be valid JSON',
    },
    { name: 'a JSON array body', input: { body: '[]' }, field: 'body must be a JSON object' },
    { name: 'a JSON string body', input: { body: '"alice"' }, field: 'body must be a JSON object' },
    { name: 'a JSON null body', input: { body: 'null' }, field: 'body must be a JSON object' },
    {
      name: 'a body of 64 KiB + 1 byte',
      input: { body: paddedBody(MAX_BODY_BYTES + 1) },
      field: 'body',
      status: 413,
      code: 'PayloadTooLarge',
    },
    {
      name: 'a base64 body of 64 KiB + 1 byte',
      input: { body: paddedBody(MAX_BODY_BYTES + 1), base64: true },
      field: 'body',
      status: 413,
      code: 'PayloadTooLarge',
    },
    {
      // 33,000 two-byte characters: under 64 Ki UTF-16 units but over 64 KiB, so bytes are what is measured.
      name: 'a body under 64 Ki characters but over 64 KiB',
      input: { body: `{"ExternalUserId":"alice","Note":"${a(33000, 'é')}"}` },
      field: 'body must be at most 65536 bytes',
      status: 413,
      code: 'PayloadTooLarge',
    },
    {
      name: 'a query parameter',
      input: { ...join({}), query: { force: 'true' } },
      field: 'query parameter force is not supported (this route takes none)',
    },
  ];
  it.each(refusals)('refuses $name', (refusal) => expectRefused(createHandler, refusal));

  it('refuses a base64 body whose bytes are not UTF-8', async () => {
    const event = proxyEvent({ headers: { 'content-type': 'application/json' } });
    event.body = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]).toString('base64');
    event.isBase64Encoded = true;
    const result = await createHandler(event);
    expect(result.statusCode).toBe(400);
    expect(parseBody(result).Message).toContain('body must be UTF-8');
    expect(chime.calls()).toHaveLength(0);
  });
});

describe('create: acceptances', () => {
  const acceptances: Acceptance[] = [
    { name: 'a 2-character ExternalUserId', input: join({ ExternalUserId: 'ab' }) },
    { name: 'a 64-character ExternalUserId', input: join({ ExternalUserId: a(64) }) },
    { name: 'an ExternalUserId of 64 À-ÿ letters', input: join({ ExternalUserId: a(32, 'Àÿ') }) },
    { name: 'accented names with spaces', input: join({ ExternalUserId: 'Élodie Ñandú Øre' }) },
    { name: 'every punctuation the pattern allows', input: join({ ExternalUserId: `-_&@+=,(){}[]/«».:|'"#` }) },
    { name: 'two spaces inside an ExternalUserId', input: join({ ExternalUserId: 'Ann  Lee' }) },
    {
      name: 'application/json with a charset, in any letter case',
      input: { ...join({}), headers: { 'Content-Type': 'Application/JSON; charset=utf-8' } },
    },
    {
      name: 'application/json with a space before its parameters',
      input: { ...join({}), headers: { 'content-type': 'application/json ; charset=utf-8' } },
    },
    {
      name: 'a JSON-based media type (+json)',
      input: { ...join({}), headers: { 'content-type': 'application/vnd.api+json' } },
    },
    { name: 'aws: not at the start', input: join({ ExternalUserId: 'x-aws:alice' }) },
    { name: 'aws without the colon', input: join({ ExternalUserId: 'AWSalice' }) },
    { name: 'an upper-case MeetingId', input: { path: { MeetingId: MEETING.MeetingId.toUpperCase() }, ...join({}) } },
    { name: 'Video Receive with Content Receive', input: join({ Capabilities: caps('None', 'Receive', 'Receive') }) },
    {
      name: 'Video SendReceive with Content SendReceive',
      input: join({ Capabilities: caps('Send', 'SendReceive', 'SendReceive') }),
    },
    { name: 'Video None with Content Send', input: join({ Capabilities: caps('Receive', 'None', 'Send') }) },
    { name: 'Video Send with Content None', input: join({ Capabilities: caps('SendReceive', 'Send', 'None') }) },
    { name: 'no tags', input: join({ Tags: [] }) },
    { name: '10 tags', input: join({ Tags: tags(10) }) },
    { name: 'a 128-character Key and a 256-character Value', input: join({ Tags: [{ Key: a(128), Value: a(256) }] }) },
    { name: 'a Key of 128 emoji (256 UTF-16 units)', input: join({ Tags: [{ Key: a(128, '🎉'), Value: 'v' }] }) },
    {
      name: 'tag Keys differing only in case',
      input: join({
        Tags: [
          { Key: 'k', Value: '1' },
          { Key: 'K', Value: '2' },
        ],
      }),
    },
    { name: 'a body of exactly 64 KiB', input: { body: paddedBody(MAX_BODY_BYTES) } },
    { name: 'a base64 body of exactly 64 KiB', input: { body: paddedBody(MAX_BODY_BYTES), base64: true } },
  ];
  it.each(acceptances)('accepts $name', async (acceptance) => {
    await expectAccepted(createHandler, acceptance, 201);
    const { body } = acceptance.input;
    const sent = typeof body === 'string' ? JSON.parse(body) : body;
    expect(chime.commandCalls(CreateAttendeeCommand)[0].args[0].input.ExternalUserId).toBe(sent.ExternalUserId);
  });
});

describe('batch: refusals and acceptances', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ ExternalUserId: `user-${i}` }));
  const refusals: Refusal[] = [
    {
      name: 'a MeetingId that is not a GUID',
      input: { path: { MeetingId: 'x' }, body: { Attendees: items(1) } },
      field: 'MeetingId',
    },
    { name: 'no Attendees', input: { body: {} }, field: 'Attendees is required' },
    {
      name: 'Attendees that are not an array',
      input: { body: { Attendees: {} } },
      field: 'Attendees must be an array',
    },
    { name: '0 items', input: { body: { Attendees: [] } }, field: 'Attendees must have 1 to 250 items' },
    { name: '251 items', input: { body: { Attendees: items(251) } }, field: 'Attendees must have 1 to 250 items' },
    {
      name: 'a duplicate ExternalUserId',
      input: { body: { Attendees: [...items(3), { ExternalUserId: 'user-1' }] } },
      field: 'Attendees[3].ExternalUserId duplicates Attendees[1].ExternalUserId',
    },
    {
      name: 'an item with a 1-character ExternalUserId',
      input: { body: { Attendees: [...items(3), { ExternalUserId: 'x' }] } },
      field: 'Attendees[3].ExternalUserId must be 2 to 64 characters',
    },
    {
      name: 'an item without ExternalUserId',
      input: { body: { Attendees: [{}] } },
      field: 'Attendees[0].ExternalUserId is required',
    },
    {
      name: 'an item with the AWS: prefix',
      input: { body: { Attendees: [{ ExternalUserId: 'Aws:x' }] } },
      field: 'Attendees[0].ExternalUserId must not begin',
    },
    {
      name: 'an item that is not an object',
      input: { body: { Attendees: ['alice'] } },
      field: 'Attendees[0] must be a JSON object',
    },
    {
      name: 'an unknown item field',
      input: { body: { Attendees: [{ ExternalUserId: 'ab', Name: 'A' }] } },
      field: 'Attendees[0].Name is not a known field',
    },
    {
      name: 'an unknown capability in an item',
      input: {
        body: { Attendees: [{ ExternalUserId: 'ab', Capabilities: { ...caps('None', 'None', 'None'), X: 1 } }] },
      },
      field: 'Attendees[0].Capabilities.X is not a known field',
    },
    {
      name: 'the capability corner rule in an item',
      input: {
        body: { Attendees: [...items(2), { ExternalUserId: 'ab', Capabilities: caps('None', 'Send', 'Receive') }] },
      },
      field: 'Attendees[2].Capabilities.Content',
    },
    {
      name: 'a too-long tag Value in an item',
      input: { body: { Attendees: [{ ExternalUserId: 'ab', Tags: [{ Key: 'k', Value: a(257) }] }] } },
      field: 'Attendees[0].Tags[0].Value must be 1 to 256 characters',
    },
    {
      name: 'an unknown top-level field',
      input: { body: { Attendees: items(1), DryRun: true } },
      field: 'DryRun is not a known field (expected Attendees)',
    },
    { name: 'a body that is not JSON', input: { body: 'Attendees=1' }, field: 'body must be valid JSON' },
    {
      name: 'a query parameter',
      input: { body: { Attendees: items(1) }, query: { async: 'true' } },
      field: 'query parameter async is not supported (this route takes none)',
    },
    {
      name: 'a body over 64 KiB',
      input: { body: `{"Attendees":[]}${' '.repeat(MAX_BODY_BYTES)}` },
      field: 'body',
      status: 413,
      code: 'PayloadTooLarge',
    },
  ];
  it.each(refusals)('refuses $name', (refusal) => expectRefused(batchHandler, refusal));

  it.each([1, 250])('accepts %i items', async (n) => {
    await expectAccepted(batchHandler, { name: '', input: { body: { Attendees: items(n) } } }, 200);
  });
});

describe('list: refusals and acceptances', () => {
  const list = (query: Record<string, string>) => ({ query });
  const refusals: Refusal[] = [
    { name: 'a MeetingId that is not a GUID', input: { path: { MeetingId: '123' } }, field: 'MeetingId' },
    ...['0', '101', '5.5', '05x', '', '-1', '1e2', ' 5', '0x10', '1000000000000'].map((value) => ({
      name: `max-results "${value}"`,
      input: list({ 'max-results': value }),
      field: 'max-results must be an integer from 1 to 100',
    })),
    {
      name: 'a 4097-character next-token',
      input: list({ 'next-token': a(4097) }),
      field: 'next-token must be 1 to 4096 characters',
    },
    {
      name: 'an empty next-token',
      input: list({ 'next-token': '' }),
      field: 'next-token must be 1 to 4096 characters',
    },
    {
      name: 'an unknown query parameter',
      input: list({ limit: '10' }),
      field: 'query parameter limit is not supported (expected max-results, next-token)',
    },
    { name: 'a camel-case MaxResults', input: list({ MaxResults: '10' }), field: 'query parameter MaxResults' },
  ];
  it.each(refusals)('refuses $name', (refusal) => expectRefused(listHandler, refusal));

  it.each([
    ['1', 1],
    ['100', 100],
    ['050', 50],
  ])('accepts max-results "%s"', async (value, expected) => {
    await expectAccepted(listHandler, { name: '', input: list({ 'max-results': value }) }, 200);
    expect(chime.commandCalls(ListAttendeesCommand)[0].args[0].input.MaxResults).toBe(expected);
  });

  it('accepts a 4096-character next-token and passes it on', async () => {
    await expectAccepted(listHandler, { name: '', input: list({ 'next-token': a(4096) }) }, 200);
    expect(chime.commandCalls(ListAttendeesCommand)[0].args[0].input.NextToken).toBe(a(4096));
  });
});

describe('user lookup: refusals and acceptances', () => {
  const user = (ExternalUserId: string | undefined, query?: Record<string, string>) => ({
    path: { ExternalUserId },
    query,
  });
  const refusals: Refusal[] = [
    { name: 'a 1-character ExternalUserId', input: user('a'), field: 'ExternalUserId must be 2 to 64 characters' },
    { name: 'a 65-character ExternalUserId', input: user(a(65)), field: 'ExternalUserId must be 2 to 64 characters' },
    { name: 'the AwS: prefix', input: user('AwS:bob'), field: 'ExternalUserId must not begin with "aws:"' },
    {
      name: 'a percent-encoded aws: prefix',
      input: user('aws%3Abob'),
      field: 'ExternalUserId must not begin with "aws:"',
    },
    {
      name: 'a percent-encoded emoji',
      input: user(encodeURIComponent('bob😀')),
      field: 'ExternalUserId may contain only',
    },
    { name: 'a malformed escape', input: user('bob%zz'), field: 'ExternalUserId may contain only' },
    { name: 'a missing ExternalUserId', input: user(undefined), field: 'ExternalUserId is required' },
    {
      name: 'a query parameter',
      input: user('bob', { all: 'true' }),
      field: 'query parameter all is not supported (this route takes none)',
    },
  ];
  it.each(refusals)('refuses $name', (refusal) => expectRefused(listUserHandler, refusal));

  it.each([
    ['alice', 'alice'],
    [a(64), a(64)],
    ['alice%20smith', 'alice smith'],
    ['%C3%89lodie', 'Élodie'],
  ])('accepts %s', async (raw, decoded) => {
    await expectAccepted(listUserHandler, { name: '', input: user(raw) }, 200);
    expect(dynamodb.commandCalls(QueryCommand)[0].args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': { S: decoded },
    });
  });
});

describe('delete: refusals and acceptances', () => {
  const ids = (MeetingId: string | undefined, AttendeeId: string | undefined) => ({ path: { MeetingId, AttendeeId } });
  const refusals: Refusal[] = [
    { name: 'a MeetingId that is not a GUID', input: ids('m', ATTENDEE_ID), field: 'MeetingId must be a GUID' },
    {
      name: 'an AttendeeId that is not a GUID',
      input: ids(MEETING.MeetingId, `${ATTENDEE_ID}0`),
      field: 'AttendeeId must be a GUID',
    },
    { name: 'a missing AttendeeId', input: ids(MEETING.MeetingId, undefined), field: 'AttendeeId is required' },
    {
      name: 'a query parameter',
      input: { ...ids(MEETING.MeetingId, ATTENDEE_ID), query: { soft: '1' } },
      field: 'query parameter soft is not supported (expected ban)',
    },
  ];
  it.each(refusals)('refuses $name', (refusal) => expectRefused(deleteHandler, refusal));

  it('accepts two GUIDs', () =>
    expectAccepted(deleteHandler, { name: '', input: ids(MEETING.MeetingId, ATTENDEE_ID) }, 204));
});

/**
 * The validators of the routes whose handlers need more than this file's mocks (host checks, the meeting table),
 * called directly: each refusal is a 400 (or 403) with exactly this message, and an acceptance is exactly this input.
 */
describe('validators called directly: exact messages and results', () => {
  const OTHER_ID = '0f9a8b7c-6d5e-4f3a-8b2c-1d0e9f8a7b33';
  const GUID_RULE = 'must be a GUID (8-4-4-4-12 hexadecimal digits)';
  const CAPS = caps('SendReceive', 'Receive', 'None');
  interface Call {
    path?: Record<string, string | undefined>;
    query?: Record<string, string>;
    body?: unknown;
    identity?: CallerIdentity;
  }
  const call = ({ path = { MeetingId: MEETING.MeetingId }, query = {}, body, identity }: Call) =>
    request({
      pathParameters: path,
      queryStringParameters: query,
      body: body === undefined ? null : JSON.stringify(body),
      ...(identity && { identity }),
    });
  /** What the validator throws for the request: status, code and message. */
  function refusal(validate: (r: JoinRequest) => unknown, input: Call) {
    try {
      validate(call(input));
    } catch (error) {
      if (!(error instanceof JoinServiceError)) throw error;
      return { status: error.statusCode, code: error.code, message: error.message };
    }
    throw new Error('accepted');
  }
  const badRequest = (message: string) => ({ status: 400, code: 'BadRequest', message });

  it.each<[string, (r: JoinRequest) => unknown, Call, string]>([
    ['create', validateCreateAttendee, { body: { ExternalUserId: 'alice' } }, 'this route takes none'],
    [
      'batch',
      validateBatchCreateAttendee,
      { body: { Attendees: [{ ExternalUserId: 'alice' }] } },
      'this route takes none',
    ],
    ['list', validateListAttendees, {}, 'expected max-results, next-token'],
    ['user lookup', validateListUserAttendees, { path: { ExternalUserId: 'alice' } }, 'this route takes none'],
    [
      'delete',
      validateDeleteAttendee,
      { path: { MeetingId: MEETING.MeetingId, AttendeeId: ATTENDEE_ID } },
      'expected ban',
    ],
  ])('%s: an unknown query parameter is refused, naming those the route takes', (_, validate, input, expected) => {
    expect(refusal(validate, { ...input, query: { x: '1' } })).toEqual(
      badRequest(`query parameter x is not supported (${expected})`),
    );
  });

  it('batch: an unknown top-level field is refused, naming the one field expected', () => {
    expect(refusal(validateBatchCreateAttendee, { body: { Attendees: [], DryRun: true } })).toEqual(
      badRequest('DryRun is not a known field (expected Attendees)'),
    );
  });

  it('an ExternalUserId with a character outside the pattern is refused, stating the whole rule', () => {
    expect(refusal(validateCreateAttendee, { body: { ExternalUserId: 'a\tb' } })).toEqual(
      badRequest(
        `ExternalUserId may contain only letters (a-z, A-Z, À-ÿ), digits, -_&@+=,(){}[]/«».:|'"# and spaces, ` +
          'neither first nor last (no other whitespace)',
      ),
    );
  });

  describe('DELETE an attendee: ?ban', () => {
    const path = { MeetingId: MEETING.MeetingId, AttendeeId: ATTENDEE_ID };
    it.each([
      ['true', true],
      ['false', false],
      [undefined, false],
    ])('reads ban=%p as %p', (ban, expected) => {
      const query: Record<string, string> = ban === undefined ? {} : { ban };
      expect(validateDeleteAttendee(call({ path, query }))).toEqual({
        meetingId: MEETING.MeetingId,
        attendeeId: ATTENDEE_ID,
        ban: expected,
      });
    });

    it.each(['TRUE', '1', ''])('refuses ban=%p', (ban) => {
      expect(refusal(validateDeleteAttendee, { path, query: { ban } })).toEqual(
        badRequest('ban must be true or false'),
      );
    });
  });

  describe("PUT one attendee's capabilities", () => {
    const path = { MeetingId: MEETING.MeetingId, AttendeeId: ATTENDEE_ID };
    const validate = validateUpdateAttendeeCapabilities;

    it('accepts the three capabilities and answers them with both ids', () => {
      expect(validate(call({ path, body: { Capabilities: CAPS } }))).toEqual({
        meetingId: MEETING.MeetingId,
        attendeeId: ATTENDEE_ID,
        capabilities: CAPS,
      });
    });

    it.each<[string, Call, string]>([
      ['a MeetingId that is not a GUID', { path: { ...path, MeetingId: 'm' } }, `MeetingId ${GUID_RULE}`],
      ['an AttendeeId that is not a GUID', { path: { ...path, AttendeeId: 'a' } }, `AttendeeId ${GUID_RULE}`],
      [
        'a query parameter',
        { path, query: { force: '1' }, body: { Capabilities: CAPS } },
        'query parameter force is not supported (this route takes none)',
      ],
      [
        'an unknown field',
        { path, body: { Capabilities: CAPS, Reason: 'x' } },
        'Reason is not a known field (expected Capabilities)',
      ],
      ['no Capabilities', { path, body: {} }, 'Capabilities is required'],
      [
        'a capability outside the enum',
        { path, body: { Capabilities: { ...CAPS, Video: 'On' } } },
        'Capabilities.Video must be one of SendReceive, Send, Receive, None',
      ],
    ])('refuses %s', (_, input, message) => {
      expect(refusal(validate, input)).toEqual(badRequest(message));
    });
  });

  describe("PUT every attendee's capabilities but the excluded ones'", () => {
    const validate = validateUpdateCapabilitiesExcept;
    const excluded = (n: number) => Array.from({ length: n }, () => ({ AttendeeId: ATTENDEE_ID }));

    it.each([1, 250])('accepts %i excluded attendees and answers their ids in order', (n) => {
      const ExcludedAttendeeIds = [{ AttendeeId: OTHER_ID }, ...excluded(n - 1)];
      expect(validate(call({ body: { Capabilities: CAPS, ExcludedAttendeeIds } }))).toEqual({
        meetingId: MEETING.MeetingId,
        capabilities: CAPS,
        excludedAttendeeIds: [OTHER_ID, ...Array(n - 1).fill(ATTENDEE_ID)],
      });
    });

    it.each<[string, Call, string]>([
      ['a MeetingId that is not a GUID', { path: { MeetingId: 'm' } }, `MeetingId ${GUID_RULE}`],
      [
        'a query parameter',
        { query: { all: '1' }, body: { Capabilities: CAPS, ExcludedAttendeeIds: excluded(1) } },
        'query parameter all is not supported (this route takes none)',
      ],
      [
        'an unknown field',
        { body: { Capabilities: CAPS, ExcludedAttendeeIds: excluded(1), Except: [] } },
        'Except is not a known field (expected Capabilities, ExcludedAttendeeIds)',
      ],
      ['no Capabilities', { body: { ExcludedAttendeeIds: excluded(1) } }, 'Capabilities is required'],
      [
        'a capability outside the enum',
        { body: { Capabilities: { ...CAPS, Audio: 'Loud' }, ExcludedAttendeeIds: excluded(1) } },
        'Capabilities.Audio must be one of SendReceive, Send, Receive, None',
      ],
      ['no ExcludedAttendeeIds', { body: { Capabilities: CAPS } }, 'ExcludedAttendeeIds is required'],
      [
        'ExcludedAttendeeIds that are not an array',
        { body: { Capabilities: CAPS, ExcludedAttendeeIds: { AttendeeId: ATTENDEE_ID } } },
        'ExcludedAttendeeIds must be an array',
      ],
      [
        '0 excluded attendees',
        { body: { Capabilities: CAPS, ExcludedAttendeeIds: [] } },
        'ExcludedAttendeeIds must have 1 to 250 items',
      ],
      [
        '251 excluded attendees',
        { body: { Capabilities: CAPS, ExcludedAttendeeIds: excluded(251) } },
        'ExcludedAttendeeIds must have 1 to 250 items',
      ],
      [
        'an excluded attendee that is not a JSON object',
        { body: { Capabilities: CAPS, ExcludedAttendeeIds: [ATTENDEE_ID] } },
        'ExcludedAttendeeIds[0] must be a JSON object',
      ],
      [
        'an excluded attendee with an unknown field',
        { body: { Capabilities: CAPS, ExcludedAttendeeIds: [{ AttendeeId: ATTENDEE_ID, Id: 1 }] } },
        'ExcludedAttendeeIds[0].Id is not a known field (expected AttendeeId)',
      ],
      [
        'an excluded AttendeeId that is not a GUID',
        { body: { Capabilities: CAPS, ExcludedAttendeeIds: [...excluded(1), { AttendeeId: 'x' }] } },
        `ExcludedAttendeeIds[1].AttendeeId ${GUID_RULE}`,
      ],
    ])('refuses %s', (_, input, message) => {
      expect(refusal(validate, input)).toEqual(badRequest(message));
    });
  });

  describe('DELETE a ban', () => {
    const validate = validateDeleteBan;

    it('accepts a GUID and an ExternalUserId', () => {
      expect(validate(call({ path: { MeetingId: MEETING.MeetingId, ExternalUserId: 'bob' } }))).toEqual({
        meetingId: MEETING.MeetingId,
        externalUserId: 'bob',
      });
    });

    it.each<[string, Call, string]>([
      ['a MeetingId that is not a GUID', { path: { MeetingId: 'm', ExternalUserId: 'bob' } }, `MeetingId ${GUID_RULE}`],
      [
        'a 1-character ExternalUserId',
        { path: { MeetingId: MEETING.MeetingId, ExternalUserId: 'b' } },
        'ExternalUserId must be 2 to 64 characters',
      ],
      [
        'a query parameter',
        { path: { MeetingId: MEETING.MeetingId, ExternalUserId: 'bob' }, query: { all: '1' } },
        'query parameter all is not supported (this route takes none)',
      ],
    ])('refuses %s', (_, input, message) => {
      expect(refusal(validate, input)).toEqual(badRequest(message));
    });
  });

  describe('Tags set by a user who is not an administrator', () => {
    const user = { externalUserId: 'alice', isAdmin: false };
    const forbidden = (message: string) => ({ status: 403, code: 'Forbidden', message });

    it('are refused with 403, naming the field; an administrator may set them', () => {
      const body = { Tags: [{ Key: 'role', Value: 'host' }] };
      expect(refusal(validateCreateAttendee, { body, identity: user })).toEqual(
        forbidden('Tags may be set by administrators only'),
      );
      expect(() => attendeeInput(body, 'Attendees[0]', user)).toThrow(
        'Attendees[0].Tags may be set by administrators only',
      );
      expect(validateCreateAttendee(call({ body, identity: { ...user, isAdmin: true } })).attendee).toEqual({
        externalUserId: 'alice',
        capabilities: undefined,
        tags: [{ Key: 'role', Value: 'host' }],
      });
    });
  });
});
