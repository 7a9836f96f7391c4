/**
 * What the logger never writes. Field paths are censored by pino's redact; any string
 * that still looks like a phone number (E.164-ish run of digits) is masked by the log
 * formatter as a second line of defence. Neither can be switched off by configuration.
 */
export const REDACTED_PATHS = [
  'to',
  'from',
  'body',
  'text',
  'phone',
  'msisdn',
  'number',
  'code',
  'otp',
  'password',
  'apiKey',
  'secret',
  'content',
  '*.to',
  '*.from',
  '*.body',
  '*.text',
  '*.phone',
  '*.msisdn',
  '*.otp',
  '*.password',
  '*.apiKey',
  '*.secret',
  '*.content',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
];

export const REDACTION_CENSOR = '[redacted]';

// A run of digits (with spaces, dots, dashes or brackets) not glued to letters, digits or
// hyphens, so uuids, hex ids and ISO timestamps are left alone.
const PHONE_LIKE = /(?<![\w-])\+?\d[\d ().-]{6,}\d(?![\w-])/g;

function maskDigits(match: string): string {
  const digits = match.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? '[number]' : match;
}

/** Masks phone-like digit runs in a string (a uuid or ISO date does not match). */
export function maskPhoneLike(value: string): string {
  return value.replace(PHONE_LIKE, maskDigits);
}

export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhoneLike(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1);
  return out;
}
