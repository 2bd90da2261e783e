/**
 * Who may join which meeting, with which capabilities (the `meetingAccess` prop): asked before any Chime call of a
 * user's join. `open` admits any authenticated user with what they ask for; `custom` invokes the owner's function,
 * and fails closed: an error, a timeout or an answer of another shape refuses the join (502), never admits it.
 * Administrators and IAM callers are not asked about.
 *
 * The function is invoked through Lambda's Invoke API with a SigV4-signed `fetch` (Node.js's own): the SDK's Lambda
 * client would add about 67 KB to the join bundles, which stay under 250 KB this way. Endpoint: the SDK's standard
 * `AWS_ENDPOINT_URL_LAMBDA` when set (local runs), else the function's regional endpoint.
 */
import type { AttendeeCapabilities, MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import { SignatureV4 } from '@smithy/signature-v4';
import { CAPABILITY_NAMES, MEETING_ACCESS_TIMEOUT_MS } from '../../lib/contract';
import { isBanned, type MappingKey, type StoreDeps, userBanned } from './attendee-store';
import { environmentCredentials, lambdaEndpoint, meetingAccessFunction } from './config';
import type { MeetingRecord } from './meeting-store';
import { JoinServiceError } from './errors';
import { Sha256 } from './sha256';
import type { CallerIdentity } from './types';
import { capabilities as validCapabilities } from './validation';

/** What the policy is told about the meeting. */
export interface AccessMeeting {
  readonly MeetingId: string;
  readonly ExternalMeetingId?: string;
  readonly MeetingFeatures?: MeetingFeaturesConfiguration;
  /** The ExternalUserId of the user who created it, if a user did. */
  readonly Host?: string;
}

/**
 * What a user's join may ask Chime for, decided before any Chime call of the attendee: a banned user is refused
 * (403, whoever joins them), then the policy decides for a user (administrators' joins are not asked about). The
 * meeting is read only when a custom policy needs it.
 */
export async function admitJoin(
  deps: StoreDeps,
  caller: CallerIdentity,
  key: MappingKey,
  meeting: () => Promise<AccessMeeting>,
  requested: AttendeeCapabilities | undefined,
  /** The meeting was made by this very request: nobody can be banned from it yet, so nothing is read. */
  newMeeting = false,
): Promise<AttendeeCapabilities | undefined> {
  const functionArn = caller.isAdmin ? undefined : meetingAccessFunction();
  const [banned, about] = await Promise.all([
    newMeeting ? false : isBanned(deps, key),
    functionArn ? meeting() : undefined,
  ]);
  if (banned) throw userBanned();
  return about ? decideAccess(functionArn, caller, about, requested) : requested;
}

/** What the policy is told about a meeting of the service, from its record. */
export const accessMeetingOf = (meetingId: string, record: MeetingRecord | undefined): AccessMeeting => ({
  MeetingId: meetingId,
  ...(record?.meetingId === meetingId && {
    ExternalMeetingId: record.externalMeetingId,
    ...(record.meeting?.MeetingFeatures && { MeetingFeatures: record.meeting.MeetingFeatures }),
    ...(record.host !== undefined && { Host: record.host }),
  }),
});

/** Invokes a function synchronously with a JSON payload; answers its JSON answer, or throws. */
export type Invoke = (functionArn: string, payload: unknown) => Promise<unknown>;

/**
 * The capabilities a join asks Chime for: the caller's request when the policy admits it. A custom policy's
 * capabilities are the most the user may have: a request above them is refused (403), none asked gets them.
 */
export async function decideAccess(
  functionArn: string | undefined,
  caller: CallerIdentity,
  meeting: AccessMeeting,
  requested: AttendeeCapabilities | undefined,
  invoke: Invoke = invokeFunction,
): Promise<AttendeeCapabilities | undefined> {
  if (caller.isAdmin || functionArn === undefined) return requested;
  let answer: unknown;
  try {
    answer = await invoke(functionArn, {
      Caller: { ExternalUserId: caller.externalUserId },
      Meeting: meeting,
      ...(requested && { RequestedCapabilities: requested }),
    });
  } catch (err) {
    throw policyFailed(err instanceof Error ? err.message : String(err));
  }
  const decision = readDecision(answer);
  if (!decision.allow) {
    throw new JoinServiceError(403, 'Forbidden', "The meeting's access policy does not admit this user");
  }
  if (!decision.capabilities) return requested;
  if (!requested) return decision.capabilities;
  for (const name of CAPABILITY_NAMES) {
    if (!within(requested[name], decision.capabilities[name])) {
      throw new JoinServiceError(
        403,
        'Forbidden',
        `Capabilities.${name} is above what the meeting's access policy grants (${decision.capabilities[name]})`,
      );
    }
  }
  return requested;
}

/** Whether a capability asks for no more than the granted one (Send and Receive are each below SendReceive). */
export const within = (asked: string | undefined, granted: string | undefined) =>
  asked === granted || asked === 'None' || granted === 'SendReceive';

/** The function's answer, checked: `{Allow: boolean, Capabilities?}`; any other shape is a failure. */
function readDecision(answer: unknown): { allow: boolean; capabilities?: AttendeeCapabilities } {
  const obj = answer as Record<string, unknown> | null;
  if (typeof obj !== 'object' || obj === null || typeof obj.Allow !== 'boolean') {
    throw policyFailed('the answer is not {Allow: boolean, Capabilities?}');
  }
  if (obj.Capabilities === undefined) return { allow: obj.Allow };
  try {
    // Stryker disable next-line StringLiteral: the field only names the field in the validation error, which the catch drops
    return { allow: obj.Allow, capabilities: validCapabilities(obj.Capabilities, 'Capabilities') };
  } catch {
    throw policyFailed("the answer's Capabilities are not valid capabilities");
  }
}

/** Fails closed: the join is refused, and the log says why (never the caller's data). */
const policyFailed = (why: string) =>
  Object.assign(new JoinServiceError(502, 'UpstreamFailure', "The meeting's access policy could not decide"), {
    cause: new Error(`meeting access function failed: ${why}`.slice(0, 300)),
  });

const signers = new Map<string, SignatureV4>();

/** Lambda's Invoke API (RequestResponse), signed with the function role's credentials, within the timeout. */
export const invokeFunction: Invoke = async (functionArn, payload) => {
  const region = functionArn.split(':')[3];
  if (!region) throw new Error('the function ARN names no region');
  const endpoint = new URL(lambdaEndpoint() ?? `https://lambda.${region}.amazonaws.com`);
  const body = JSON.stringify(payload);
  const path = `/2015-03-31/functions/${encodeURIComponent(functionArn)}/invocations`;
  let signer = signers.get(region);
  if (!signer) {
    signer = new SignatureV4({
      service: 'lambda',
      region,
      sha256: Sha256,
      credentials: async () => {
        const credentials = environmentCredentials();
        if (!credentials) throw new Error('no credentials in the environment');
        return credentials;
      },
    });
    signers.set(region, signer);
  }
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path,
    query: {},
    headers: { host: endpoint.host, 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
    body,
  });
  const response = await fetch(new URL(path, endpoint), {
    method: 'POST',
    headers: signed.headers,
    body,
    signal: AbortSignal.timeout(MEETING_ACCESS_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`Invoke answered ${response.status}`);
  const functionError = response.headers.get('x-amz-function-error');
  if (functionError) throw new Error(`the function failed (${functionError.slice(0, 40)})`);
  return JSON.parse(text) as unknown;
};
