import { describe, expect, it } from 'vitest';
import {
  checkOutcome,
  generateVerificationCode,
  hashVerificationCode,
  verificationCodeMatches,
} from '../src/index.js';

const SECRET = 'verification-secret-0123456789abcdef';
const ID = '0190f5a0-0000-7000-8000-000000000001';

describe('generateVerificationCode', () => {
  it('gives exactly the asked number of digits, 4 to 10', () => {
    for (let length = 4; length <= 10; length += 1) {
      expect(generateVerificationCode(length)).toMatch(new RegExp(`^[0-9]{${length}}$`));
    }
  });

  it('refuses lengths outside 4..10', () => {
    for (const length of [3, 11, 6.5, 0]) expect(() => generateVerificationCode(length)).toThrow(RangeError);
  });

  it('uses every digit in every position (no fixed or biased digit)', () => {
    const seen = Array.from({ length: 6 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i += 1) {
      for (const [p, d] of [...generateVerificationCode(6)].entries()) seen[p]!.add(d);
    }
    for (const digits of seen) expect(digits.size).toBe(10);
  });
});

describe('hashVerificationCode / verificationCodeMatches', () => {
  it('matches the right code only', () => {
    const stored = hashVerificationCode(SECRET, ID, '482913');
    expect(verificationCodeMatches(SECRET, ID, '482913', stored)).toBe(true);
    expect(verificationCodeMatches(SECRET, ID, '482914', stored)).toBe(false);
    expect(verificationCodeMatches(SECRET, ID, '', stored)).toBe(false);
  });

  it('is keyed by the secret and bound to the verification id', () => {
    const stored = hashVerificationCode(SECRET, ID, '482913');
    expect(verificationCodeMatches(`${SECRET}x`, ID, '482913', stored)).toBe(false);
    expect(verificationCodeMatches(SECRET, ID.replace(/1$/, '2'), '482913', stored)).toBe(false);
  });

  it('stores no trace of the code: 32 bytes that do not contain it', () => {
    const stored = hashVerificationCode(SECRET, ID, '482913');
    expect(stored).toHaveLength(32);
    expect(stored.toString('latin1')).not.toContain('482913');
    expect(stored.toString('hex')).not.toContain('482913');
  });

  it('a stored hash of another length never matches (and does not throw)', () => {
    expect(verificationCodeMatches(SECRET, ID, '482913', Buffer.alloc(16))).toBe(false);
  });
});

describe('checkOutcome', () => {
  it('approves a match, fails a miss while attempts remain, locks on the last miss', () => {
    expect(checkOutcome(true, 5, 5)).toBe('approved');
    expect(checkOutcome(false, 1, 5)).toBe('failed');
    expect(checkOutcome(false, 4, 5)).toBe('failed');
    expect(checkOutcome(false, 5, 5)).toBe('locked');
  });
});
