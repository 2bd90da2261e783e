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
 *   the admin group.
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
      return { externalUserId, isAdmin: groupsOf(claims?.['cognito:groups']).includes(config.adminGroup) };
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

/** `cognito:groups` reaches REST API functions as a string: "a,b", "[a, b]" or "[a b]". */
function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}
