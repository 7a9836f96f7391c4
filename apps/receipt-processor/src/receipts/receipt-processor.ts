import { type Logger, MasklineError } from '@maskline/core';
import {
  CARRIER_EVENTS_QUEUE,
  type CarrierEventQueue,
  type ReceiptBatchJob,
  type ReceiptJob,
  receiptBatchJobSchema,
  receiptJobSchema,
} from '@maskline/queues';
import type { BatchReceipt, BatchReceiptResult, ReceiptMatch } from '@maskline/storage';
import { ATTR, extractTraceContext, processAttributes, recordFinal, SPAN } from '@maskline/telemetry';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { type Job, UnrecoverableError } from 'bullmq';
import { countReceipt } from './receipt-metrics.js';
import type { ReceiptStore } from './receipt-store.js';

export type ReceiptOutcomeOfJob = 'applied' | 'duplicate' | 'intermediate' | 'orphaned';

/** How many receipts of a batch job ended each way (`retrying`: re-added as a job of its own). */
export type ReceiptBatchOutcome = Record<Exclude<ReceiptOutcomeOfJob, 'orphaned'> | 'retrying', number>;

/** How long a receipt that matched no message (yet) waits before its own job tries again. */
export const UNMATCHED_RETRY_DELAY_MS = 500;

/**
 * Applies receipts to their messages. Idempotent: a processed receipt is skipped, and the
 * status update is monotonic, so a duplicate or late receipt changes nothing.
 *
 * A batch job (`receipts`) applies all its receipts together (one statement, shared with the
 * jobs running beside it). If the database fails, the whole job throws and BullMQ retries it.
 * A receipt in it that overtook its message's `submitted` commit is re-added as a job of its
 * own (job id = receipt id) with a delay, before the batch job completes. A single-receipt
 * job (`receipt`: such a retry, or a restore) is retried until the message appears; one still
 * unmatched after its last attempt is parked (the sweep parks it sooner, after
 * RECEIPT_UNMATCHED_AFTER_MS).
 * Each receipt's span continues its message's trace, found through the row the carrier id names.
 */
export class ReceiptProcessor {
  constructor(
    private readonly store: ReceiptStore,
    private readonly retries: Pick<CarrierEventQueue, 'publishReceipts'>,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
    private readonly retryDelayMs = UNMATCHED_RETRY_DELAY_MS,
  ) {}

  async processBatch(job: Job<ReceiptBatchJob>): Promise<ReceiptBatchOutcome> {
    const parsed = receiptBatchJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid_request');
    const startTime = new Date();
    const results = await Promise.all(parsed.data.receiptIds.map((id) => this.store.apply(id)));
    const unmatched = results.flatMap((r) => (r.kind === 'unmatched' ? [r.receipt] : []));
    if (unmatched.length > 0) {
      await this.retries.publishReceipts(
        unmatched.map((r) => ({ carrierId: r.carrierId, receiptId: r.id })),
        this.retryDelayMs,
      );
    }
    const outcome: ReceiptBatchOutcome = { applied: 0, duplicate: 0, intermediate: 0, retrying: 0 };
    for (const result of results) {
      const settled = result.kind === 'unmatched' ? 'retrying' : this.settle(result, startTime);
      outcome[settled] += 1;
      countReceipt(settled, 'receipt' in result ? result.receipt.carrierId : undefined);
    }
    return outcome;
  }

  async process(job: Job<ReceiptJob>): Promise<ReceiptOutcomeOfJob> {
    const parsed = receiptJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid_request');
    const startTime = new Date();
    const result = await this.store.apply(parsed.data.receiptId);
    if (result.kind !== 'unmatched') {
      const settled = this.settle(result, startTime);
      countReceipt(settled, 'receipt' in result ? result.receipt.carrierId : undefined);
      return settled;
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (!lastAttempt) {
      countReceipt('retrying', result.receipt.carrierId);
      throw new MasklineError('receipt_unmatched');
    }
    await this.store.markUnmatched(result.receipt.id);
    countReceipt('orphaned', result.receipt.carrierId);
    this.logger.warn(
      { receiptId: result.receipt.id, carrier: result.receipt.carrierId },
      'receipt matched no message: parked',
    );
    return 'orphaned';
  }

  /** A processed receipt's outcome, its span recorded when it matched a message. */
  private settle(
    result: Exclude<BatchReceiptResult, { kind: 'unmatched' }>,
    startTime: Date,
  ): Exclude<ReceiptOutcomeOfJob, 'orphaned'> {
    if (result.kind !== 'matched') return result.kind;
    this.recordSpan(result.receipt, result.match, startTime);
    if (result.match.applied) recordFinal(result.receipt.carrierId, result.match.status, result.match);
    return result.match.applied ? 'applied' : 'duplicate';
  }

  private recordSpan(receipt: BatchReceipt, match: ReceiptMatch, startTime: Date): void {
    this.tracer
      .startSpan(
        SPAN.receipt,
        {
          startTime,
          kind: SpanKind.CONSUMER,
          attributes: {
            ...processAttributes(CARRIER_EVENTS_QUEUE),
            [ATTR.messageId]: match.messageId,
            [ATTR.carrier]: receipt.carrierId,
            [ATTR.carrierMessageId]: receipt.carrierMessageId,
            [ATTR.receiptOutcome]: receipt.outcome,
            [ATTR.status]: match.status,
          },
        },
        extractTraceContext(match.traceContext),
      )
      .end();
  }
}
