/// <reference types="@maskline/smpp-types" preserve="true" />
import { MasklineError } from '@maskline/core';
import type { PDU } from 'smpp';

interface Pending {
  command: string;
  onResponse: ((pdu: PDU) => void) | undefined;
  resolve(pdu: PDU): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Requests sent on one connection and awaiting their response, by sequence_number. Each
 * has its own deadline (carrier_timeout). The smpp package has no response timeouts, so
 * we route every response PDU here ourselves instead of using its callbacks.
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Wait for the response to `sequence`; rejects with carrier_timeout after timeoutMs.
   * `onResponse` runs synchronously when the response is decoded, before any PDU read
   * after it (the promise settles a microtask later, after the rest of that TCP read).
   */
  track(sequence: number, command: string, timeoutMs: number, onResponse?: (pdu: PDU) => void): Promise<PDU> {
    return new Promise<PDU>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(sequence);
        reject(
          new MasklineError('carrier_timeout', {
            message: `No SMPP response to ${command} within ${timeoutMs} ms.`,
          }),
        );
      }, timeoutMs);
      this.#pending.set(sequence, { command, onResponse, resolve, reject, timer });
    });
  }

  /** Settle with a response (or generic_nack). False when nothing waits for it (late or unknown). */
  settle(pdu: PDU): boolean {
    const pending = this.#pending.get(pdu.sequence_number);
    if (!pending) return false;
    this.#pending.delete(pdu.sequence_number);
    clearTimeout(pending.timer);
    try {
      pending.onResponse?.(pdu);
    } catch (error) {
      // Never let a handler's bug escape into the socket's data listener (a crash).
      pending.reject(error instanceof Error ? error : new Error('response handler failed'));
      return true;
    }
    pending.resolve(pdu);
    return true;
  }

  /** Reject everything in flight (the link went down). */
  failAll(error: () => Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.reject(error());
    }
  }
}
