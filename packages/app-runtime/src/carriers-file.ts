import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type CarrierSettings, carrierSettingsSchema, MasklineError } from '@maskline/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Where an app reads its carriers: CARRIERS_FILE (a YAML or JSON file, for deployments)
 * or CARRIERS (the same list as inline JSON, for the local stack and tests). One of them.
 */
export const carriersConfigShape = {
  /** A carriers file: `.yaml` / `.yml` (YAML) or `.json` (JSON), `carriers:` listing each carrier. */
  CARRIERS_FILE: z.string().optional(),
  /** The carriers as an inline JSON array: [{"id":"sim","plugin":"smpp","config":{...}}]. */
  CARRIERS: z.string().optional(),
};

export interface CarriersSource {
  CARRIERS_FILE?: string | undefined;
  CARRIERS?: string | undefined;
}

/** A carrier entry as written: unknown keys (a typo, an inline secret) are refused, not dropped. */
const carrierEntrySchema = carrierSettingsSchema.strict();

const carriersFileSchema = z.object({ carriers: z.array(z.unknown()) }).strict();

const invalid = (message: string) => new MasklineError('config_invalid', { message });

/**
 * Reads and validates the configured carriers (file I/O: call it at boot). Errors are
 * config_invalid and name the source, the carrier and the field, e.g.
 * `carriers file: carrier "sim": tps: Invalid input: expected number, received string`;
 * they never quote a value from the file (a value may be a secret put in the wrong place).
 */
export function loadCarriers(source: CarriersSource): CarrierSettings[] {
  // An empty variable counts as unset.
  const { CARRIERS_FILE: file, CARRIERS: inline } = source;
  if (file && inline) throw invalid('CARRIERS and CARRIERS_FILE are both set: use one of them.');
  if (file) return validateCarriers(readCarriersFile(file), 'carriers file');
  if (inline) return validateCarriers(parseInline(inline), 'CARRIERS');
  throw invalid('No carriers configured: set CARRIERS_FILE (a carriers file) or CARRIERS (inline JSON).');
}

function readCarriersFile(path: string): unknown[] {
  const format = carriersFileFormat(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(
      `carriers file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
  let document: unknown;
  try {
    document = format === 'yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    // Parser messages quote the offending text: report where, never what.
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw invalid(
      `carriers file: ${path} is not valid ${format.toUpperCase()}${line ? ` (line ${line})` : ''}.`,
    );
  }
  const parsed = carriersFileSchema.safeParse(document);
  if (!parsed.success) {
    throw invalid('carriers file: expected a mapping with one key, `carriers:` (a list of carriers).');
  }
  return parsed.data.carriers;
}

function carriersFileFormat(path: string): 'yaml' | 'json' {
  const extension = extname(path).toLowerCase();
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  if (extension === '.json') return 'json';
  throw invalid('carriers file: its name must end in .yaml, .yml or .json.');
}

function parseInline(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('CARRIERS: must be a JSON array of carriers.');
  }
  if (!Array.isArray(value)) throw invalid('CARRIERS: must be a JSON array of carriers.');
  return value;
}

/** Validates every entry with carrierSettingsSchema; reports each problem by carrier and field. */
function validateCarriers(entries: readonly unknown[], origin: string): CarrierSettings[] {
  if (entries.length === 0) throw invalid(`${origin}: lists no carrier.`);
  const problems: string[] = [];
  const carriers: CarrierSettings[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const name = carrierName(entry, index);
    const parsed = carrierEntrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`${name}: ${issue.path.join('.') || '(entry)'}: ${issue.message}`);
      }
      return;
    }
    if (seen.has(parsed.data.id)) problems.push(`${name}: listed more than once`);
    seen.add(parsed.data.id);
    carriers.push(parsed.data);
  });
  if (problems.length > 0) throw invalid(`${origin}: ${problems.join('; ')}`);
  return carriers;
}

function carrierName(entry: unknown, index: number): string {
  const id = (entry as { id?: unknown } | null)?.id;
  return typeof id === 'string' && carrierSettingsSchema.shape.id.safeParse(id).success
    ? `carrier "${id}"`
    : `carrier #${index + 1}`;
}

/**
 * Fails unless `carrierId` is one of the configured carriers (e.g. DEFAULT_CARRIER): a typo
 * would otherwise park every message on a queue no worker drains.
 */
export function requireConfiguredCarrier(
  carriers: readonly CarrierSettings[],
  carrierId: string,
  variable: string,
): void {
  if (carriers.some((carrier) => carrier.id === carrierId)) return;
  throw invalid(
    `${variable}: "${carrierId}" is not a configured carrier (configured: ${carriers.map((c) => c.id).join(', ')}).`,
  );
}
