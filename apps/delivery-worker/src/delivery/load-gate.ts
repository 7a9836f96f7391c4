/**
 * Bounds the messages one worker process holds loaded (row read, content opened) ahead of
 * its carrier: a message takes a permit before its load and gives it back once its submit
 * returned. Jobs wait FIFO; each waiter gets as many permits as are free (up to what it
 * asked), so messages freed in the same tick still load in one shared statement.
 */
export class LoadGate {
  #inUse = 0;
  readonly #waiters: { want: number; grant(count: number): void }[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /** Messages loaded and not yet through the carrier. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Resolves with between 1 and `want` permits, once at least one is free. */
  take(want: number): Promise<number> {
    if (want < 1) return Promise.resolve(0);
    if (this.#waiters.length === 0 && this.#inUse < this.limit) return Promise.resolve(this.#grant(want));
    return new Promise((resolve) => this.#waiters.push({ want, grant: resolve }));
  }

  /** Gives back `count` permits and lets waiters in, oldest first. */
  release(count = 1): void {
    this.#inUse = Math.max(0, this.#inUse - count);
    while (this.#waiters.length > 0 && this.#inUse < this.limit) {
      const waiter = this.#waiters.shift()!;
      waiter.grant(this.#grant(waiter.want));
    }
  }

  #grant(want: number): number {
    const count = Math.min(want, this.limit - this.#inUse);
    this.#inUse += count;
    return count;
  }
}

/** Loaded ahead per carrier by default: this many times the plugin's in-flight limit... */
export const LOAD_AHEAD_WINDOWS = 4;
/** ...but at least this many (a small window still fills), or this many if it declares none. */
export const LOAD_AHEAD_MIN = 32;
export const LOAD_AHEAD_UNKNOWN = 256;

/** The gate's size: the carrier's `loadAhead` setting, else a few of the plugin's windows. */
export function loadAheadLimit(configured: number | undefined, inFlightLimit: number | undefined): number {
  if (configured !== undefined) return configured;
  if (inFlightLimit === undefined) return LOAD_AHEAD_UNKNOWN;
  return Math.max(LOAD_AHEAD_MIN, LOAD_AHEAD_WINDOWS * inFlightLimit);
}
