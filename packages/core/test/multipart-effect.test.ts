import { describe, expect, it } from 'vitest';
import { multipartEffect, type PartReceipt, receiptEffect } from '../src/carriers/receipt-outcome.js';

const delivered = receiptEffect('delivered');
const undeliverable = receiptEffect('undeliverable');
const expired = receiptEffect('expired');
const parts = (...effects: (typeof delivered)[]): PartReceipt[] =>
  effects.map((effect, index) => ({ index, effect }));

describe('a multipart message’s status from its parts', () => {
  it('waits while parts are pending and none failed', () => {
    expect(multipartEffect(parts(null, null, null))).toBeNull();
    expect(multipartEffect(parts(delivered, delivered, null))).toBeNull();
    expect(multipartEffect([])).toBeNull();
  });

  it('is delivered when every part is, or when the last part is (last-part-only carriers)', () => {
    expect(multipartEffect(parts(delivered, delivered, delivered))).toEqual(delivered);
    expect(multipartEffect(parts(null, null, delivered))).toEqual(delivered);
  });

  it('fails at the first failed part, whatever the others say', () => {
    expect(multipartEffect(parts(delivered, undeliverable, null))).toEqual(undeliverable);
    expect(multipartEffect(parts(expired, undeliverable, delivered))).toEqual(expired);
    expect(multipartEffect(parts(null, null, undeliverable))).toEqual(undeliverable);
  });

  it('does not depend on the order parts are listed in', () => {
    const shuffled: PartReceipt[] = [
      { index: 2, effect: null },
      { index: 0, effect: delivered },
      { index: 1, effect: delivered },
    ];
    expect(multipartEffect(shuffled)).toBeNull();
    expect(
      multipartEffect([
        { index: 1, effect: delivered },
        { index: 0, effect: null },
      ]),
    ).toEqual(delivered);
  });
});
