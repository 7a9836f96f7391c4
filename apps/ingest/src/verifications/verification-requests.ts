import { MasklineError, parseE164 } from '@maskline/core';
import {
  isVerificationLocale,
  MAX_CODE_LENGTH,
  MIN_CODE_LENGTH,
  VERIFICATION_LOCALES,
  type VerificationLocale,
} from '@maskline/verification';
import { parseSender } from '../messages/message-request.js';

export interface StartVerificationRequest {
  to: string;
  brand: string;
  locale: VerificationLocale;
  codeLength: number;
  ttlSeconds: number;
  template: string | null;
  from: string | null;
  /**
   * Send from a masked virtual number of the tenant's pool instead of `from`: the country
   * the number must be in (null: the destination's country).
   */
  virtualNumber: { country: string | null } | null;
}

export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 3_600;
const MAX_BRAND_CHARS = 30;
const MAX_TEMPLATE_CHARS = 480;
const KNOWN_FIELDS = new Set([
  'to',
  'brand',
  'locale',
  'codeLength',
  'ttlSeconds',
  'template',
  'from',
  'virtualNumber',
]);

function invalid(field: string, message: string): MasklineError {
  return new MasklineError('invalid_request', { message, details: { field } });
}

function objectOf(input: unknown, known: ReadonlySet<string>): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new MasklineError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!known.has(key)) throw invalid(key.slice(0, 40), `Unknown field: ${key.slice(0, 40)}.`);
  }
  return record;
}

function integerIn(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw invalid(field, `${field} must be an integer from ${min} to ${max}.`);
}

/** Validates POST /v1/verifications. Error messages name the field, never echo its value. */
export function parseStartVerification(input: unknown): StartVerificationRequest {
  const record = objectOf(input, KNOWN_FIELDS);
  const to = parseE164(record.to, 'to');
  const brand = record.brand;
  if (typeof brand !== 'string' || brand.trim().length === 0 || [...brand].length > MAX_BRAND_CHARS) {
    throw invalid('brand', `brand must be a non-empty string of at most ${MAX_BRAND_CHARS} characters.`);
  }
  const locale = record.locale ?? 'en';
  if (!isVerificationLocale(locale)) {
    throw invalid('locale', `locale must be one of ${VERIFICATION_LOCALES.join(', ')}.`);
  }
  const template = record.template ?? null;
  if (template !== null && (typeof template !== 'string' || [...template].length > MAX_TEMPLATE_CHARS)) {
    throw invalid('template', `template must be a string of at most ${MAX_TEMPLATE_CHARS} characters.`);
  }
  const from = record.from === undefined || record.from === null ? null : parseSender(record.from);
  const virtualNumber = parseVirtualNumber(record.virtualNumber);
  if (from !== null && virtualNumber !== null) {
    throw invalid('virtualNumber', 'Name either from or virtualNumber, not both.');
  }
  return {
    to,
    brand: brand.trim(),
    locale,
    codeLength: integerIn(record.codeLength, 'codeLength', MIN_CODE_LENGTH, MAX_CODE_LENGTH, 6),
    ttlSeconds: integerIn(record.ttlSeconds, 'ttlSeconds', MIN_TTL_SECONDS, MAX_TTL_SECONDS, 300),
    template,
    from,
    virtualNumber,
  };
}

const COUNTRY = /^[A-Z]{2}$/;

/** `virtualNumber`: true, false/absent, or `{country}` (ISO 3166-1 alpha-2). */
function parseVirtualNumber(value: unknown): { country: string | null } | null {
  if (value === undefined || value === null || value === false) return null;
  if (value === true) return { country: null };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const { country, ...rest } = value as Record<string, unknown>;
    const unknownField = Object.keys(rest)[0];
    if (unknownField !== undefined) {
      throw invalid(
        `virtualNumber.${unknownField.slice(0, 40)}`,
        `Unknown field: virtualNumber.${unknownField.slice(0, 40)}.`,
      );
    }
    if (country === undefined || country === null) return { country: null };
    if (typeof country === 'string' && COUNTRY.test(country)) return { country };
  }
  throw invalid(
    'virtualNumber',
    'virtualNumber must be true, or an object {country} with an ISO 3166-1 alpha-2 country code.',
  );
}

const CODE = /^[0-9]{1,20}$/;

/** Validates POST /v1/verifications/{id}/check: `{code}`, digits only (never echoed). */
export function parseCheckVerification(input: unknown): { code: string } {
  const record = objectOf(input, new Set(['code']));
  if (typeof record.code !== 'string' || !CODE.test(record.code)) {
    throw invalid('code', 'code must be a string of digits.');
  }
  return { code: record.code };
}
