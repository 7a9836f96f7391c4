import { renameSync, writeFileSync } from 'node:fs';

/**
 * The outcome of `audit verify` in the Prometheus text format, for node_exporter's textfile
 * collector (or any scraper of a file): `maskline_audit_chain_ok` (1 intact, 0 not) and
 * `maskline_audit_verify_timestamp_seconds`. Written to a temporary file and renamed, so a
 * scrape never reads half a file. Counts and a time only: nothing from the log itself.
 */
export function auditMetricsText(ok: boolean, checked: number, now: Date = new Date()): string {
  return [
    '# HELP maskline_audit_chain_ok 1 when the audit hash chain verified, 0 when it did not.',
    '# TYPE maskline_audit_chain_ok gauge',
    `maskline_audit_chain_ok ${ok ? 1 : 0}`,
    '# HELP maskline_audit_verify_timestamp_seconds When audit verify last ran (Unix time).',
    '# TYPE maskline_audit_verify_timestamp_seconds gauge',
    `maskline_audit_verify_timestamp_seconds ${Math.floor(now.getTime() / 1000)}`,
    '# HELP maskline_audit_entries_checked Audit entries the last verify re-computed.',
    '# TYPE maskline_audit_entries_checked gauge',
    `maskline_audit_entries_checked ${checked}`,
    '',
  ].join('\n');
}

export function writeAuditMetricsFile(path: string, ok: boolean, checked: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, auditMetricsText(ok, checked), { mode: 0o644 });
  renameSync(temporary, path);
}
