/** Scripted faults: the next calls of an operation answer an error the model declares for it, in queue order. */
import { ChimeError, type ChimeErrorName } from './errors';
import { type ChimeOperation, OPERATION_ERRORS } from './operations';

/** A scripted failure: the next `count` calls of an operation answer `error`. */
export interface Fault {
  readonly error: ChimeErrorName;
  /** @default 1 */
  readonly count?: number;
  /** `Retry-After` header, in seconds (any error; the SDK maps it to RetryAfterSeconds on ServiceUnavailable). */
  readonly retryAfterSeconds?: number;
  /** @default - a generic message for the error */
  readonly message?: string;
}

export class FaultQueue {
  private readonly queues = new Map<ChimeOperation, { fault: Fault; remaining: number }[]>();

  inject(operation: ChimeOperation, fault: Fault): void {
    if (!OPERATION_ERRORS[operation].includes(fault.error)) {
      throw new Error(
        `${operation} does not declare ${fault.error} in the model; declared: ${OPERATION_ERRORS[operation].join(', ')}`,
      );
    }
    const count = fault.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error('fault count must be a positive integer');
    const queue = this.queues.get(operation) ?? [];
    queue.push({ fault, remaining: count });
    this.queues.set(operation, queue);
  }

  /** Throws the next queued fault of the operation, if there is one. */
  serve(operation: ChimeOperation): void {
    const queue = this.queues.get(operation);
    const next = queue?.[0];
    if (!queue || !next) return;
    next.remaining -= 1;
    if (next.remaining === 0) queue.shift();
    throw new ChimeError(next.fault.error, next.fault.message, next.fault.retryAfterSeconds);
  }

  clear(): void {
    this.queues.clear();
  }
}
