import { type ErrorCode, isE164 } from '@maskline/core';
import { parse } from 'csv-parse/sync';
import { CAPABILITIES, type Capability } from '../types.js';

/** One virtual number to add to a tenant's pool, validated. */
export interface NumberImportRow {
  /** 1-based row number in the submitted file or array (the CSV header is not counted). */
  row: number;
  e164: string;
  country: string;
  capabilities: Capability[];
  region: string | null;
}

export interface NumberImportError {
  row: number;
  field: string | null;
  code: ErrorCode;
  message: string;
}

export interface ParsedImport {
  rows: NumberImportRow[];
  errors: NumberImportError[];
}

/** Most rows one import may carry. */
export const MAX_IMPORT_ROWS = 10_000;

const COUNTRY = /^[A-Z]{2}$/;
const REGION = /^[\p{L}\p{N} ._-]{1,64}$/u;

/**
 * Validates raw rows ({number, country, capabilities?, region?}). Each bad row gets an
 * error naming its row and field (never echoing the value); good rows go on. A number
 * listed twice in one import is an error on its second row.
 */
export function validateImportRows(raw: readonly unknown[]): ParsedImport {
  const rows: NumberImportRow[] = [];
  const errors: NumberImportError[] = [];
  const seen = new Set<string>();
  raw.forEach((item, index) => {
    const row = index + 1;
    const fail = (field: string | null, code: ErrorCode, message: string) =>
      errors.push({ row, field, code, message });
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      fail(null, 'invalid_request', 'A row must be an object.');
      return;
    }
    const record = item as Record<string, unknown>;
    const unknown = Object.keys(record).find(
      (k) => !['number', 'country', 'capabilities', 'region'].includes(k),
    );
    if (unknown) {
      fail(unknown.slice(0, 40), 'invalid_request', `Unknown field: ${unknown.slice(0, 40)}.`);
      return;
    }
    const number = typeof record.number === 'string' ? record.number.trim() : record.number;
    if (!isE164(number)) {
      fail('number', 'invalid_phone_number', 'number is not a valid E.164 phone number.');
      return;
    }
    const country = typeof record.country === 'string' ? record.country.trim().toUpperCase() : '';
    if (!COUNTRY.test(country)) {
      fail('country', 'invalid_request', 'country must be an ISO 3166-1 alpha-2 code, e.g. GB.');
      return;
    }
    const capabilities = parseCapabilities(record.capabilities);
    if (!capabilities) {
      fail(
        'capabilities',
        'invalid_request',
        `capabilities must be a non-empty list of ${CAPABILITIES.join(', ')}.`,
      );
      return;
    }
    const regionValue = typeof record.region === 'string' ? record.region.trim() : record.region;
    if (
      regionValue !== undefined &&
      regionValue !== null &&
      regionValue !== '' &&
      !(typeof regionValue === 'string' && REGION.test(regionValue))
    ) {
      fail(
        'region',
        'invalid_request',
        'region must be up to 64 letters, digits, spaces, dots, dashes or underscores.',
      );
      return;
    }
    if (seen.has(number)) {
      fail('number', 'virtual_number_exists', 'number is listed more than once in this import.');
      return;
    }
    seen.add(number);
    rows.push({
      row,
      e164: number,
      country,
      capabilities,
      region: typeof regionValue === 'string' && regionValue !== '' ? regionValue : null,
    });
  });
  return { rows, errors };
}

function parseCapabilities(value: unknown): Capability[] | null {
  if (value === undefined || value === null || value === '') return [...CAPABILITIES];
  const list =
    typeof value === 'string'
      ? value.split(/[;| ]+/).filter((s) => s !== '')
      : Array.isArray(value)
        ? value
        : null;
  if (!list || list.length === 0) return null;
  const out = new Set<Capability>();
  for (const item of list) {
    if (typeof item !== 'string' || !(CAPABILITIES as readonly string[]).includes(item)) return null;
    out.add(item as Capability);
  }
  return [...out];
}

/**
 * Reads a CSV import: a header row naming `number`, `country` and optionally
 * `capabilities` (separated by `;`, `|` or spaces) and `region`. Returns the raw rows for
 * validateImportRows, or throws when the file itself cannot be read.
 */
export function readImportCsv(text: string): Record<string, string>[] {
  const records = parse(text, {
    columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
    skip_empty_lines: true,
    trim: true,
    bom: true,
  }) as Record<string, string>[];
  return records;
}
