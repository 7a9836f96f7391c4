/**
 * The simulator's timers, so close() can cancel every one of them. A delay of 0 runs the
 * callback at once (benchmarks run with no delays and should not pay for a timer per PDU).
 * A callback that throws is reported, never left to crash the process.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(private readonly onError: (error: unknown) => void) {}

  after(ms: number, fn: () => void): void {
    if (ms <= 0) {
      this.run(fn);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      this.run(fn);
    }, ms);
    this.pending.add(timer);
  }

  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onError(error);
    }
  }
}
