import { isMasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { parseCertificateSha256 } from '../src/auth/client-certificate.js';

const HEX = 'ab'.repeat(32);

describe('parseCertificateSha256', () => {
  it('takes 64 hex digits, with or without colons, in any case; null unbinds', () => {
    expect(parseCertificateSha256(HEX)).toBe(HEX);
    expect(parseCertificateSha256(HEX.toUpperCase())).toBe(HEX);
    expect(parseCertificateSha256(Array(32).fill('AB').join(':'))).toBe(HEX);
    expect(parseCertificateSha256(null)).toBeNull();
  });

  it.each([
    ['too short', 'ab'.repeat(31)],
    ['too long', 'ab'.repeat(33)],
    ['not hex', 'zz'.repeat(32)],
    ['stray colons', `${'ab'.repeat(31)}:ab`],
    ['a number', 42],
    ['SHA-1 with colons', Array(20).fill('AB').join(':')],
  ])('refuses %s with 400 invalid_request naming the field', (_what, input) => {
    try {
      parseCertificateSha256(input, '--cert-sha256');
      expect.unreachable();
    } catch (error) {
      expect(isMasklineError(error) && error.code).toBe('invalid_request');
      expect(isMasklineError(error) && error.details).toEqual({ field: '--cert-sha256' });
    }
  });
});
