import {
  Batcher,
  type CarrierEvent,
  type CarrierEventSink,
  type Clock,
  type ReceiptEvent,
} from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import type { InboundRepository, ReceiptRepository } from '@maskline/storage';

/**
 * Where a plugin's receipts and inbound messages go. Each event is written to Postgres
 * first (so losing Redis loses nothing), then its id is enqueued. publish() resolves only
 * then, and the plugin acknowledges the carrier only after that.
 * If the enqueue fails after the insert, the receipt processor's sweep enqueues the row.
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
  ) {}

  async publish(event: CarrierEvent): Promise<void> {
    if (event.type === 'receipt') return this.receiptBatches.add(event);
    const inboundId = await this.inbound.insert(this.carrierId, {
      ...event,
      receivedAt: event.receivedAt || this.clock.now().toISOString(),
    });
    await this.enqueueLater(() => this.events.publishInbound({ carrierId: this.carrierId, inboundId }));
  }

  /**
   * The row is durable; a failed enqueue is repaired by the sweep, not by the carrier. The
   * failure is reported (counted, logged once per Redis outage), not thrown.
   */
  private async enqueueLater(enqueue: () => Promise<void>): Promise<void> {
    await enqueue().catch((error: unknown) => this.reportEnqueueFailure(error));
  }
}
