import { type Logger, PeriodicTask } from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import type { InboundRepository, ReceiptRepository, UnprocessedEvent } from '@maskline/storage';

export interface SweepSettings {
  /** Unprocessed rows older than this are enqueued again. */
  afterMs: number;
  intervalMs: number;
  /** Unprocessed receipts older than this that match no message are parked as unmatched. */
  unmatchedAfterMs: number;
  /** Messages `submitted` longer than this (validity + grace) end `expired` (receipt_timeout). */
  receiptDeadlineMs: number;
  /** Rows each step handles per sweep at most. */
  batchSize?: number;
}

/** What one sweep did; logged when anything happened. */
export interface SweepReport {
  receipts: number;
  inbound: number;
  parkedUnmatched: number;
  expiredWithoutReceipt: number;
}

const EMPTY: SweepReport = { receipts: 0, inbound: 0, parkedUnmatched: 0, expiredWithoutReceipt: 0 };

/**
 * The receipt side's periodic repairs, each one indexed statement per sweep (no timer per
 * message):
 *  1. parks receipts that matched no message for longer than `unmatchedAfterMs` (so they
 *     stop coming back, and stay queryable: receipts.unmatched_at);
 *  2. ends messages whose final receipt never came (`expired`, `receipt_timeout`);
 *  3. re-enqueues receipts and inbound messages that are durable in Postgres but were never
 *     processed (their enqueue failed, or Redis lost the queue). Job ids are the row ids,
 *     so a row whose job still exists is not duplicated.
 */
export class CarrierEventSweeper {
  private readonly schedule: PeriodicTask<SweepReport>;
  private readonly batchSize: number;

  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly inbound: InboundRepository,
    private readonly events: CarrierEventQueue,
    private readonly logger: Logger,
    private readonly settings: SweepSettings,
  ) {
    this.batchSize = settings.batchSize ?? 1_000;
    this.schedule = new PeriodicTask(() => this.sweep(), settings.intervalMs);
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** One sweep (never two at once). */
  runOnce(): Promise<SweepReport> {
    return this.schedule.runOnce();
  }

  /**
   * Re-enqueues every unprocessed receipt and inbound message at once, whatever its age,
   * in pages of `batchSize` (keyset by id): run when the RedisLossWatch sees Redis come
   * back empty, or at start. Job ids are row ids, so a job that still exists is not
   * duplicated. Throws on failure (the watch retries).
   */
  async recoverAll(reason: string): Promise<{ receipts: number; inbound: number }> {
    const receipts = await this.republishAll(
      (afterId) => this.receipts.findAllUnprocessed(afterId, this.batchSize),
      (page) => this.events.publishReceipts(page.map((r) => ({ carrierId: r.carrierId, receiptId: r.id }))),
    );
    const inbound = await this.republishAll(
      (afterId) => this.inbound.findAllUnprocessed(afterId, this.batchSize),
      async (page) => {
        await Promise.all(
          page.map((i) => this.events.publishInbound({ carrierId: i.carrierId, inboundId: i.id })),
        );
      },
    );
    this.logger.info({ reason, receipts, inbound }, 're-enqueued unprocessed carrier events');
    return { receipts, inbound };
  }

  /** Pages through every unprocessed row (keyset by id) and publishes each page; returns the count. */
  private async republishAll(
    find: (afterId: string | null) => Promise<UnprocessedEvent[]>,
    publish: (page: UnprocessedEvent[]) => Promise<void>,
  ): Promise<number> {
    let count = 0;
    for (let afterId: string | null = null; ; ) {
      const page = await find(afterId);
      if (page.length > 0) await publish(page);
      count += page.length;
      if (page.length < this.batchSize) return count;
      afterId = page[page.length - 1]!.id;
    }
  }

  private async sweep(): Promise<SweepReport> {
    try {
      const parkedUnmatched = await this.receipts.parkUnmatched(
        this.settings.unmatchedAfterMs,
        this.batchSize,
      );
      const expiredWithoutReceipt = await this.receipts.expireOverdueMessages(
        this.settings.receiptDeadlineMs,
        this.batchSize,
      );
      const [receipts, inbound] = await Promise.all([
        this.receipts.findUnprocessed(this.settings.afterMs, this.batchSize),
        this.inbound.findUnprocessed(this.settings.afterMs, this.batchSize),
      ]);
      if (receipts.length > 0) {
        await this.events.publishReceipts(receipts.map((r) => ({ carrierId: r.carrierId, receiptId: r.id })));
      }
      for (const i of inbound) await this.events.publishInbound({ carrierId: i.carrierId, inboundId: i.id });
      const report = {
        receipts: receipts.length,
        inbound: inbound.length,
        parkedUnmatched,
        expiredWithoutReceipt,
      };
      if (Object.values(report).some((n) => n > 0)) this.logger.info(report, 'sweep');
      return report;
    } catch (error) {
      this.logger.warn({ err: error }, 'sweep failed; will retry');
      return EMPTY;
    }
  }
}
