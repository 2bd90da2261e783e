// The script of the pages test/local/browser.test.ts loads in Chromium, bundled for the browser with esbuild. A
// frontend's join: POST /join with the identity header, then amazon-chime-sdk-js's MeetingSessionConfiguration
// from the answer. And what a hostile page tries against local mode's three servers, reporting what it could read.
// The class comes from its own module: the package's index also pulls in Node-only AWS SDK code esbuild cannot
// bundle for a browser; it is the class the index exports.
import MeetingSessionConfiguration from 'amazon-chime-sdk-js/build/meetingsession/MeetingSessionConfiguration';

/** What the page got from a join: the configuration's own fields, as the SDK read them from the answer. */
export interface JoinResult {
  readonly status: number;
  readonly meetingId: string | null;
  readonly externalMeetingId: string | null;
  readonly attendeeId: string | null;
  readonly externalUserId: string | null;
  readonly joinToken: string | null;
  readonly signalingUrl: string | null;
}

/** One attempt of a hostile page: what it could read of the answer (nothing: `read` undefined), or its error. */
export interface Attempt {
  readonly name: string;
  /** The answer's status and body when the page could read them. */
  readonly read?: { readonly status: number; readonly body: string };
  /** `opaque` (a no-cors answer: sent, unreadable) or the fetch error (a CORS refusal). */
  readonly outcome: string;
}

export interface Targets {
  /** Local mode's API, as the page addresses it. */
  readonly api: string;
  readonly emulator: string;
  readonly dynalite: string;
  readonly tableName: string;
}

const IDENTITY_HEADER = 'X-External-User-Id';

async function joinThroughLocalMode(api: string, room: string, user: string): Promise<JoinResult> {
  const response = await fetch(`${api}/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [IDENTITY_HEADER]: user },
    body: JSON.stringify({ ExternalMeetingId: room }),
  });
  const answer = (await response.json()) as { Meeting: unknown; Attendee: unknown };
  if (!response.ok) throw new Error(`join answered ${response.status}: ${JSON.stringify(answer)}`);
  const configuration = new MeetingSessionConfiguration(answer.Meeting, answer.Attendee);
  return {
    status: response.status,
    meetingId: configuration.meetingId,
    externalMeetingId: configuration.externalMeetingId,
    attendeeId: configuration.credentials?.attendeeId ?? null,
    externalUserId: configuration.credentials?.externalUserId ?? null,
    joinToken: configuration.credentials?.joinToken ?? null,
    signalingUrl: configuration.urls?.signalingURL ?? null,
  };
}

async function attempt(name: string, url: string, init: RequestInit): Promise<Attempt> {
  try {
    const response = await fetch(url, init);
    if (response.type === 'opaque') return { name, outcome: 'opaque' };
    return { name, outcome: 'read', read: { status: response.status, body: await response.text() } };
  } catch (error) {
    return { name, outcome: String(error) };
  }
}

/** Everything a page of another origin tries: each request a browser lets a page send, with or without a preflight. */
async function attack(targets: Targets): Promise<Attempt[]> {
  const stolenJoin = JSON.stringify({ ExternalMeetingId: 'stolen-room', ExternalUserId: 'mallory' });
  const fakeSignature = `AWS4-HMAC-SHA256 Credential=AKIALOCALDYNAMODB/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`;
  return [
    await attempt('JSON join with the identity header (preflighted)', `${targets.api}/join`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [IDENTITY_HEADER]: 'mallory' },
      body: JSON.stringify({ ExternalMeetingId: 'stolen-room' }),
    }),
    // A string body makes a text/plain request: "simple", sent without a preflight.
    await attempt('text/plain join (no preflight)', `${targets.api}/join`, { method: 'POST', body: stolenJoin }),
    await attempt('text/plain join, no-cors', `${targets.api}/join`, {
      method: 'POST',
      mode: 'no-cors',
      body: stolenJoin,
    }),
    // An untyped Blob sends no Content-Type at all, still without a preflight.
    await attempt('untyped join, no-cors', `${targets.api}/join`, {
      method: 'POST',
      mode: 'no-cors',
      body: new Blob([stolenJoin]),
    }),
    await attempt('dynalite Scan of the attendee table', `${targets.dynalite}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.Scan',
        'X-Amz-Date': '20260101T000000Z',
        Authorization: fakeSignature,
      },
      body: JSON.stringify({ TableName: targets.tableName }),
    }),
    await attempt('emulator reset, no-cors', `${targets.emulator}/_emulator/reset`, {
      method: 'POST',
      mode: 'no-cors',
    }),
    await attempt('emulator fault injection, no-cors', `${targets.emulator}/_emulator/faults`, {
      method: 'POST',
      mode: 'no-cors',
      body: JSON.stringify({ operation: 'CreateAttendee', error: 'ServiceFailureException', count: 20 }),
    }),
    await attempt('emulator reset with the control header (preflighted)', `${targets.emulator}/_emulator/reset`, {
      method: 'POST',
      headers: { 'X-Emulator-Control': '1' },
    }),
    await attempt('emulator stats', `${targets.emulator}/_emulator/stats`, {}),
  ];
}

Object.assign(globalThis, { joinThroughLocalMode, attack });
