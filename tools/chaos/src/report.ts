import type { DrillResult } from './analysis.js';

const fmt = (v: number | null) => (v === null ? 'never' : v.toFixed(1));

function errors(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '-' : entries.map(([status, n]) => `${status}×${n}`).join(' ');
}

/** A markdown table, one line per run, then what was missed. */
export function renderTable(results: readonly DrillResult[]): string {
  const header = [
    'fault',
    'messages @ rate',
    'accepted',
    'lost',
    'stuck',
    'carrier dups / in flight',
    'receipts lost / dup',
    'webhooks lost / dup / pending at fault',
    'client errors',
    'restart s',
    'first delivery s',
    'recovery s',
    'verdict',
  ];
  const lines = results.map((r) => [
    r.fault,
    `${r.messages} @ ${r.rate}/s`,
    `${r.accepted}${r.acceptedOnRetry ? ` (${r.acceptedOnRetry} on a 200 retry)` : ''}${r.notAccepted ? ` (${r.notAccepted} given up)` : ''}`,
    String(r.lost),
    String(r.stuck),
    `${r.carrierDuplicates} / ${r.inFlightAtFault}`,
    `${r.receiptsLost} / ${r.receiptsDuplicated}`,
    `${r.webhooksLost} / ${r.webhookDuplicates} / ${r.webhooksPendingAtFault}${r.webhookRequestsRefused ? ` (${r.webhookRequestsRefused} refused)` : ''}`,
    errors(r.clientErrors),
    r.restartSeconds.toFixed(1),
    fmt(r.firstDeliverySeconds),
    fmt(r.recoverySeconds),
    r.missed.length === 0 ? 'pass' : `missed: ${r.missed.join(', ')}`,
  ]);
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...lines.map(row)].join('\n');
}

export function renderJson(results: readonly DrillResult[]): string {
  return JSON.stringify({ passed: results.every((r) => r.missed.length === 0), runs: results }, null, 2);
}
