import { type InboundEvent, InFlight, type Logger } from '@maskline/core';
import { decodeText } from './encoding.js';
import type { MoPart } from './internal-types.js';

export interface MoReassemblyOptions {
  /** From the first part: how long to wait for the rest. */
  timeoutMs: number;
  /** At the timeout: publish what arrived (gaps marked) or drop it. */
  incomplete: 'publish' | 'drop';
  missingMarker: string;
  maxPending: number;
  /** The host's publish (resolves once durable). */
  publish(event: InboundEvent): Promise<void>;
  logger: Logger;
  /** Publishing an incomplete message is retried this often before it is dropped. */
  maxPublishAttempts?: number;
}

interface Entry {
  total: number;
  parts: Map<number, MoPart>;
  first: InboundEvent;
  timer: NodeJS.Timeout;
}

/** A completed message, and how to give its parts back when publishing it fails. */
export interface Completed {
  event: InboundEvent;
  /** Publishing failed: hold every part again except `seq` (the SMSC redelivers that one). */
  restore(): void;
}

/**
 * Reassembly of multipart MO messages (UDH 8/16-bit reference or SAR TLVs), shared by all
 * binds of a carrier (parts may arrive on different binds).
 *
 * Durability trade-off, stated plainly: a part that does not complete its message is
 * acknowledged (deliver_sm_resp ESME_ROK) once it is held here, in process memory. If the
 * process dies before the last part arrives, the held parts are lost and the SMSC will not
 * send them again. Holding back the acknowledgements instead would keep the SMSC's
 * deliver_sm window occupied for as long as the message is incomplete (parts can be
 * minutes apart), stall every other MO and receipt behind it, and make the SMSC time out
 * and redeliver. The part that completes the message is acknowledged only after the host
 * has made the whole message durable, so a failed publish keeps the other parts held and
 * the SMSC redelivers that last part.
 *
 * At the timeout, `publish` sends the parts that arrived, in order, with `missingMarker`
 * where parts are missing (InboundEvent has no "incomplete" flag; the marker is the
 * visible sign), `drop` logs and forgets them. close() applies the same policy to every
 * held message. A part that repeats one of a message completed within the timeout (the
 * SMSC redelivering after a lost acknowledgement) is dropped, so it does not start a
 * spurious new message.
 */
export class MoReassembler {
  readonly #options: MoReassemblyOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #completed = new Map<string, { parts: Map<number, Buffer>; timer: NodeJS.Timeout }>();
  readonly #inFlight = new InFlight();
  #closed = false;

  constructor(options: MoReassemblyOptions) {
    this.#options = options;
  }

  get pending(): number {
    return this.#entries.size;
  }

  /**
   * Hold a part. Returns the whole message when this part completes it (nothing is held for
   * it any more), 'duplicate' for a repeat of a recently completed message, else 'held'.
   */
  add(part: MoPart, event: InboundEvent): Completed | 'held' | 'duplicate' {
    const done = this.#completed.get(part.key);
    if (done) {
      const seen = done.parts.get(part.seq);
      if (seen?.equals(part.octets)) return 'duplicate';
      clearTimeout(done.timer);
      this.#completed.delete(part.key);
    }
    let entry = this.#entries.get(part.key);
    if (!entry) {
      if (this.#entries.size >= this.#options.maxPending) this.#expireOldest();
      entry = { total: part.total, parts: new Map(), first: event, timer: this.#timer(part.key) };
      this.#entries.set(part.key, entry);
    }
    entry.parts.set(part.seq, part);
    if (entry.parts.size < entry.total) return 'held';
    clearTimeout(entry.timer);
    this.#entries.delete(part.key);
    const parts = [...entry.parts.values()].sort((a, b) => a.seq - b.seq);
    const octets = Buffer.concat(parts.map((p) => p.octets));
    const completed: Completed = {
      event: { ...entry.first, body: decodeText(octets, parts[0]!.dataCoding) },
      restore: () => {
        const remembered = this.#completed.get(part.key);
        if (remembered) clearTimeout(remembered.timer);
        this.#completed.delete(part.key);
        for (const held of parts) if (held.seq !== part.seq) this.add(held, entry.first);
      },
    };
    this.#remember(part.key, parts);
    return completed;
  }

  /** Finish every held message by the timeout policy; waits (bounded by the caller) for publishes. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const key of [...this.#entries.keys()]) this.#expire(key, 1);
    for (const { timer } of this.#completed.values()) clearTimeout(timer);
    this.#completed.clear();
    await this.#inFlight.settled();
  }

  #timer(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.#expire(key), this.#options.timeoutMs);
    timer.unref();
    return timer;
  }

  #remember(key: string, parts: MoPart[]): void {
    const timer = setTimeout(() => this.#completed.delete(key), this.#options.timeoutMs);
    timer.unref();
    this.#completed.set(key, { parts: new Map(parts.map((p) => [p.seq, p.octets])), timer });
  }

  #expireOldest(): void {
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#expire(oldest.value);
  }

  #expire(key: string, attempts = this.#options.maxPublishAttempts ?? 5): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
    const counts = { total: entry.total, received: entry.parts.size };
    if (this.#options.incomplete === 'drop') {
      this.#options.logger.warn(counts, 'Incomplete multipart MO dropped');
      return;
    }
    const event: InboundEvent = { ...entry.first, body: this.#incompleteBody(entry) };
    const attempt = (left: number): Promise<void> =>
      this.#options.publish(event).then(
        () => this.#options.logger.warn(counts, 'Incomplete multipart MO published with gaps marked'),
        (error: unknown) => {
          if (left <= 1 || this.#closed) {
            this.#options.logger.error(
              { ...counts, err: error instanceof Error ? error.name : 'unknown' },
              'Incomplete multipart MO could not be published; dropped',
            );
            return;
          }
          return new Promise<void>((resolve) => {
            setTimeout(resolve, Math.min(this.#options.timeoutMs, 1000)).unref();
          }).then(() => attempt(left - 1));
        },
      );
    void this.#inFlight.track(attempt(attempts));
  }

  /** Runs of consecutive parts decoded together (a character may span two parts), the marker between. */
  #incompleteBody(entry: Entry): string {
    let body = '';
    let run: MoPart[] = [];
    const flush = () => {
      if (run.length === 0) return;
      body += decodeText(Buffer.concat(run.map((p) => p.octets)), run[0]!.dataCoding);
      run = [];
    };
    for (let seq = 1; seq <= entry.total; seq++) {
      const part = entry.parts.get(seq);
      if (part) {
        run.push(part);
        continue;
      }
      flush();
      body += this.#options.missingMarker;
    }
    flush();
    return body;
  }
}
