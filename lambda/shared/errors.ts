/**
 * The one error type of the join service and the mapping of everything a handler can throw onto the error
 * table of SERVICE.md. 5xx answers carry fixed, generic messages: an upstream message may name our role, our
 * account or our table, so it is logged (by name) but never returned.
 */
import { ChimeSDKMeetingsServiceException } from '@aws-sdk/client-chime-sdk-meetings';

export class JoinServiceError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'JoinServiceError';
  }
}

export const badRequest = (message: string) => new JoinServiceError(400, 'BadRequest', message);

/** When neither Chime's exception nor its HTTP response says how long to wait. */
export const DEFAULT_RETRY_AFTER_SECONDS = { Throttling: 1, ServiceUnavailable: 5 } as const;
/** Cap on an upstream Retry-After hint, so a bad value never tells clients to stay away for days. */
const MAX_RETRY_AFTER_SECONDS = 300;

/** True for a Chime `NotFoundException` (meeting, or for DeleteAttendee possibly only the attendee, is gone). */
export function isChimeNotFound(err: unknown): boolean {
  return err instanceof ChimeSDKMeetingsServiceException && err.name === 'NotFoundException';
}

/** Maps anything a handler core throws onto a status and Code from SERVICE.md's error table. */
export function toJoinServiceError(err: unknown): JoinServiceError {
  if (err instanceof JoinServiceError) return err;
  // Chime's errors are told apart by class, not by name: DynamoDB has a ThrottlingException too, and a DynamoDB
  // failure is ours (500), not the caller's to retry later.
  if (err instanceof ChimeSDKMeetingsServiceException) return fromChime(err);
  return new JoinServiceError(500, 'InternalFailure', 'The service could not complete the request.');
}

const REJECTED = 'Amazon Chime rejected the request.';

type ChimeError = ChimeSDKMeetingsServiceException & { Code?: unknown; Message?: unknown; RetryAfterSeconds?: unknown };

function fromChime(err: ChimeError): JoinServiceError {
  switch (err.name) {
    case 'BadRequestException':
      return new JoinServiceError(400, chimeCode(err, 'BadRequest'), chimeMessage(err, REJECTED));
    case 'LimitExceededException':
      return new JoinServiceError(400, chimeCode(err, 'LimitExceeded'), chimeMessage(err, REJECTED));
    case 'NotFoundException':
      return new JoinServiceError(404, 'NotFound', chimeMessage(err, 'The meeting or attendee was not found.'));
    case 'ConflictException':
      // CreateMeeting: a ClientRequestToken reused with other parameters.
      return new JoinServiceError(409, 'Conflict', chimeMessage(err, 'Amazon Chime refused a conflicting request.'));
    case 'UnprocessableEntityException':
      return new JoinServiceError(
        422,
        'UnprocessableEntity',
        chimeMessage(err, 'Amazon Chime could not process the request.'),
      );
    case 'ThrottlingException':
      return new JoinServiceError(429, 'Throttling', 'Too many requests to Amazon Chime; retry later.', {
        'Retry-After': retryAfter(err, DEFAULT_RETRY_AFTER_SECONDS.Throttling),
      });
    case 'ServiceUnavailableException':
      return new JoinServiceError(503, 'ServiceUnavailable', 'Amazon Chime is unavailable; retry later.', {
        'Retry-After': retryAfter(err, DEFAULT_RETRY_AFTER_SECONDS.ServiceUnavailable),
      });
    default:
      // ServiceFailure, Forbidden (our role lacks a grant), Unauthorized, and any error Chime adds later: the
      // caller did nothing wrong and cannot fix it.
      return new JoinServiceError(502, 'UpstreamFailure', 'Amazon Chime failed to complete the request.');
  }
}

/** Chime's own Code value (e.g. `LimitExceeded`) when it is one word of letters, else the exception's own. */
function chimeCode(err: ChimeError, fallback: string): string {
  return typeof err.Code === 'string' && /^[A-Za-z]{1,64}$/.test(err.Code) ? err.Code : fallback;
}

/** Chime's message for 4xx answers: it explains the caller's mistake (e.g. the 250-attendee cap). */
function chimeMessage(err: ChimeError, fallback: string): string {
  const message = typeof err.Message === 'string' && err.Message ? err.Message : err.message;
  return message && message !== 'UnknownError' ? message : fallback;
}

/** Whole seconds from the exception (Chime models it for 503) or the raw response's header (429), else a default. */
function retryAfter(err: ChimeError, fallback: number): string {
  const response = (err as { $response?: { headers?: Record<string, string | undefined> } }).$response;
  const hint = err.RetryAfterSeconds ?? response?.headers?.['retry-after'];
  // Only delta-seconds are passed on: an HTTP-date or junk from upstream never reaches a response header.
  // (Number() ignores the blanks around the digits that the test allows.)
  if (typeof hint === 'string' && /^\d{1,6}$/.test(hint.trim())) {
    return String(Math.min(Number(hint), MAX_RETRY_AFTER_SECONDS));
  }
  return String(fallback);
}
