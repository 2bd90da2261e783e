/** What every answer to a hostile request must look like, for the in-process and the over-HTTP suites alike. */
import type { HostileCase } from './hostile-arbitraries';
import { expectedStatus, judge } from './contract-oracle';

export interface Answer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface Options {
  /** The request id the caller can trace (the event's, or the API's `x-amzn-requestid`). */
  readonly requestId?: string;
  /** Check that the Message names one of the broken fields. @default true */
  readonly checkField?: boolean;
}

/** Problems with an answer to a hostile request; empty when it is right. */
export function hostileAnswerProblems(hostile: HostileCase, answer: Answer, options: Options = {}): string[] {
  const problems: string[] = [];
  const verdict = judge(hostile);
  const status = expectedStatus(verdict);
  if (answer.status !== status) problems.push(`status ${answer.status}, expected ${status}`);
  if (answer.status >= 500) problems.push('a 5xx answer to invalid input');

  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return [...problems, `body is not JSON: ${answer.body.slice(0, 200)}`];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return [...problems, 'body is not a JSON object'];
  const error = body as Record<string, unknown>;
  const keys = Object.keys(error).sort();
  if (keys.join() !== 'Code,Message,RequestId')
    problems.push(`body keys ${JSON.stringify(keys)}, expected exactly Code, Message, RequestId`);
  const code = status === 413 ? 'PayloadTooLarge' : status === 415 ? 'UnsupportedMediaType' : 'BadRequest';
  if (error.Code !== code) problems.push(`Code ${JSON.stringify(error.Code)}, expected ${code}`);
  if (typeof error.Message !== 'string' || error.Message.trim() === '')
    problems.push('Message is not a non-empty string');
  if (typeof error.RequestId !== 'string' || error.RequestId === '')
    problems.push('RequestId is not a non-empty string');
  if (options.requestId !== undefined && error.RequestId !== options.requestId) {
    problems.push(`RequestId ${JSON.stringify(error.RequestId)}, expected ${options.requestId}`);
  }
  if (!/^application\/json/.test(answer.headers['content-type'] ?? ''))
    problems.push(`content-type ${answer.headers['content-type']}`);

  const message = typeof error.Message === 'string' ? error.Message : '';
  if (options.checkField !== false) {
    const fields = [...new Set(verdict.violations.map((v) => v.field))];
    if (!fields.some((field) => message.includes(field))) {
      problems.push(
        `Message ${JSON.stringify(message.slice(0, 200))} names none of ${JSON.stringify(fields.slice(0, 5))}`,
      );
    }
  }
  if (/\n\s+at |Error:|\.ts:\d+|node_modules/.test(message)) problems.push('Message looks like a stack trace');
  // Half a character (a lone surrogate) makes strict JSON decoders reject the whole error body. A message may
  // only hold one if the caller sent one in a field name it echoes.
  const fieldsWellFormed = verdict.violations.every((v) => wellFormed(v.field));
  if (fieldsWellFormed && !wellFormed(message))
    problems.push(`Message holds a lone surrogate: ${JSON.stringify(message.slice(0, 120))}`);
  // Values may be personal data: a message names the field, never echoes an ExternalUserId.
  for (const id of externalUserIdsIn(hostile)) {
    if (id.length >= 16 && message.includes(id))
      problems.push(`Message echoes the ExternalUserId ${JSON.stringify(id.slice(0, 40))}`);
  }
  return problems;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** No lone surrogates (String.prototype.isWellFormed, for older lib targets). */
export const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

/** The ExternalUserId values a request carries (body and path), for the no-echo check. */
function externalUserIdsIn(hostile: HostileCase): string[] {
  const ids: string[] = [];
  const fromPath = hostile.path?.ExternalUserId;
  if (fromPath) ids.push(fromPath);
  if (hostile.body && !hostile.base64) {
    for (const match of hostile.body.slice(0, 100_000).matchAll(/"ExternalUserId":("(?:[^"\\]|\\.)*")/g)) {
      try {
        ids.push(JSON.parse(match[1]));
      } catch {
        // not a JSON string: nothing to compare
      }
    }
  }
  return ids;
}

/** A short description of a case for failure messages. */
export function describeCase(hostile: HostileCase): string {
  const body =
    hostile.body === null ? 'null' : `${hostile.body.length} chars: ${JSON.stringify(hostile.body.slice(0, 160))}`;
  return `[${hostile.category} on ${hostile.route}] ${hostile.what}${hostile.contentType !== undefined ? ` (Content-Type ${JSON.stringify(hostile.contentType)})` : ''}\n  path=${JSON.stringify(hostile.path)?.slice(0, 300)}\n  query=${JSON.stringify(hostile.query).slice(0, 200)}\n  body${hostile.base64 ? ' (base64)' : ''}=${body}`;
}
