/**
 * The signature check. Requests without `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/chime/
 * aws4_request, ...` and `X-Amz-Date` are refused with UnauthorizedException (401: the model's error for a caller
 * that is not authenticated). A credential scoped to another service, or (when an access key is expected) another
 * access key, gets ForbiddenException (403). Signatures are not verified cryptographically.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ChimeError } from './errors';
import { MODEL } from './model';

export interface CallerContext {
  /** The region of the credential scope: the control region of meetings the caller creates. */
  readonly region: string;
}

const SIGV4_AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** The caller's context, or the error a request with these headers is refused with. */
export function authenticate(headers: IncomingHttpHeaders, expectedAccessKeyId?: string): CallerContext | ChimeError {
  const header = headers.authorization;
  if (!header) return new ChimeError('UnauthorizedException', 'Missing Authentication Token');
  const match = SIGV4_AUTHORIZATION.exec(header);
  if (!match) {
    return new ChimeError(
      'UnauthorizedException',
      'Authorization header is not a valid AWS Signature Version 4 header',
    );
  }
  if (!headers['x-amz-date']) {
    return new ChimeError('UnauthorizedException', 'Signature Version 4 requires the X-Amz-Date header');
  }
  const [, accessKeyId, , region, service] = match;
  if (service !== MODEL.metadata.signingName) {
    return new ChimeError(
      'ForbiddenException',
      `Credential should be scoped to correct service: '${MODEL.metadata.signingName}'`,
    );
  }
  if (expectedAccessKeyId !== undefined && accessKeyId !== expectedAccessKeyId) {
    return new ChimeError('ForbiddenException', 'The security token included in the request is invalid');
  }
  return { region };
}
