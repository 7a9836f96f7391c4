import { Batcher } from '@maskline/core';
import type { BatchReceiptResult, ReceiptRepository } from '@maskline/storage';

/** What the receipt processor needs from storage. */
export interface ReceiptStore {
  /** Loads, applies and marks one receipt (see ReceiptRepository.applyBatch). */
  apply(receiptId: string): Promise<BatchReceiptResult>;
  /** Parks a receipt that matched no message (processed, unmatched_at set). */
  markUnmatched(receiptId: string): Promise<void>;
}

/**
 * Every receipt id processed at the same time (a batch job's ids, plus those of jobs running
 * beside it, such as single-receipt restores after Redis lost its data) shares one
 * applyBatch call: one statement for the lot. Order is kept, so the first of two receipts
 * for one message wins, as it would one by one.
 */
export function batchedReceiptStore(
  receipts: Pick<ReceiptRepository, 'applyBatch' | 'markManyUnmatched'>,
  options = { maxSize: 1_000, maxWaitMs: 2 },
): ReceiptStore {
  const applications = new Batcher<string, BatchReceiptResult>((ids) => receipts.applyBatch(ids), options);
  return {
    apply: (id) => applications.add(id),
    markUnmatched: (id) => receipts.markManyUnmatched([id]),
  };
}
