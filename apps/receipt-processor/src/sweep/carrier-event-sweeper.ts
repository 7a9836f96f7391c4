import { type Logger, PeriodicTask } from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import type { InboundRepository, ReceiptRepository } from '@maskline/storage';

/**
 * Re-enqueues receipts and inbound messages that are durable in Postgres but were never
 * processed (their enqueue failed, or Redis lost the queue). Job ids are the row ids, so
 * a row whose job still exists is not duplicated.
 */
export class CarrierEventSweeper {
  private readonly schedule: PeriodicTask<number>;

  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly inbound: InboundRepository,
    private readonly events: CarrierEventQueue,
    private readonly logger: Logger,
    private readonly settings: { afterMs: number; intervalMs: number },
  ) {
    this.schedule = new PeriodicTask(() => this.sweep(), settings.intervalMs);
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** One sweep (never two at once); returns how many rows were re-enqueued. */
  runOnce(): Promise<number> {
    return this.schedule.runOnce();
  }

  private async sweep(): Promise<number> {
    try {
      const [receipts, inbound] = await Promise.all([
        this.receipts.findUnprocessed(this.settings.afterMs, 1_000),
        this.inbound.findUnprocessed(this.settings.afterMs, 1_000),
      ]);
      if (receipts.length > 0) {
        await this.events.publishReceipts(receipts.map((r) => ({ carrierId: r.carrierId, receiptId: r.id })));
      }
      for (const i of inbound) await this.events.publishInbound({ carrierId: i.carrierId, inboundId: i.id });
      const total = receipts.length + inbound.length;
      if (total > 0)
        this.logger.info({ receipts: receipts.length, inbound: inbound.length }, 'sweep re-enqueued');
      return total;
    } catch (error) {
      this.logger.warn({ err: error }, 'sweep failed; will retry');
      return 0;
    }
  }
}
