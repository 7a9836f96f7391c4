import { describe, expect, it } from 'vitest';
import { canonicalMessageId, receiptIdInSubmitForm } from '../src/message-id.js';

describe('carrier message ids', () => {
  it.each([
    ['000A1B', 'a1b'],
    ['a1b', 'a1b'],
    ['  0042 ', '42'],
    ['000', '0'],
    ['msg-1', 'msg-1'],
  ])('canonical form of %j is %j', (id, expected) => {
    expect(canonicalMessageId(id)).toBe(expected);
  });

  it('matches a decimal receipt id to a hex submit id', () => {
    const submitted = canonicalMessageId('0x1A2B'.slice(2)); // what submit_sm_resp gave: 1A2B
    expect(receiptIdInSubmitForm('6699', 'decimal-in-receipt')).toBe(submitted);
    expect(receiptIdInSubmitForm('0006699', 'decimal-in-receipt')).toBe(submitted);
  });

  it('matches a hex receipt id to a decimal submit id, beyond 2^53', () => {
    const decimal = '18446744073709551615';
    expect(receiptIdInSubmitForm('FFFFFFFFFFFFFFFF', 'hex-in-receipt')).toBe(decimal);
  });

  it('keeps an id that does not parse in the expected radix', () => {
    expect(receiptIdInSubmitForm('abc', 'decimal-in-receipt')).toBe('abc');
    expect(receiptIdInSubmitForm('XYZ-1', 'hex-in-receipt')).toBe('xyz-1');
    expect(receiptIdInSubmitForm('00Ab', 'same')).toBe('ab');
  });
});
