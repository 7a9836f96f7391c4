import { describe, expect, it } from 'vitest';
import { DEFAULT_PUMPING_THRESHOLDS, numberRange, pumpingVerdict } from '../src/index.js';

const T = { minSends: 20, minCompletionRate: 0.1 };

describe('numberRange', () => {
  it('drops the last digits and names the country', () => {
    expect(numberRange('+447946001234', 4)).toEqual({ prefix: '+44794600', country: 'GB' });
    expect(numberRange('+8613812345678', 3)).toEqual({ prefix: '+8613812345', country: 'CN' });
  });

  it('sequential numbers share a range; the next block of numbers does not', () => {
    const a = numberRange('+447946000000', 4).prefix;
    expect(numberRange('+447946009999', 4).prefix).toBe(a);
    expect(numberRange('+447946010000', 4).prefix).not.toBe(a);
  });

  it('keeps at least the + and four digits of a short number', () => {
    expect(numberRange('+2901234', 6).prefix).toBe('+2901');
  });

  it('a number without a country has a null country', () => {
    expect(numberRange('+80012345678', 4).country).toBeNull();
  });
});

describe('pumpingVerdict', () => {
  it('does not judge a range below the minimum sends, however few were checked', () => {
    expect(pumpingVerdict({ sends: 19, approvals: 0 }, T)).toEqual({ block: false });
  });

  it('blocks at the minimum sends when the completion rate is below the threshold', () => {
    expect(pumpingVerdict({ sends: 20, approvals: 1 }, T)).toEqual({ block: true, completionRate: 0.05 });
    expect(pumpingVerdict({ sends: 500, approvals: 0 }, T)).toEqual({ block: true, completionRate: 0 });
  });

  it('does not block at or above the threshold', () => {
    expect(pumpingVerdict({ sends: 20, approvals: 2 }, T)).toEqual({ block: false });
    expect(pumpingVerdict({ sends: 100, approvals: 90 }, T)).toEqual({ block: false });
  });

  it('is off with minSends 0', () => {
    expect(pumpingVerdict({ sends: 10_000, approvals: 0 }, { ...T, minSends: 0 })).toEqual({ block: false });
  });

  it('approvals counted after the window restarted cannot push the rate above 1', () => {
    expect(pumpingVerdict({ sends: 20, approvals: 40 }, T)).toEqual({ block: false });
  });

  it('defaults: 20 sends, 10 %, one-hour window and block, ranges of 10,000 numbers', () => {
    expect(DEFAULT_PUMPING_THRESHOLDS).toEqual({
      minSends: 20,
      minCompletionRate: 0.1,
      windowMs: 3_600_000,
      blockMs: 3_600_000,
      rangeDigits: 4,
    });
  });
});
