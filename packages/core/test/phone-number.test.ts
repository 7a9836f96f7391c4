import { isE164, MasklineError, maskPhoneNumber, parseE164 } from '@maskline/core';
import { describe, expect, it } from 'vitest';

const VALID = [
  ['US', '+14155550123'],
  ['CN', '+8613812345678'],
  ['GB', '+442071838750'],
  ['GG/GB mobile', '+447911123456'],
  ['DE', '+4915123456789'],
  ['FR', '+33612345678'],
  ['JP', '+819012345678'],
  ['BR', '+5511912345678'],
  ['IN', '+919876543210'],
  ['AU', '+61412345678'],
] as const;

const INVALID: readonly (readonly [string, unknown])[] = [
  ['national UK format', '07911 123456'],
  ['national US format', '(415) 555-0123'],
  ['digits without +', '4155550123'],
  ['international prefix 00 instead of +', '008613812345678'],
  ['Chinese national mobile', '13812345678'],
  ['dashes', '+1-415-555-0123'],
  ['spaces inside', '+44 7911 123456'],
  ['letters', '+1415555O123'],
  ['letters only', '+abcdefghij'],
  ['empty', ''],
  ['just a plus', '+'],
  ['too short (6 digits)', '+123456'],
  ['too short for its country', '+3531234567'],
  ['too long (16 digits)', '+8613812345678901'],
  ['leading zero country code', '+0613812345678'],
  ['number, not string', 8613812345678],
  ['null', null],
  ['undefined', undefined],
  ['object', { number: '+8613812345678' }],
  ['array', ['+8613812345678']],
];

function thrown(fn: () => unknown): MasklineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MasklineError);
    return error as MasklineError;
  }
  throw new Error('expected a MasklineError to be thrown');
}

describe('parseE164', () => {
  it.each(VALID)('accepts a valid %s number', (_country, number) => {
    expect(parseE164(number, 'to')).toBe(number);
    expect(isE164(number)).toBe(true);
  });

  it('trims surrounding whitespace and returns the E.164 form', () => {
    expect(parseE164('  +8613812345678\n', 'to')).toBe('+8613812345678');
  });

  it.each(INVALID)('rejects %s', (_label, input) => {
    const error = thrown(() => parseE164(input, 'to'));
    expect(error.code).toBe('invalid_phone_number');
    expect(error.status).toBe(400);
    expect(isE164(input)).toBe(false);
  });

  it.each(INVALID)('names the field and never echoes the digits (%s)', (_label, input) => {
    const error = thrown(() => parseE164(input, 'from'));
    expect(error.details).toMatchObject({ field: 'from' });
    expect(error.message).toMatch(/\bfrom\b/);
    const digits = (typeof input === 'string' ? input : (JSON.stringify(input) ?? '')).replace(/\D/g, '');
    const everything = [error.message, error.stack ?? '', JSON.stringify(error.toResponseBody())].join('\n');
    if (digits.length >= 4) {
      expect(everything).not.toContain(digits);
      // nor a recognisable tail of the number
      expect(everything).not.toContain(digits.slice(-6));
    }
    if (typeof input === 'string' && input.trim() !== '' && input !== '+') {
      expect(everything).not.toContain(input.trim());
    }
  });
});

describe('parseE164: numbering plan', () => {
  it.each([
    ['an unassigned UK range', '+447700900123'],
    ['a US 555 number', '+15550001111'],
    ['an unassigned country code', '+999123456789'],
    ['too short for its country', '+3531234567'],
  ])('calls E.164-shaped %s "not a dialable number" (reason not_dialable)', (_label, input) => {
    const error = thrown(() => parseE164(input, 'to'));
    expect(error.code).toBe('invalid_phone_number');
    expect(error.message).toBe(
      "to is not a dialable number: its country's numbering plan has no such number.",
    );
    expect(error.message).not.toContain('E.164');
    expect(error.details).toEqual({ field: 'to', reason: 'not_dialable' });
  });

  it.each([
    ['national format', '07700 900123'],
    ['too long', '+4477009001234567'],
  ])('keeps "not a valid E.164 phone number" for a number not in E.164 shape (%s)', (_label, input) => {
    const error = thrown(() => parseE164(input, 'to'));
    expect(error.message).toBe('to is not a valid E.164 phone number.');
    expect(error.details).toEqual({ field: 'to' });
  });
});

describe('maskPhoneNumber', () => {
  it('masks a Chinese mobile as +86138****5678', () => {
    expect(maskPhoneNumber('+8613812345678')).toBe('+86138****5678');
  });

  it('masks a UK mobile as documented in the API reference', () => {
    expect(maskPhoneNumber('+447911123456')).toBe('+4479****3456');
  });

  const digits = '987654321012345';
  it.each(Array.from({ length: 9 }, (_, i) => i + 7))(
    'hides at least four digits of a %i-digit number',
    (n) => {
      const number = `+${digits.slice(0, n)}`;
      const masked = maskPhoneNumber(number);
      expect(masked).toHaveLength(number.length);
      expect(masked.startsWith('+')).toBe(true);
      const stars = masked.match(/\*/g)?.length ?? 0;
      expect(stars).toBeGreaterThanOrEqual(4);
      // Stars form one run in the middle, the visible digits are the number's own head and tail.
      const match = /^\+(\d+)(\*+)(\d+)$/.exec(masked);
      expect(match).not.toBeNull();
      const [, head, , tail] = match!;
      expect(number.slice(1).startsWith(head!)).toBe(true);
      expect(number.endsWith(tail!)).toBe(true);
      expect(head!.length + stars + tail!.length).toBe(n);
    },
  );

  it('hides every digit of a very short value', () => {
    expect(maskPhoneNumber('+123456')).toBe('+******');
    expect(maskPhoneNumber('+12')).toBe('+**');
  });
});
