import { afterEach, describe, expect, it, vi } from 'vitest';
import { countryOf, isE164, parseE164, rememberedParseCount } from '../src/phone/phone-number.js';

describe('remembered phone-number parses', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('parse once for the moment, answer alike, and forget every number within a second', () => {
    vi.useFakeTimers();
    vi.advanceTimersByTime(2_000); // any window left by another test has closed
    expect(rememberedParseCount()).toBe(0);
    expect(parseE164('+447400123456', 'to')).toBe('+447400123456');
    expect(countryOf('+447400123456')).toBe('GB');
    expect(isE164('+447400123456')).toBe(true);
    expect(countryOf('+14155550123')).toBe('US');
    expect(rememberedParseCount()).toBe(2);
    // The answers of a remembered parse are those of a fresh one, invalid numbers too.
    expect(() => parseE164('+447700900123', 'to')).toThrow(/not a dialable number/);
    expect(() => parseE164('+447700900123', 'to')).toThrow(/not a dialable number/);
    expect(isE164('+447700900123')).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(rememberedParseCount()).toBe(0);
    expect(countryOf('+33612345678')).toBe('FR');
  });

  it('never holds more than 256 numbers', () => {
    for (let i = 0; i < 600; i++) countryOf(`+4474001${String(i).padStart(5, '0')}`);
    expect(rememberedParseCount()).toBeLessThanOrEqual(256);
  });
});
