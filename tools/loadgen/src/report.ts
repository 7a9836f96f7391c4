/**
 * The bench's result (written as JSON) and its markdown rendering. Pure.
 */
import type { BenchOptions } from './args.js';
import type { HeapGrowth, LatencySummary } from './stats.js';
import { ratio } from './stats.js';

export interface ProcessFigures {
  cpuSeconds: number;
  peakRssMiB: number;
  /** Highest heapUsed sampled (Maskline apps only). */
  peakHeapUsedMiB?: number;
}

export interface GatewayResult {
  gateway: 'maskline' | 'kannel';
  messages: number;
  accepted: number;
  /** Accepted by the SMSC (submit_sm_resp OK). */
  submitted: number;
  delivered: number;
  /** Ended in a failure state (or a failure report). */
  failed: number;
  acceptedPerSecond: number;
  submittedPerSecond: number;
  /** Delivered ÷ (first request → last delivery). */
  deliveredPerSecond: number;
  /** First request → last delivery, seconds. */
  seconds: number;
  /** How "delivered" was observed. */
  deliveredMeasure: string;
  latencyMs: {
    /** HTTP request → response, at the client. */
    request: LatencySummary;
    acceptToSubmitted: LatencySummary;
    submittedToDelivered: LatencySummary;
    acceptToDelivered: LatencySummary;
  };
  /** The gateway's own processes (apps or bearerbox/smsbox) and its SMSC simulator. */
  processes: Record<string, ProcessFigures | null>;
  /** CPU seconds the harness itself (HTTP clients, sinks) used in this phase. */
  harnessCpuSeconds: number;
}

export interface SoakResult {
  seconds: number;
  /** How often each app was made to run a full GC (the live-heap samples). */
  gcEverySeconds: number;
  rate: number;
  sent: number;
  /** Not sent: the in-flight limit (--concurrency) was reached, i.e. the gateway fell behind. */
  skipped: number;
  /** HTTP request → response of every request sent. */
  requestLatencyMs: LatencySummary;
  accepted: number;
  delivered: number;
  heap: Record<string, HeapGrowth | null>;
  processes: Record<string, ProcessFigures | null>;
}

export interface BenchResult {
  startedAt: string;
  machine: { cpus: number; loadAverageAtStart: number[]; node: string };
  options: BenchOptions;
  maskline: GatewayResult | null;
  kannel: GatewayResult | null;
  /** Why Kannel did not run, when it did not. */
  kannelSkipped?: string;
  soak?: SoakResult;
  profile?: { app: string; file: string; markdown: string };
}

const SIM = 'smsc-sim';
/** Maskline's own Redis and PostgreSQL: part of its CPU, not "apps" for the RSS target. */
export const INFRA = new Set(['redis', 'postgres']);

/**
 * CPU seconds used between two readings of the same processes (start-up excluded); peak
 * RSS and heap are kept from `after`, since they are highs since the process started.
 */
export function sinceBaseline(
  after: Record<string, ProcessFigures | null>,
  before: Record<string, ProcessFigures | null>,
): Record<string, ProcessFigures | null> {
  const out: Record<string, ProcessFigures | null> = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name];
    out[name] = a ? { ...a, cpuSeconds: Math.max(0, a.cpuSeconds - (b?.cpuSeconds ?? 0)) } : null;
  }
  return out;
}

/** Sum of CPU seconds of the gateway's own processes, its Redis and PostgreSQL included (the simulator excluded). */
export function gatewayCpuSeconds(result: GatewayResult): number {
  return Object.entries(result.processes)
    .filter(([name]) => !name.startsWith(SIM))
    .reduce((sum, [, p]) => sum + (p?.cpuSeconds ?? 0), 0);
}

/** The largest peak RSS among the gateway's own processes (apps; not Redis or PostgreSQL). */
export function largestRssMiB(result: GatewayResult): number {
  return Math.max(
    0,
    ...Object.entries(result.processes)
      .filter(([name]) => !name.startsWith(SIM) && !INFRA.has(name))
      .map(([, p]) => p?.peakRssMiB ?? 0),
  );
}

const n0 = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US');
const n1 = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(1);
const pct = (s: LatencySummary | undefined) => (s ? `${n0(s.p50)} / ${n0(s.p95)} / ${n0(s.p99)}` : '–');
const times = (r: number | null) => (r === null ? '–' : `${r.toFixed(2)}×`);

/** One markdown table: Maskline, Kannel, and Maskline ÷ Kannel for the throughput figures. */
export function comparisonTable(maskline: GatewayResult | null, kannel: GatewayResult | null): string {
  const row = (
    label: string,
    pick: (g: GatewayResult) => number,
    format: (v: number | null | undefined) => string,
    withRatio: boolean,
  ) => {
    const m = maskline ? pick(maskline) : null;
    const k = kannel ? pick(kannel) : null;
    return `| ${label} | ${format(m)} | ${format(k)} | ${withRatio ? times(ratio(m, k)) : ''} |`;
  };
  const text = (label: string, pick: (g: GatewayResult) => string) =>
    `| ${label} | ${maskline ? pick(maskline) : '–'} | ${kannel ? pick(kannel) : '–'} | |`;
  return [
    '| measure | Maskline | Kannel | Maskline ÷ Kannel |',
    '| --- | ---: | ---: | ---: |',
    text(
      'messages accepted / submitted / delivered',
      (g) => `${g.accepted} / ${g.submitted} / ${g.delivered}`,
    ),
    row('accepted/s (HTTP 202)', (g) => g.acceptedPerSecond, n0, true),
    row('submitted/s (SMSC accepted)', (g) => g.submittedPerSecond, n0, true),
    row('**delivered/s**, first request → last delivery', (g) => g.deliveredPerSecond, n0, true),
    row('wall time, s', (g) => g.seconds, n1, false),
    text('HTTP request p50 / p95 / p99 ms', (g) => pct(g.latencyMs.request)),
    text('accepted → submitted p50 / p95 / p99 ms', (g) => pct(g.latencyMs.acceptToSubmitted)),
    text('submitted → delivered p50 / p95 / p99 ms', (g) => pct(g.latencyMs.submittedToDelivered)),
    text('accepted → delivered p50 / p95 / p99 ms', (g) => pct(g.latencyMs.acceptToDelivered)),
    row('CPU s, gateway processes (Maskline: apps + Redis + PostgreSQL)', gatewayCpuSeconds, n1, true),
    row(
      'CPU ms per delivered message',
      (g) => (gatewayCpuSeconds(g) * 1000) / Math.max(1, g.delivered),
      (v) => (v === null || v === undefined ? '–' : v.toFixed(2)),
      true,
    ),
    row('largest peak RSS of an app, MiB', largestRssMiB, n0, false),
  ].join('\n');
}

export function processTable(results: (GatewayResult | null)[]): string {
  const lines = ['| process | CPU s | peak RSS MiB | peak heap used MiB |', '| --- | ---: | ---: | ---: |'];
  for (const g of results) {
    if (!g) continue;
    for (const [name, p] of Object.entries(g.processes)) {
      lines.push(
        `| ${g.gateway}: ${name} | ${n1(p?.cpuSeconds)} | ${n0(p?.peakRssMiB)} | ${n0(p?.peakHeapUsedMiB)} |`,
      );
    }
    lines.push(
      `| ${g.gateway}: harness (HTTP clients${g.gateway === 'kannel' ? ', DLR sink' : ''}) | ${n1(g.harnessCpuSeconds)} | | |`,
    );
  }
  return lines.join('\n');
}

export function soakTable(soak: SoakResult): string {
  const lines = [
    '| app | live heap after full GC, first → last window MiB | growth MiB | heap used between GCs, first → last window mean MiB | peak heap used MiB | peak RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
  for (const [app, h] of Object.entries(soak.heap)) {
    if (!h) {
      lines.push(`| ${app} | – | – | – | – | – |`);
      continue;
    }
    const live = h.live ? `${n1(h.live.firstMiB)} → ${n1(h.live.lastMiB)}` : '–';
    const growth = h.live ? signed(h.live.growthMiB) : `${signed(h.floorGrowthMiB)} (floor)`;
    lines.push(
      `| ${app} | ${live} | ${growth} | ${n1(h.first.meanMiB)} → ${n1(h.last.meanMiB)} | ${n1(h.peakHeapUsedMiB)} | ${n0(soak.processes[app]?.peakRssMiB ?? h.peakRssMiB)} |`,
    );
  }
  return lines.join('\n');
}

function settings(o: BenchOptions): string {
  const load =
    o.soakSeconds === null
      ? `${o.messages} messages, ${o.concurrency} HTTP clients`
      : `soak: ${o.soakSeconds} s at ${o.soakRate} msgs/s (at most ${o.concurrency} requests in flight), heap sampled every ${o.heapSampleMs} ms`;
  return `${load}, ${o.workers} delivery worker(s) × ${o.binds} bind(s), window ${o.window}, SMSC latency ${o.latencyMs} ms${o.tracing ? ', tracing on' : ''}`;
}

/** The whole markdown report printed at the end and written next to the JSON. */
export function renderReport(result: BenchResult): string {
  const parts: string[] = [`## Bench ${result.startedAt}`, ''];
  const m = result.machine;
  parts.push(
    `${settings(result.options)}. Machine: ${m.cpus} CPUs, load average at start ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, Node ${m.node}.`,
    '',
  );
  if (result.maskline || result.kannel) {
    parts.push(comparisonTable(result.maskline, result.kannel), '');
    const notes: string[] = [];
    if (result.maskline) notes.push(`Maskline delivered: ${result.maskline.deliveredMeasure}.`);
    if (result.kannel) notes.push(`Kannel delivered: ${result.kannel.deliveredMeasure}.`);
    if (result.kannelSkipped) notes.push(`Kannel not run: ${result.kannelSkipped}.`);
    parts.push(notes.join(' '), '', processTable([result.maskline, result.kannel]), '');
  }
  if (result.soak) {
    const s = result.soak;
    parts.push(
      `### Soak: ${s.seconds} s at ${s.rate} msgs/s (${s.accepted}/${s.sent} accepted${s.skipped ? `, ${s.skipped} not sent because ${result.options.concurrency} requests were already in flight` : ''}, ${s.delivered} delivered)`,
      '',
      `HTTP request latency p50 / p95 / p99: ${pct(s.requestLatencyMs)} ms.`,
      '',
      `Windows: the first and the last ${n0(Object.values(s.heap).find((h) => h)?.windowSeconds)} s of the load. A full GC is forced every ${s.gcEverySeconds} s in each app to read the live heap.`,
      '',
      soakTable(s),
      '',
    );
  }
  if (result.profile) {
    parts.push(
      `### CPU profile of ${result.profile.app} (${result.profile.file})`,
      '',
      result.profile.markdown,
      '',
    );
  }
  return parts.join('\n');
}
