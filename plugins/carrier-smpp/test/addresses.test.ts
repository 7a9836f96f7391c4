import { MasklineError } from '@maskline/core';
import { describe, expect, it } from 'vitest';
import { destinationAddress, inboundAddress, sourceAddress } from '../src/addresses.js';
import { smppConfigSchema } from '../src/config.js';

const config = smppConfigSchema.parse({ host: 'smsc', systemId: 'maskline' });

const failure = (fn: () => unknown): MasklineError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MasklineError);
    return error as MasklineError;
  }
  throw new Error('expected a MasklineError');
};

describe('sourceAddress', () => {
  it('derives TON/NPI from the sender shape', () => {
    expect(sourceAddress('+15550001111', config)).toEqual({ addr: '15550001111', ton: 1, npi: 1 });
    expect(sourceAddress('Maskline', config)).toEqual({ addr: 'Maskline', ton: 5, npi: 0 });
    expect(sourceAddress('My Bank 24', config)).toEqual({ addr: 'My Bank 24', ton: 5, npi: 0 });
    expect(sourceAddress('12345', config)).toEqual({ addr: '12345', ton: 0, npi: 1 });
  });

  it('uses the configured TON/NPI', () => {
    const custom = smppConfigSchema.parse({
      host: 'smsc',
      systemId: 'maskline',
      sourceTonAlphanumeric: 5,
      sourceNpiAlphanumeric: 9,
      sourceTonNumeric: 3,
    });
    expect(sourceAddress('Maskline', custom)).toMatchObject({ ton: 5, npi: 9 });
    expect(sourceAddress('12345', custom)).toMatchObject({ ton: 3, npi: 1 });
  });

  it.each([
    ['an empty sender', ''],
    ['an alphanumeric sender over 11 characters', 'MasklineBank'],
    ['a non-ASCII sender', 'Bänk'],
    ['a NUL (would corrupt the C-octet string)', 'Bank\u0000x'],
    ['surrounding spaces', ' Bank'],
    ['more than 20 digits', '1'.repeat(21)],
  ])('refuses %s as carrier_rejected, without echoing it', (_, from) => {
    const error = failure(() => sourceAddress(from, config));
    expect(error.code).toBe('carrier_rejected');
    expect(error.details).toEqual({ field: 'from' });
    if (from) expect(error.message).not.toContain(from);
  });
});

describe('destinationAddress', () => {
  it('sends E.164 without the plus, TON 1 / NPI 1', () => {
    expect(destinationAddress('+447700900123', config)).toEqual({ addr: '447700900123', ton: 1, npi: 1 });
  });

  it.each(['447700900123', '+0447700900', '+1234567890123456', '+44 7700 900123', ''])(
    'refuses %j as carrier_invalid_destination',
    (to) => {
      const error = failure(() => destinationAddress(to, config));
      expect(error.code).toBe('carrier_invalid_destination');
      expect(error.retry).toBe('permanent');
      if (to) expect(error.message).not.toContain(to);
    },
  );
});

describe('inboundAddress', () => {
  it('gives an international number its plus back and leaves the rest alone', () => {
    expect(inboundAddress('447700900123', 1)).toBe('+447700900123');
    expect(inboundAddress('12345', 0)).toBe('12345');
    expect(inboundAddress('BANK', 1)).toBe('BANK');
  });
});
