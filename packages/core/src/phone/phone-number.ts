import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { MasklineError } from '../errors/maskline-error.js';

/** A phone number normalized to E.164 (`+` and 8 to 15 digits). */
export type E164 = string & { readonly __brand: 'E164' };

const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/**
 * Parse a client-supplied number. Only E.164 is accepted (no national formats: a gateway
 * must not guess a country). `field` names the request field in the error; the number
 * itself never appears in the error.
 */
export function parseE164(input: unknown, field: string): E164 {
  if (typeof input !== 'string') {
    throw new MasklineError('invalid_phone_number', {
      message: `${field} must be a string in E.164 format, e.g. +14155550123.`,
      details: { field },
    });
  }
  const compact = input.trim();
  if (!E164_SHAPE.test(compact)) {
    throw new MasklineError('invalid_phone_number', {
      message: `${field} is not a valid E.164 phone number.`,
      details: { field },
    });
  }
  // E.164 in shape, but the numbering plan has no such number (an unassigned range or
  // country code, a length its country never uses): say so, not "not E.164".
  const parsed = parsePhoneNumberFromString(compact);
  if (!parsed?.isValid()) {
    throw new MasklineError('invalid_phone_number', {
      message: `${field} is not a dialable number: its country's numbering plan has no such number.`,
      details: { field, reason: 'not_dialable' },
    });
  }
  return parsed.number as E164;
}

/** True when the value is a syntactically valid E.164 number with a known country code. */
export function isE164(input: unknown): input is E164 {
  if (typeof input !== 'string' || !E164_SHAPE.test(input)) return false;
  return parsePhoneNumberFromString(input)?.isValid() === true;
}

/**
 * Masked form for display: country code and the first digits, then stars, then the last
 * digits, e.g. `+86138****5678`. At least four digits are always hidden.
 */
export function maskPhoneNumber(e164: string): string {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  const n = digits.length;
  if (n <= 6) return `+${'*'.repeat(n)}`;
  const tailLength = n >= 10 ? 4 : 2;
  const headLength = Math.max(1, Math.min(5, n - tailLength - 4));
  const hidden = n - headLength - tailLength;
  return `+${digits.slice(0, headLength)}${'*'.repeat(hidden)}${digits.slice(n - tailLength)}`;
}

/** Display form of an address: E.164 numbers masked, alphanumeric sender ids as they are. */
export function maskAddress(address: string): string {
  return address.startsWith('+') ? maskPhoneNumber(address) : address;
}

/** The ISO 3166-1 alpha-2 country of an E.164 number, or null when it has none (e.g. +800). */
export function countryOf(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}
