import {
  canTransition,
  isErrorCode,
  isTerminal,
  RECEIPT_OUTCOMES,
  type ReceiptEffect,
  type ReceiptOutcome,
  receiptEffect,
} from '@maskline/core';
import { describe, expect, it } from 'vitest';

const EXPECTED: Record<ReceiptOutcome, ReceiptEffect | null> = {
  delivered: { status: 'delivered', errorCode: null },
  undeliverable: { status: 'undeliverable', errorCode: 'delivery_failed' },
  expired: { status: 'expired', errorCode: 'delivery_expired' },
  rejected: { status: 'rejected', errorCode: 'carrier_rejected' },
  enroute: null,
  unknown: null,
};

describe('receiptEffect', () => {
  it('knows exactly the six receipt outcomes', () => {
    expect([...RECEIPT_OUTCOMES].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(RECEIPT_OUTCOMES)('maps %s', (outcome) => {
    expect(receiptEffect(outcome)).toEqual(EXPECTED[outcome]);
  });

  it('moves a message only to a terminal status, with an error code unless delivered', () => {
    for (const outcome of RECEIPT_OUTCOMES) {
      const effect = receiptEffect(outcome);
      if (effect === null) continue;
      expect(isTerminal(effect.status)).toBe(true);
      if (effect.status === 'delivered') expect(effect.errorCode).toBeNull();
      else expect(isErrorCode(effect.errorCode)).toBe(true);
    }
  });

  it('produces statuses a submitted message may move to, and a final one may not', () => {
    for (const outcome of RECEIPT_OUTCOMES) {
      const effect = receiptEffect(outcome);
      if (effect === null) continue;
      expect(canTransition('submitted', effect.status)).toBe(true);
      expect(canTransition('delivered', effect.status)).toBe(false);
    }
  });

  it('returns a fresh object each time (callers cannot corrupt the mapping)', () => {
    const first = receiptEffect('undeliverable')!;
    (first as { errorCode: string | null }).errorCode = null;
    expect(receiptEffect('undeliverable')).toEqual(EXPECTED.undeliverable);
  });
});
