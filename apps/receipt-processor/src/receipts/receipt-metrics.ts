import { lazyInstruments } from '@maskline/telemetry';

const instruments = lazyInstruments('maskline.receipts', (meter) => ({
  receipts: meter.createCounter('maskline.receipts', {
    description: 'Delivery receipts processed, by carrier and what became of them',
    unit: '{receipt}',
  }),
}));

/** What became of a receipt: applied, duplicate (already seen or status did not move), intermediate, retrying (its message not found yet), orphaned (parked). */
export type ReceiptMetricOutcome = 'applied' | 'duplicate' | 'intermediate' | 'retrying' | 'orphaned';

/** Counts one processed receipt; the carrier label when the receipt row was read (a duplicate id was not). */
export function countReceipt(outcome: ReceiptMetricOutcome, carrier?: string): void {
  instruments().receipts.add(1, carrier ? { carrier, outcome } : { outcome });
}
