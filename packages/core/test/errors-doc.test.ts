import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE, type ErrorCode, isErrorCode } from '@maskline/core';
import { describe, expect, it } from 'vitest';

const DOC_URL = new URL('../../../docs/reference/errors.md', import.meta.url);

interface DocRow {
  code: string;
  status: number;
  retry: string;
  line: number;
}

/** Table rows whose first cell is a backticked code: `| \`code\` | status | retry | meaning | fix |`. */
function documentedCodes(markdown: string): DocRow[] {
  const rows: DocRow[] = [];
  for (const [index, line] of markdown.split('\n').entries()) {
    const match = /^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|/.exec(line);
    if (!match) continue;
    rows.push({
      code: match[1]!,
      status: Number(match[2]!.trim()),
      retry: match[3]!.replace(/`/g, '').trim(),
      line: index + 1,
    });
  }
  return rows;
}

describe('docs/reference/errors.md', () => {
  const markdown = readFileSync(DOC_URL, 'utf8');
  const rows = documentedCodes(markdown);
  const catalogueCodes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

  it('has table rows to check (the parser found the tables)', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(markdown).toMatch(
      /\|\s*code\s*\|\s*HTTP status\s*\|\s*retry\s*\|\s*meaning\s*\|\s*how to fix\s*\|/,
    );
  });

  it('documents every catalogue code', () => {
    const documented = new Set(rows.map((r) => r.code));
    const missing = catalogueCodes.filter((code) => !documented.has(code));
    expect(missing, `add these codes to docs/reference/errors.md: ${missing.join(', ')}`).toEqual([]);
  });

  it('documents no code that is not in the catalogue', () => {
    const unknown = rows.filter((r) => !isErrorCode(r.code)).map((r) => `${r.code} (line ${r.line})`);
    expect(unknown, `not in ERROR_CATALOGUE: ${unknown.join(', ')}`).toEqual([]);
  });

  it('documents each code once', () => {
    const seen = new Map<string, number>();
    for (const r of rows) seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1).map(([code]) => code)).toEqual([]);
  });

  it('gives each code the HTTP status and retry class of the catalogue', () => {
    const drift = rows
      .filter((r) => isErrorCode(r.code))
      .flatMap((r) => {
        const def = ERROR_CATALOGUE[r.code as ErrorCode];
        const problems: string[] = [];
        if (r.status !== def.status)
          problems.push(`${r.code}: doc says ${r.status}, catalogue says ${def.status}`);
        if (r.retry !== def.retry)
          problems.push(`${r.code}: doc says ${r.retry}, catalogue says ${def.retry}`);
        return problems;
      });
    expect(drift, drift.join('; ')).toEqual([]);
  });

  it('explains the response shape', () => {
    expect(markdown.replace(/\s+/g, '')).toContain('{"error":{"code":"...","message":"..."}}');
    expect(markdown).toMatch(/never reused/i);
  });
});

describe('the doc parser', () => {
  it('reads code, status and retry from a row and ignores other lines', () => {
    const sample = [
      '| code | HTTP status | retry | meaning | how to fix |',
      '| --- | --- | --- | --- | --- |',
      '| `rate_limited` | 429 | `retry_after` | Too many. | Wait. |',
      'Text mentioning `internal_error` outside a table.',
      '| plain | 500 | transient | not a code cell | - |',
    ].join('\n');
    expect(documentedCodes(sample)).toEqual([
      { code: 'rate_limited', status: 429, retry: 'retry_after', line: 3 },
    ]);
  });
});
