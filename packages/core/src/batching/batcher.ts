/**
 * Coalesces concurrent single-item calls into one batch call: callers `add()` an item and
 * get its own result, while the batch function sees every item that arrived within
 * `maxWaitMs` (or `maxSize` of them). One database round trip then serves many jobs.
 * If the batch call fails, every caller in it gets the error.
 */
export interface BatcherOptions {
  /** Flush as soon as this many items wait. */
  maxSize: number;
  /** Flush at the latest this long after the first item arrived (0 = next macrotask). */
  maxWaitMs: number;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class Batcher<I, O> {
  private pending: Pending<I, O>[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
  ) {
    if (options.maxSize < 1) throw new RangeError('maxSize must be at least 1');
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  /** Runs whatever waits now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.runBatch(batch.map((p) => p.item)).then(
      (results) => {
        if (results.length !== batch.length) {
          const error = new Error(`batch returned ${results.length} results for ${batch.length} items`);
          for (const p of batch) p.reject(error);
          return;
        }
        for (const [i, p] of batch.entries()) p.resolve(results[i] as O);
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }
}
