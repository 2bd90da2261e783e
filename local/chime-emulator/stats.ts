/** Request counts per operation, by outcome and HTTP status. */
import { CHIME_OPERATIONS, type ChimeOperation } from './operations';

export interface OperationStats {
  /** Every request routed to the operation, whatever its outcome. */
  requests: number;
  succeeded: number;
  failed: number;
  /** Refused by the token bucket (429). */
  throttled: number;
  /** Answered by a scripted fault. */
  faulted: number;
  /** Refused for a missing, malformed or foreign signature (401/403). */
  unauthenticated: number;
  /** Responses by HTTP status code. */
  byStatus: Record<string, number>;
}

export interface EmulatorStats {
  operations: Record<ChimeOperation, OperationStats>;
  /** Requests that matched no operation (answered 404 UnknownOperationException). */
  unknownRoutes: number;
  /** Live meetings. */
  meetings: number;
  /** Attendees of live meetings. */
  attendees: number;
}

export class StatsCounters {
  private operations = fresh();
  private unknown = 0;

  of(operation: ChimeOperation): OperationStats {
    return this.operations[operation];
  }

  answered(operation: ChimeOperation, status: number, succeeded: boolean): void {
    const counters = this.operations[operation];
    if (succeeded) counters.succeeded += 1;
    else counters.failed += 1;
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
  }

  unknownRoute(): void {
    this.unknown += 1;
  }

  snapshot(meetings: number, attendees: number): EmulatorStats {
    return { operations: structuredClone(this.operations), unknownRoutes: this.unknown, meetings, attendees };
  }

  reset(): void {
    this.operations = fresh();
    this.unknown = 0;
  }
}

function fresh(): Record<ChimeOperation, OperationStats> {
  return Object.fromEntries(
    CHIME_OPERATIONS.map((operation) => [
      operation,
      { requests: 0, succeeded: 0, failed: 0, throttled: 0, faulted: 0, unauthenticated: 0, byStatus: {} },
    ]),
  ) as Record<ChimeOperation, OperationStats>;
}
