/**
 * Work under way that shutdown must wait for: each promise is kept from `track()` until it
 * settles, and `drain()` waits for all of them, those tracked while it waits included.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  /** Keeps `work` until it settles and returns it unchanged (its outcome stays the caller's). */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const drop = () => {
      this.running.delete(work);
    };
    work.then(drop, drop);
    return work;
  }

  /** Resolves once everything tracked so far has settled; never rejects. */
  async settled(): Promise<void> {
    if (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Resolves once nothing is under way, work tracked meanwhile included; never rejects. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
