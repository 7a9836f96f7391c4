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
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
  ) {
    if (options.maxSize < 1) throw new RangeError('maxSize must be at least 1');
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxSize) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.maxWaitMs);
    });
  }

  /**
   * Runs whatever waits now. Resolves once every batch started so far has settled (never
   * rejects: each caller gets its own outcome), so shutdown can drain with `await flush()`.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      const run = this.run(batch).finally(() => this.running.delete(run));
      this.running.add(run);
    }
    return Promise.all(this.running).then(() => undefined);
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.runBatch(batch.map((p) => p.item));
      if (results.length !== batch.length) {
        const error = new Error(`batch returned ${results.length} results for ${batch.length} items`);
        for (const p of batch) p.reject(error);
        return;
      }
      for (const [i, p] of batch.entries()) p.resolve(results[i] as O);
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
