import { MasklineError } from '@maskline/core';

interface Waiter {
  grant(): void;
  fail(error: Error): void;
}

/**
 * The send window of one bind: at most `size` submits outstanding. Callers beyond that
 * wait FIFO for a slot, up to `maxQueued` of them; more are refused at once. When the
 * link goes down every waiter is rejected (carrier_unavailable) so the host can retry
 * elsewhere instead of waiting for a reconnect.
 */
export class RequestWindow {
  #inUse = 0;
  /** The effective window (≤ size): lowered while the SMSC throttles, raised as it recovers. */
  #limit: number;
  readonly #waiters: Waiter[] = [];
  readonly #idle: Array<() => void> = [];

  constructor(
    readonly size: number,
    readonly maxQueued: number,
  ) {
    this.#limit = size;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Change the effective window (clamped to 1..size). Slots above a lowered limit drain; a raised one grants waiters. */
  setLimit(limit: number): void {
    this.#limit = Math.max(1, Math.min(this.size, Math.floor(limit)));
    this.#grant();
  }

  get inUse(): number {
    return this.#inUse;
  }

  get queued(): number {
    return this.#waiters.length;
  }

  /** A submit taking a slot now would not wait. */
  get hasFreeSlot(): boolean {
    return this.#inUse < this.#limit && this.#waiters.length === 0;
  }

  /** Take a slot, waiting FIFO. Call release() exactly once after a resolve. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.hasFreeSlot) {
      this.#inUse++;
      return Promise.resolve();
    }
    if (this.#waiters.length >= this.maxQueued) {
      return Promise.reject(
        new MasklineError('carrier_unavailable', { message: 'The SMPP submit queue is full.' }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    this.#inUse = Math.max(0, this.#inUse - 1);
    this.#grant(); // the slot passes straight to the next waiter, unless the limit went down
    if (this.#inUse === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #grant(): void {
    while (this.#inUse < this.#limit && this.#waiters.length > 0) {
      this.#inUse++;
      this.#waiters.shift()!.grant();
    }
  }

  /** Reject every waiter (slots in use are released by their holders). */
  failWaiters(error: () => Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.fail(error());
  }

  /** Resolves when no slot is in use, or after timeoutMs (false). */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#inUse === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = this.#idle.indexOf(done);
        if (index >= 0) this.#idle.splice(index, 1);
        resolve(false);
      }, timeoutMs);
      this.#idle.push(done);
    });
  }
}

/** The host aborted: the submit may or may not have reached the SMSC. */
export function abortError(signal: AbortSignal): MasklineError {
  return new MasklineError('carrier_timeout', {
    message: 'The submit was aborted before the SMSC answered.',
    cause: signal.reason,
  });
}
