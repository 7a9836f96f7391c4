import { type Logger, MasklineError, receiptEffect } from '@maskline/core';
import { type ReceiptJob, receiptJobSchema } from '@maskline/queues';
import { ATTR, extractTraceContext, SPAN } from '@maskline/telemetry';
import type { Tracer } from '@opentelemetry/api';
import { type Job, UnrecoverableError } from 'bullmq';
import type { ReceiptStore } from './receipt-store.js';

export type ReceiptOutcomeOfJob = 'applied' | 'duplicate' | 'intermediate' | 'orphaned';

/**
 * Applies one receipt to its message. Idempotent: a processed receipt is skipped, and the
 * status update is monotonic, so a duplicate or late receipt changes nothing. A receipt
 * that overtook its message's `submitted` commit is retried until the message appears;
 * one still unmatched after its last attempt is parked (the sweep parks it sooner, after
 * RECEIPT_UNMATCHED_AFTER_MS).
 * Its span continues the message's trace, found through the row the carrier id names.
 */
export class ReceiptProcessor {
  constructor(
    private readonly store: ReceiptStore,
    private readonly tracer: Tracer,
    private readonly logger: Logger,
  ) {}

  async process(job: Job<ReceiptJob>): Promise<ReceiptOutcomeOfJob> {
    const parsed = receiptJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid_request');
    const startTime = new Date();
    const receipt = await this.store.load(parsed.data.receiptId);
    if (!receipt || receipt.processed) return 'duplicate';
    const effect = receiptEffect(receipt.outcome);
    if (!effect) {
      await this.store.markProcessed(receipt.id, null);
      return 'intermediate';
    }
    const match = await this.store.apply({
      carrierId: receipt.carrierId,
      carrierMessageId: receipt.carrierMessageId,
      status: effect.status,
      errorCode: effect.errorCode,
    });
    if (!match) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!lastAttempt) throw new MasklineError('receipt_unmatched');
      await this.store.markUnmatched(receipt.id);
      this.logger.warn(
        { receiptId: receipt.id, carrier: receipt.carrierId },
        'receipt matched no message: parked',
      );
      return 'orphaned';
    }
    const span = this.tracer.startSpan(
      SPAN.receipt,
      {
        startTime,
        attributes: {
          [ATTR.messageId]: match.messageId,
          [ATTR.carrier]: receipt.carrierId,
          [ATTR.carrierMessageId]: receipt.carrierMessageId,
          [ATTR.receiptOutcome]: receipt.outcome,
          [ATTR.status]: match.status,
        },
      },
      extractTraceContext(match.traceContext),
    );
    try {
      await this.store.markProcessed(receipt.id, match.messageId);
    } finally {
      span.end();
    }
    return match.applied ? 'applied' : 'duplicate';
  }
}
