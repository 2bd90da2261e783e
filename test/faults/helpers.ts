/** HTTP calls and answer checks shared by the fault suites (real SDK clients, emulator and dynalite on loopback). */
import type { LocalJoinService } from '../../local/join-service';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: any;
  readonly text: string;
}

export async function call(service: LocalJoinService, method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(
      `${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/**
 * An error answer as SERVICE.md requires it: the status, exactly `{Code, Message, RequestId}` with the RequestId
 * the API returned, JSON, and nothing of the upstream failure (its message, the table, stack traces).
 */
export function expectError(reply: Reply, status: number, code: string, secrets: readonly string[] = []): void {
  const context = `${reply.status} ${reply.text.slice(0, 300)}`;
  expect({ status: reply.status, context }).toEqual({ status, context });
  expect(Object.keys(reply.body ?? {}).sort()).toEqual(['Code', 'Message', 'RequestId']);
  expect(reply.body.Code).toBe(code);
  expect(typeof reply.body.Message).toBe('string');
  expect(reply.body.Message.length).toBeGreaterThan(0);
  expect(reply.body.RequestId).toBe(reply.headers.get('x-amzn-requestid'));
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  for (const secret of [...secrets, 'Exception', '.ts:', 'node_modules', 'chime-join-service-attendees', 'arn:aws']) {
    expect(reply.text).not.toContain(secret);
  }
  expect(reply.text).not.toMatch(/\bat \S+ \(|\n\s+at /); // no stack frames
}

/** A Retry-After of whole seconds within the cap the service applies. */
export function expectRetryAfter(reply: Reply, expected?: string): void {
  const value = reply.headers.get('retry-after');
  expect(value).toMatch(/^\d{1,3}$/);
  expect(Number(value)).toBeGreaterThanOrEqual(1);
  expect(Number(value)).toBeLessThanOrEqual(300);
  if (expected !== undefined) expect(value).toBe(expected);
}

/** Waits until `check` holds (for work the stand-ins finish after a client gave up), or fails after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Faults served, by kind, over a whole suite (printed at the end). */
export class FaultLedger {
  private readonly counts = new Map<string, number>();
  add(kind: string, n: number): void {
    if (n > 0) this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }
  get(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  format(title: string): string {
    const rows = [...this.counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, n]) => `  ${kind.padEnd(58)} ${n}`);
    return `${title}: ${this.total()} faults served\n${rows.join('\n')}`;
  }
}
