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

/** One part of a message sent in several parts, with its receipt's effect so far. */
export interface PartReceipt {
  index: number;
  effect: ReceiptEffect | null;
}

/**
 * A multipart message's status from its parts' receipts, or null while undecided:
 *  - a part that failed (undeliverable, expired, rejected) decides at once: the
 *    message failed that way (the lowest-numbered failed part names it);
 *  - the last part delivered means the handset has the message (it cannot show it
 *    before every part arrived), which also covers carriers that send a receipt for
 *    the last part only;
 *  - otherwise every part delivered.
 * A failure reported for an earlier part after the message was decided is recorded on
 * the part but does not move the message (statuses are monotonic).
 */
export function multipartEffect(parts: readonly PartReceipt[]): ReceiptEffect | null {
  if (parts.length === 0) return null;
  const ordered = [...parts].sort((a, b) => a.index - b.index);
  const failed = ordered.find((p) => p.effect && p.effect.status !== 'delivered');
  if (failed) return failed.effect;
  if (ordered.at(-1)!.effect?.status === 'delivered') return ordered.at(-1)!.effect;
  return ordered.every((p) => p.effect?.status === 'delivered') ? ordered[0]!.effect : null;
}
