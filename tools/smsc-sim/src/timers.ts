/**
 * The simulator's timers, so close() can cancel every one of them. A delay of 0 runs the
 * callback at once (benchmarks run with no delays and should not pay for a timer per PDU).
 * Callbacks due in the same millisecond share one timer and run in one tick, so the
 * responses they write leave in one write (SmscSession corks per tick) instead of one
 * syscall each: at thousands of delayed submit_sm_resp per second that is most of the
 * simulator's CPU. A callback that throws is reported, never left to crash the process.
 */
export class Timers {
  private readonly buckets = new Map<number, { timer: NodeJS.Timeout; fns: Array<() => void> }>();

  constructor(
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  after(ms: number, fn: () => void): void {
    if (ms <= 0) {
      this.run(fn);
      return;
    }
    const due = this.now() + ms;
    const bucket = this.buckets.get(due);
    if (bucket) {
      bucket.fns.push(fn);
      return;
    }
    const timer = setTimeout(() => {
      const fns = this.buckets.get(due)?.fns ?? [];
      this.buckets.delete(due);
      for (const each of fns) this.run(each);
    }, ms);
    this.buckets.set(due, { timer, fns: [fn] });
  }

  clear(): void {
    for (const { timer } of this.buckets.values()) clearTimeout(timer);
    this.buckets.clear();
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onError(error);
    }
  }
}
