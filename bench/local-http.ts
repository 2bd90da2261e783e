// What the load parts of the benchmark (bench/meeting.ts, bench/meetings.ts) share: one HTTP call to the local
// service, as a meeting backend makes it, and the per-operation difference of two call counters.
import type { LocalJoinService } from '../local/join-service';

export interface Reply {
  status: number;
  retryAfter: string | null;
  body: any;
}

export async function call(service: LocalJoinService, method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text ? JSON.parse(text) : undefined,
  };
}

/** Calls per operation made between two snapshots of the DynamoDB proxy's counters (operations with none left out). */
export function deltas(before: Record<string, { calls: number }>, after: Record<string, { calls: number }>) {
  const out: Record<string, number> = {};
  for (const [operation, { calls }] of Object.entries(after)) {
    const n = calls - (before[operation]?.calls ?? 0);
    if (n > 0) out[operation] = n;
  }
  return out;
}
