/**
 * The plain request, response and caller types the handler cores work with. The HTTP edge (http.ts) builds them
 * from API Gateway's proxy event, so a core never sees an API Gateway type and a local adapter can call it too.
 */
import type { JoinServiceOperation } from '../../lib/operations';

/**
 * Who is calling (see authorization.ts). In IAM mode API Gateway's grants have already decided, so the caller is
 * `{ isAdmin: true }` and carries no ExternalUserId; token-based modes fill both from `requestContext.authorizer`.
 */
export interface CallerIdentity {
  readonly externalUserId?: string;
  readonly isAdmin: boolean;
}

/** A request before the caller is authorized. */
export interface IncomingRequest {
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters: Readonly<Record<string, string | undefined>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
  /** API Gateway's request id: in every error body and log line, so a caller's report can be traced. */
  readonly requestId: string;
}

export interface JoinRequest extends IncomingRequest {
  readonly identity: CallerIdentity;
}

export interface JoinResponse {
  readonly statusCode: number;
  /** Serialized as JSON; absent for 204. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Operation = JoinServiceOperation;
export type HandlerCore<D> = (request: JoinRequest, deps: D) => Promise<JoinResponse>;
