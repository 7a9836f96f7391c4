import {
  Batcher,
  type CarrierEvent,
  type CarrierEventSink,
  type Clock,
  type ReceiptEvent,
} from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import { type InboundRepository, isPgUnavailable, type ReceiptRepository } from '@maskline/storage';

/** How long publish() keeps retrying while PostgreSQL is unreachable before the carrier hears an error. */
export const DEFAULT_HOLD_WHILE_PG_DOWN_MS = 30_000;

/**
 * Where a plugin's receipts and inbound messages go. Each event is written to Postgres
 * first (so losing Redis loses nothing), then its id is enqueued. publish() resolves only
 * then, and the plugin acknowledges the carrier only after that.
 * If the enqueue fails after the insert, the receipt processor's sweep enqueues the row.
 *
 * While PostgreSQL is unreachable, publish() keeps retrying the insert (backoff 100 ms
 * doubling to 1 s) for up to `holdWhileUnavailableMs` before it fails: the carrier's
 * deliver_sm stays unanswered meanwhile (its window is the back-pressure), instead of being
 * refused, which spends one of the few redeliveries a carrier allows (the simulator's:
 * 10 × 500 ms) and could leave a message `submitted` without its final receipt after a
 * database restart. Other failures (an unstorable receipt) fail at once.
 */
export class CarrierEventSinkToQueue implements CarrierEventSink {
  /** Receipts arriving together are inserted in one statement and enqueued in one call. */
  private readonly receiptBatches = new Batcher<ReceiptEvent, void>(
    async (receipts) => {
      // A receipt that cannot be stored fails alone (its carrier resends it); the rest commit.
      const results = await this.receipts.insertEach(this.carrierId, receipts);
      const ids = results.filter((r): r is string => typeof r === 'string');
      if (ids.length > 0) {
        await this.enqueueLater(() =>
          this.events.publishReceipts(ids.map((receiptId) => ({ carrierId: this.carrierId, receiptId }))),
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
    private readonly holdWhileUnavailableMs = DEFAULT_HOLD_WHILE_PG_DOWN_MS,
  ) {}

  async publish(event: CarrierEvent): Promise<void> {
    if (event.type === 'receipt') return this.whilePgDown(() => this.receiptBatches.add(event));
    const receivedAt = event.receivedAt || this.clock.now().toISOString();
    const inboundId = await this.whilePgDown(() =>
      this.inbound.insert(this.carrierId, { ...event, receivedAt }),
    );
    await this.enqueueLater(() => this.events.publishInbound({ carrierId: this.carrierId, inboundId }));
  }

  private async whilePgDown<T>(store: () => Promise<T>): Promise<T> {
    const deadline = this.clock.now().getTime() + this.holdWhileUnavailableMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        return await store();
      } catch (error) {
        if (!isPgUnavailable(error) || this.clock.now().getTime() + delay > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
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
