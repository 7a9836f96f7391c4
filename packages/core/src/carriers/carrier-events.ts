/**
 * Events a carrier plugin reports to its host. The host makes them durable before the
 * plugin acknowledges them to the carrier (at-least-once). Receipts carry ids only;
 * inbound events carry clear numbers and text, which the host stores encrypted and never
 * puts on a queue.
 */
export const RECEIPT_OUTCOMES = [
  'delivered',
  'undeliverable',
  'expired',
  'rejected',
  'enroute',
  'unknown',
] as const;

export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

export interface ReceiptEvent {
  type: 'receipt';
  /** The carrier's message id as the receipt gives it. */
  carrierMessageId: string;
  outcome: ReceiptOutcome;
  /** The carrier's own status word, e.g. DELIVRD. */
  carrierStatus: string;
  /** The carrier's or network's error code, when given. */
  networkErrorCode?: string;
  /** When the carrier says the message reached its final state (ISO 8601). */
  doneAt?: string;
}

export interface InboundEvent {
  type: 'inbound';
  from: string;
  to: string;
  body: string;
  /** The carrier's id for the inbound message, when it gives one. */
  carrierMessageId?: string;
  receivedAt: string;
}

export type CarrierEvent = ReceiptEvent | InboundEvent;

export interface CarrierEventSink {
  /**
   * Resolves once the host has made the event durable; only then may the plugin
   * acknowledge it to the carrier. A rejection means "not accepted": the plugin answers
   * the carrier with a temporary error so the carrier redelivers.
   */
  publish(event: CarrierEvent): Promise<void>;
}
