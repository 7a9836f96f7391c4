/**
 * The soak's result and its markdown: the rate it ran at (and where that came from),
 * HTTP and end-to-end latency percentiles, and each app's live heap over the run with a
 * fitted slope and a flat / growing verdict. Pure.
 */

import type { Backlog, ProcessFigures } from './figures.js';
import { n0, n1, pct } from './format.js';
import { type ServerTimingSummary, serverTimingTable } from './server-timing.js';
import type { HeapGrowth, LatencySummary } from './stats.js';

export interface SoakResult {
  seconds: number;
  /** How often each app was made to run a full GC (the live-heap samples). */
  gcEverySeconds: number;
  rate: number;
  /** Where the rate came from: --soak-rate N, half of --peak, or half of a throughput probe. */
  rateSource:
    | { kind: 'fixed' }
    | { kind: 'half-of-peak'; peak: number }
    | { kind: 'half-of-probe'; peak: number };
  sent: number;
  /** Not sent: the in-flight limit (--concurrency) was reached, i.e. the gateway fell behind. */
  skipped: number;
  /** HTTP request → response of every request sent. */
  requestLatencyMs: LatencySummary;
  /** From the soak's message rows: submitted_at → done_at, created_at → done_at. */
  submittedToDeliveredMs?: LatencySummary;
  acceptToDeliveredMs?: LatencySummary;
  accepted: number;
  delivered: number;
  heap: Record<string, HeapGrowth | null>;
  processes: Record<string, ProcessFigures | null>;
  /** With --server-timing: the ingest's stages of the request during the soak. */
  serverTiming?: ServerTimingSummary;
  /** The most messages each stage held while the next was behind (polled). */
  backlog?: Backlog;
}

/** What each stage held at most while the next was behind, in messages (polled every 500 ms). */
export function backlogLine(b: Backlog): string {
  return `Held while the next stage was behind (most seen, polled every 500 ms): ${n0(b.peakNotSubmitted)} accepted but not yet submitted (deliver queue + SMPP window), ${n0(b.peakAwaitingReceipt)} submitted awaiting their receipt.`;
}

const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

export function soakTable(soak: SoakResult): string {
  const lines = [
    '| app | live heap after full GC, first → last window MiB | growth MiB | live heap slope MiB/min | flat? | heap used between GCs, first → last window mean MiB | peak heap used MiB | peak RSS MiB |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
  ];
  for (const [app, h] of Object.entries(soak.heap)) {
    if (!h) {
      lines.push(`| ${app} | – | – | – | – | – | – | – |`);
      continue;
    }
    const live = h.live ? `${n1(h.live.firstMiB)} → ${n1(h.live.lastMiB)}` : '–';
    const growth = h.live ? signed(h.live.growthMiB) : `${signed(h.floorGrowthMiB)} (floor)`;
    const slope = h.live
      ? `${h.live.slopePerMinuteMiB >= 0 ? '+' : ''}${h.live.slopePerMinuteMiB.toFixed(2)}`
      : '–';
    const flat = h.live ? (h.live.flat ? 'flat' : '**growing**') : '–';
    lines.push(
      `| ${app} | ${live} | ${growth} | ${slope} | ${flat} | ${n1(h.first.meanMiB)} → ${n1(h.last.meanMiB)} | ${n1(h.peakHeapUsedMiB)} | ${n0(soak.processes[app]?.peakRssMiB ?? h.peakRssMiB)} |`,
    );
  }
  return lines.join('\n');
}

function rateNote(s: SoakResult): string {
  const r = s.rateSource;
  if (r.kind === 'fixed') return '';
  const from = r.kind === 'half-of-peak' ? '--peak' : 'the throughput probe above';
  return ` — half of the peak ${n0(r.peak)} delivered/s (${from})`;
}

/** The soak's section of the report. */
export function soakSection(s: SoakResult, concurrency: number): string {
  const parts = [
    `### Soak: ${s.seconds} s at ${s.rate} msgs/s${rateNote(s)} (${s.accepted}/${s.sent} accepted${s.skipped ? `, ${s.skipped} not sent because ${concurrency} requests were already in flight` : ''}, ${s.delivered} delivered)`,
    '',
    `HTTP request latency p50 / p95 / p99: ${pct(s.requestLatencyMs)} ms.`,
    `Submitted → delivered p50 / p95 / p99: ${pct(s.submittedToDeliveredMs)} ms; accepted → delivered: ${pct(s.acceptToDeliveredMs)} ms.`,
    ...(s.backlog ? [backlogLine(s.backlog)] : []),
    '',
    `Windows: the first and the last ${n0(Object.values(s.heap).find((h) => h)?.windowSeconds)} s of the load. A full GC is forced every ${s.gcEverySeconds} s in each app to read the live heap; the slope is fitted to every such sample, and the heap is called flat when the fitted change over the run stays within 2 % of its mean (or 1 MiB).`,
    '',
    soakTable(s),
  ];
  if (s.serverTiming)
    parts.push(
      '',
      'Where the ingest’s time goes during the soak (Server-Timing, ms):',
      '',
      serverTimingTable(s.serverTiming),
    );
  return parts.join('\n');
}
