import { randomUUID } from 'node:crypto';
import {
  Batcher,
  type CarrierEvent,
  type CarrierEventSink,
  type Clock,
  type ReceiptEvent,
} from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import { type InboundRepository, isPgUnavailable, type ReceiptRepository } from '@maskline/storage';

/** How long an event waits for PostgreSQL before the carrier is told to send it again. */
export const DEFAULT_EVENT_HOLD_MS = 20_000;

/**
 * Where a plugin's receipts and inbound messages go. Each event is written to Postgres
 * first (so losing Redis loses nothing), then its id is enqueued. publish() resolves only
 * then, and the plugin acknowledges the carrier only after that.
 * If the enqueue fails after the insert, the receipt processor's sweep enqueues the row.
 *
 * While PostgreSQL is unreachable an event is held (its insert retried with backoff, up
 * to holdMs) before the carrier gets a temporary error: SMSCs give up on a receipt after
 * a few refusals (our simulator after 10 in 5 s), so refusing at once through a database
 * restart loses receipts at the carrier, and their messages wait for the receipt
 * deadline. Holding slows the carrier down through its own window instead.
 */
export class CarrierEventSinkToQueue implements CarrierEventSink {
  /**
   * Receipts arriving together are inserted in one statement and travel in ONE job (ids
   * only). The job's id is a fresh uuid written on each new row by the same INSERT, so the
   * receipt processor's sweep can tell a batch still in the queue from a lost one.
   */
  private readonly receiptBatches = new Batcher<ReceiptEvent, void>(
    async (receipts) => {
      const jobId = randomUUID();
      // A receipt that cannot be stored fails alone (its carrier resends it); the rest commit.
      const results = await this.untilStored(() => this.receipts.insertEach(this.carrierId, receipts, jobId));
      // Copies within the batch resolve to one stored row: its id travels once.
      const ids = [...new Set(results.filter((r): r is string => typeof r === 'string'))];
      if (ids.length > 0) {
        await this.enqueueLater(() =>
          this.events.publishReceiptBatch({ carrierId: this.carrierId, receiptIds: ids }, jobId),
        );
      }
      return results.map((r) => (typeof r === 'string' ? undefined : r));
    },
    { maxSize: 200, maxWaitMs: 2 },
  );

  constructor(
    private readonly carrierId: string,
    private readonly receipts: ReceiptRepository,
    private readonly inbound: InboundRepository,
    private readonly events: CarrierEventQueue,
    private readonly clock: Clock,
    /** Hears every failed enqueue (the row is safe; this is how an outage gets counted and logged). */
    private readonly reportEnqueueFailure: (error: unknown) => void,
    private readonly holdMs = DEFAULT_EVENT_HOLD_MS,
  ) {}

  async publish(event: CarrierEvent): Promise<void> {
    if (event.type === 'receipt') return this.receiptBatches.add(event);
    const inbound = { ...event, receivedAt: event.receivedAt || this.clock.now().toISOString() };
    const inboundId = await this.untilStored(() => this.inbound.insert(this.carrierId, inbound));
    await this.enqueueLater(() => this.events.publishInbound({ carrierId: this.carrierId, inboundId }));
  }

  /** Retries a write that failed because PostgreSQL is unreachable, for up to holdMs. */
  private async untilStored<T>(write: () => Promise<T>): Promise<T> {
    const giveUpAt = this.clock.now().getTime() + this.holdMs;
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 1_000)) {
      try {
        return await write();
      } catch (error) {
        if (!isPgUnavailable(error) || this.clock.now().getTime() + delayMs > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /**
   * The row is durable; a failed enqueue is repaired by the sweep, not by the carrier. The
   * failure is reported (counted, logged once per Redis outage), not thrown.
   */
  private async enqueueLater(enqueue: () => Promise<void>): Promise<void> {
    await enqueue().catch((error: unknown) => this.reportEnqueueFailure(error));
  }
}
