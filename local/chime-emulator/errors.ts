/**
 * The errors the emulator answers with: the model's error shapes (name and HTTP status code from the model), the
 * `Code` member of their bodies, and the exception type the operations throw.
 */
import { modelShape } from './model';

/** Error shapes of the model that the emulated operations declare. */
export const CHIME_ERROR_NAMES = [
  'BadRequestException',
  'ConflictException',
  'ForbiddenException',
  'LimitExceededException',
  'NotFoundException',
  'ServiceFailureException',
  'ServiceUnavailableException',
  'ThrottlingException',
  'UnauthorizedException',
  'UnprocessableEntityException',
] as const;
export type ChimeErrorName = (typeof CHIME_ERROR_NAMES)[number];

/** Each error shape's HTTP status code, as the model states it (`error.httpStatusCode`). */
export const CHIME_ERROR_STATUS: Readonly<Record<ChimeErrorName, number>> = Object.fromEntries(
  CHIME_ERROR_NAMES.map((name) => {
    const status = modelShape(name).error?.httpStatusCode;
    if (status === undefined) throw new Error(`the Chime model gives ${name} no HTTP status code`);
    return [name, status];
  }),
) as Record<ChimeErrorName, number>;

export function isChimeErrorName(name: string): name is ChimeErrorName {
  return (CHIME_ERROR_NAMES as readonly string[]).includes(name);
}

/**
 * The `Code` member the emulator puts in error bodies: the error name without "Exception", the form the join
 * service's own error table uses (`NotFound`, `Throttling`, ...).
 */
export function errorCode(name: ChimeErrorName): string {
  return name.replace(/Exception$/, '');
}

/** The namespace Chime puts after the error name in `x-amzn-ErrorType`. */
export const ERROR_NAMESPACE = 'http://internal.amazon.com/coral/com.amazonaws.chime/';

// Generic messages for scripted faults that bring none of their own.
const DEFAULT_MESSAGES: Record<ChimeErrorName, string> = {
  BadRequestException: 'The request does not satisfy the input constraints.',
  ConflictException: 'The request conflicts with another request.',
  ForbiddenException: 'The caller may not make this request.',
  LimitExceededException: 'A resource limit was reached.',
  NotFoundException: 'A resource named in the request does not exist.',
  ServiceFailureException: 'The service failed to process the request.',
  ServiceUnavailableException: 'The service cannot take requests at the moment.',
  ThrottlingException: 'Rate exceeded.',
  UnauthorizedException: 'The caller is not authenticated.',
  UnprocessableEntityException: 'The request is well formed but cannot be processed.',
};

/** An error the emulator answers with, as the model describes it. */
export class ChimeError extends Error {
  constructor(
    readonly type: ChimeErrorName,
    message?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? DEFAULT_MESSAGES[type]);
  }
}

/** A control method or route refused: `status` is what the control API answers (400, 404, 409). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
