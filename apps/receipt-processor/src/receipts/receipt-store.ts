import { Batcher } from '@maskline/core';
import type {
  MessageRepository,
  ReceiptApplication,
  ReceiptMatch,
  ReceiptRepository,
  StoredReceipt,
} from '@maskline/storage';

/** What the receipt processor needs from storage. */
export interface ReceiptStore {
  load(receiptId: string): Promise<StoredReceipt | null>;
  apply(application: ReceiptApplication): Promise<ReceiptMatch | null>;
  markProcessed(receiptId: string, messageId: string | null): Promise<void>;
  /** Parks a receipt that matched no message (processed, unmatched_at set). */
  markUnmatched(receiptId: string): Promise<void>;
}

/**
 * Receipts processed at the same time share one statement per step (load, apply, mark);
 * each job still waits for its own rows. Order within a batch is kept, so the first of
 * two receipts for one message wins, as it would one by one.
 */
export function batchedReceiptStore(
  receipts: ReceiptRepository,
  messages: MessageRepository,
  options = { maxSize: 200, maxWaitMs: 2 },
): ReceiptStore {
  const loads = new Batcher<string, StoredReceipt | null>((ids) => receipts.loadMany(ids), options);
  const applications = new Batcher<ReceiptApplication, ReceiptMatch | null>(
    (items) => messages.applyReceipts(items),
    options,
  );
  const marks = new Batcher<{ id: string; messageId: string | null }, void>(async (rows) => {
    await receipts.markManyProcessed(rows);
    return rows.map(() => undefined);
  }, options);
  return {
    load: (id) => loads.add(id),
    apply: (application) => applications.add(application),
    markProcessed: (id, messageId) => marks.add({ id, messageId }),
    markUnmatched: (id) => receipts.markManyUnmatched([id]),
  };
}
