import { type Logger, PeriodicTask } from '@maskline/core';
import type { CarrierEventQueue } from '@maskline/queues';
import type { InboundRepository, ReceiptRepository, UnprocessedEvent } from '@maskline/storage';
import { countRecoveryActions } from '@maskline/telemetry';

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
 *     processed (their enqueue failed, or Redis lost the queue). A receipt travels in a
 *     batch job whose id is stored on its row: it is re-added (as a job of its own, job id =
 *     receipt id) only when neither that batch job nor a job of its own is still waiting,
 *     delayed or active (one pipelined Redis round trip per page), so a healthy backlog
 *     costs no Redis write. Inbound job ids are the row ids, so an existing job is not
 *     duplicated.
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
    this.schedule = new PeriodicTask(() => this.sweep(), settings.intervalMs, {
      name: 'carrier-event-sweep',
      itemsOf: (r) => r.receipts + r.inbound + r.parkedUnmatched + r.expiredWithoutReceipt,
    });
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
   * back empty, or at start. A receipt whose job still exists (its batch's, or its own) is
   * not re-added; inbound job ids are row ids. Returns how many were re-added (receipts) or
   * published (inbound). Throws on failure (the watch retries).
   */
  async recoverAll(reason: string): Promise<{ receipts: number; inbound: number }> {
    const receipts = await this.republishAll(
      (afterId) => this.receipts.findAllUnprocessed(afterId, this.batchSize),
      (page) => this.restoreReceipts(page),
    );
    const inbound = await this.republishAll(
      (afterId) => this.inbound.findAllUnprocessed(afterId, this.batchSize),
      async (page) => {
        await Promise.all(
          page.map((i) => this.events.publishInbound({ carrierId: i.carrierId, inboundId: i.id })),
        );
        return page.length;
      },
    );
    countRecoveryActions(
      'carrier-event-sweep',
      { receipts_reenqueued: receipts, inbound_reenqueued: inbound },
      reason,
    );
    this.logger.info({ reason, receipts, inbound }, 're-enqueued unprocessed carrier events');
    return { receipts, inbound };
  }

  /** Pages through every unprocessed row (keyset by id) and publishes each page; sums what publish counted. */
  private async republishAll(
    find: (afterId: string | null) => Promise<UnprocessedEvent[]>,
    publish: (page: UnprocessedEvent[]) => Promise<number>,
  ): Promise<number> {
    let count = 0;
    for (let afterId: string | null = null; ; ) {
      const page = await find(afterId);
      if (page.length > 0) count += await publish(page);
      if (page.length < this.batchSize) return count;
      afterId = page[page.length - 1]!.id;
    }
  }

  /** Re-adds, each as a job of its own, the receipts of `page` that no job will process; returns how many. */
  private async restoreReceipts(page: readonly UnprocessedEvent[]): Promise<number> {
    const lost = new Set(await this.events.receiptsToRestore(page));
    const jobs = page.filter((r) => lost.has(r.id)).map((r) => ({ carrierId: r.carrierId, receiptId: r.id }));
    if (jobs.length > 0) await this.events.publishReceipts(jobs);
    return jobs.length;
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
      const restored = await this.restoreReceipts(receipts);
      for (const i of inbound) await this.events.publishInbound({ carrierId: i.carrierId, inboundId: i.id });
      const report = {
        receipts: restored,
        inbound: inbound.length,
        parkedUnmatched,
        expiredWithoutReceipt,
      };
      countRecoveryActions('carrier-event-sweep', {
        receipts_reenqueued: restored,
        inbound_reenqueued: inbound.length,
        receipts_parked_unmatched: parkedUnmatched,
        messages_expired_without_receipt: expiredWithoutReceipt,
      });
      if (Object.values(report).some((n) => n > 0)) this.logger.info(report, 'sweep');
      return report;
    } catch (error) {
      this.logger.warn({ err: error }, 'sweep failed; will retry');
      return EMPTY;
    }
  }
}
