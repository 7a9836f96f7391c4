import { InFlight } from './in-flight.js';

/**
 * Coalesces concurrent single-item calls into one batch call: callers `add()` an item and
 * get its own result, while the batch function sees every item that arrived within
 * `maxWaitMs` (or `maxSize` of them). One database round trip then serves many jobs.
 *
 * Failures stay with their item: a batch function answers an item that failed on its own
 * (bad input, a tenant whose keys are gone) with `itemFailure(error)`, and only that
 * caller gets the error while the others get their results. Only a failure of the shared
 * work itself (the batch function throws) reaches every caller in the batch.
 */
export interface BatcherOptions {
  /** Flush as soon as this many items wait. */
  maxSize: number;
  /** Flush at the latest this long after the first item arrived (0 = next macrotask). */
  maxWaitMs: number;
}

/** A batch function's answer for one item that failed by itself: its caller gets `error`. */
export class ItemFailure {
  /** Lets an ItemFailure sit in a union discriminated by `kind` (e.g. insert outcomes). */
  readonly kind = 'failed' as const;
  constructor(readonly error: unknown) {}
}

export function itemFailure(error: unknown): ItemFailure {
  return new ItemFailure(error);
}

/**
 * Runs `check` on every item, so per-item work (validation, sealing) happens before the
 * shared statement: `ok` holds the items that passed with their index and result, and
 * `results` has an ItemFailure at the index of each item that threw (holes elsewhere,
 * for the caller to fill from the shared statement).
 */
export function settleEach<I, P>(
  items: readonly I[],
  check: (item: I, index: number) => P,
): { ok: { index: number; item: I; value: P }[]; failures: Map<number, ItemFailure> } {
  const ok: { index: number; item: I; value: P }[] = [];
  const failures = new Map<number, ItemFailure>();
  for (const [index, item] of items.entries()) {
    try {
      ok.push({ index, item, value: check(item, index) });
    } catch (error) {
      failures.set(index, itemFailure(error));
    }
  }
  return { ok, failures };
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class Batcher<I, O> {
  private pending: Pending<I, O>[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly running = new InFlight();

  constructor(
    private readonly runBatch: (items: I[]) => Promise<readonly (O | ItemFailure)[]>,
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
    if (batch.length > 0) void this.running.track(this.run(batch));
    return this.running.settled();
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.runBatch(batch.map((p) => p.item));
      if (results.length !== batch.length) {
        const error = new Error(`batch returned ${results.length} results for ${batch.length} items`);
        for (const p of batch) p.reject(error);
        return;
      }
      for (const [i, p] of batch.entries()) {
        const result = results[i];
        if (result instanceof ItemFailure) p.reject(result.error);
        else p.resolve(result as O);
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
