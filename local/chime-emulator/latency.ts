/** Added latency per operation. Pending delays are woken on stop(), so a held request never keeps the server open. */
import type { ChimeOperation } from './operations';

export class Latency {
  private readonly latencies = new Map<ChimeOperation, number>();
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  set(operation: ChimeOperation, milliseconds: number): void {
    if (!(milliseconds >= 0)) throw new Error('latency must be >= 0 ms');
    if (milliseconds === 0) this.latencies.delete(operation);
    else this.latencies.set(operation, milliseconds);
  }

  delay(operation: ChimeOperation): Promise<void> {
    const milliseconds = this.latencies.get(operation);
    if (!milliseconds) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleeping.delete(sleeper);
          resolve();
        }, milliseconds),
        wake: resolve,
      };
      this.sleeping.add(sleeper);
    });
  }

  clear(): void {
    this.latencies.clear();
  }

  /** Ends every pending delay at once. */
  wakeAll(): void {
    for (const sleeper of this.sleeping) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleeping.clear();
  }
}
