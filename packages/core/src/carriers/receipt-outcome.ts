import type { ErrorCode } from '../errors/error-catalogue.js';
import type { TerminalStatus } from '../messages/message-status.js';
import type { ReceiptOutcome } from './carrier-events.js';

export interface ReceiptEffect {
  status: TerminalStatus;
  errorCode: ErrorCode | null;
}

/** What a receipt does to its message; null for intermediate receipts (enroute, unknown). */
export function receiptEffect(outcome: ReceiptOutcome): ReceiptEffect | null {
  switch (outcome) {
    case 'delivered':
      return { status: 'delivered', errorCode: null };
    case 'undeliverable':
      return { status: 'undeliverable', errorCode: 'delivery_failed' };
    case 'expired':
      return { status: 'expired', errorCode: 'delivery_expired' };
    case 'rejected':
      return { status: 'rejected', errorCode: 'carrier_rejected' };
    case 'enroute':
    case 'unknown':
      return null;
  }
}
