import { type PhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js';
import { MasklineError } from '../errors/maskline-error.js';

/** A phone number normalized to E.164 (`+` and 8 to 15 digits). */
export type E164 = string & { readonly __brand: 'E164' };

const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/**
 * One accepted message has its destination parsed up to four times on the way in (the
 * destination rate limit, the request parser, the router's country, the anomaly counters),
 * and a libphonenumber parse with its validity check is ~25 µs, a tenth of the ingest's CPU
 * per request (`npm run bench:ingest -- --profile`). So the parses of the last moment are
 * remembered: at most 256, and for at most a second (the map is emptied by a timer), so no
 * number stays in memory longer than the requests that brought it.
 */
interface Parsed {
  phone: PhoneNumber | undefined;
  valid?: boolean;
}
const recent = new Map<string, Parsed>();
let clearing: ReturnType<typeof setTimeout> | null = null;

function parse(e164: string): Parsed {
  let entry = recent.get(e164);
  if (entry) return entry;
  entry = { phone: parsePhoneNumberFromString(e164) };
  if (recent.size >= 256) recent.clear();
  recent.set(e164, entry);
  clearing ??= setTimeout(() => {
    recent.clear();
    clearing = null;
  }, 1_000);
  clearing.unref?.();
  return entry;
}

/** How many parses are remembered now (for tests: none a second after the last). */
export function rememberedParseCount(): number {
  return recent.size;
}

function isValidParse(entry: Parsed): boolean {
  entry.valid ??= entry.phone?.isValid() === true;
  return entry.valid;
}

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
  const parsed = parse(compact);
  if (!isValidParse(parsed) || !parsed.phone) {
    throw new MasklineError('invalid_phone_number', {
      message: `${field} is not a dialable number: its country's numbering plan has no such number.`,
      details: { field, reason: 'not_dialable' },
    });
  }
  return parsed.phone.number as E164;
}

/** True when the value is a syntactically valid E.164 number with a known country code. */
export function isE164(input: unknown): input is E164 {
  if (typeof input !== 'string' || !E164_SHAPE.test(input)) return false;
  return isValidParse(parse(input));
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
  return parse(e164).phone?.country ?? null;
}
