/**
 * Who the caller is and what they may do, from the request context API Gateway adds. The construct's
 * authorization mode decides who reaches a handler at all; the handlers enforce the same rules again, so a
 * request that reaches a function some other way (a direct invocation, a misconfigured route) cannot bypass them.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type JoinServiceOperation, operationDefinition } from '../../lib/operations';
import type { AuthConfig } from './config';
import { JoinServiceError } from './errors';
import type { CallerIdentity, IncomingRequest } from './types';

/**
 * The caller's identity, or undefined when the request carries none that the mode accepts.
 * - iam: API Gateway verified a SigV4 signature and IAM allowed this route; the caller is an IAM principal,
 *   trusted for every route it reached, with no ExternalUserId of its own.
 * - cognito: claims of a verified ID token; the ExternalUserId is the configured claim, admins are members of
 *   the admin group, read from the verified token itself (see `inCognitoGroup`).
 * - custom: the Lambda authorizer's context, `externalUserId` and `isAdmin`.
 * - none: the API is open by the owner's explicit choice.
 */
export function callerIdentity(event: APIGatewayProxyEvent, config: AuthConfig): CallerIdentity | undefined {
  const context = event.requestContext;
  switch (config.mode) {
    case 'none':
      return { isAdmin: true };
    case 'iam':
      return context?.identity?.userArn || context?.identity?.caller ? { isAdmin: true } : undefined;
    case 'cognito': {
      const claims = context?.authorizer?.claims as Record<string, unknown> | undefined;
      const externalUserId = claims?.[config.identityClaim];
      if (typeof externalUserId !== 'string' || externalUserId === '') return undefined;
      return { externalUserId, isAdmin: inCognitoGroup(event, claims!, config.adminGroup) };
    }
    case 'custom': {
      const authorizer = context?.authorizer as Record<string, unknown> | null | undefined;
      if (!authorizer) return undefined;
      const externalUserId =
        typeof authorizer.externalUserId === 'string' && authorizer.externalUserId !== ''
          ? authorizer.externalUserId
          : undefined;
      // Authorizer context values reach the function as strings.
      const isAdmin = authorizer.isAdmin === true || authorizer.isAdmin === 'true';
      return externalUserId || isAdmin ? { externalUserId, isAdmin } : undefined;
    }
  }
}

/**
 * Refuses a caller the operation is not for: 401 without an identity, 403 without the right. The operation table
 * is an allow-list: an operation whose row names no `callers` is for administrators only.
 */
export function authorize(
  operation: JoinServiceOperation,
  request: IncomingRequest,
  identity: CallerIdentity | undefined,
): CallerIdentity {
  if (!identity) throw new JoinServiceError(401, 'Unauthorized', 'The request carries no identity this API accepts');
  if (identity.isAdmin) return identity;
  const { callers } = operationDefinition(operation);
  if (callers === undefined) throw new JoinServiceError(403, 'Forbidden', 'This route is for administrators only');
  // On a `self` route a path naming a user is the caller's own; a body naming one is checked where the body is read
  // (validation.ts). A host route names the user it acts on (a ban), and its handler checks the host.
  const named = request.pathParameters.ExternalUserId;
  if (callers === 'self' && named !== undefined && named !== identity.externalUserId) {
    throw new JoinServiceError(403, 'Forbidden', "Only administrators may look up another user's attendees");
  }
  return identity;
}

/**
 * Whether the caller is in a Cognito group, by the group's exact name.
 *
 * A REST API's Cognito authorizer hands `cognito:groups` to the function flattened to one string ("a,b"), and group
 * names may themselves hold commas, spaces and brackets: a group named `x,admins` or `[admins` cannot be told from
 * membership of `admins`. The list itself is in the token the authorizer verified, which is the request's
 * Authorization header (the authorizer's identity source), so it is read from there: the payload is decoded, not
 * verified again (API Gateway did), and it must agree with the authorizer's claims, so a header other than the one
 * verified is never believed. Anything else (no header or two, an unreadable token, other claims, groups that are not
 * a list of strings) means no groups: never an administrator by accident. A claim that is already a list (a context
 * built by something other than a REST API authorizer) is taken as it is: only a member equal to the name counts.
 */
function inCognitoGroup(event: APIGatewayProxyEvent, claims: Record<string, unknown>, group: string): boolean {
  const claimed = claims['cognito:groups'];
  if (Array.isArray(claimed)) return claimed.includes(group);
  const groups = verifiedTokenPayload(event, claims)?.['cognito:groups'];
  return Array.isArray(groups) && groups.every((name) => typeof name === 'string') && groups.includes(group);
}

/** The payload of the token in the Authorization header, if it is the token whose claims the authorizer passed. */
function verifiedTokenPayload(
  event: APIGatewayProxyEvent,
  claims: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const headers = authorizationHeaders(event);
  if (headers.length !== 1) return undefined;
  // A scheme before the token ("Bearer ") stays in the first part, the JOSE header, which is not read.
  const parts = headers[0].split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    // Not JSON: the payload stays undefined, refused below with anything else that is not an object.
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const tokenClaims = payload as Record<string, unknown>;
  // The same token: the same subject, and every text claim the two share alike (numbers and lists the authorizer
  // rewrites as text, so those are not compared).
  if (typeof tokenClaims.sub !== 'string' || tokenClaims.sub === '' || tokenClaims.sub !== claims.sub) return undefined;
  for (const [name, value] of Object.entries(tokenClaims)) {
    if (typeof value === 'string' && name in claims && claims[name] !== value) return undefined;
  }
  return tokenClaims;
}

/** Every value of the Authorization header, whatever the letter case of its name (one expected). */
function authorizationHeaders(event: APIGatewayProxyEvent): string[] {
  const named = (record: Record<string, unknown> | null | undefined) =>
    Object.entries(record ?? {}).filter(([name]) => name.toLowerCase() === 'authorization');
  const multi = named(event.multiValueHeaders).flatMap(([, values]) => (Array.isArray(values) ? values : [values]));
  const values = multi.length > 0 ? multi : named(event.headers).map(([, value]) => value);
  return values.filter((value): value is string => typeof value === 'string' && value !== '');
}
