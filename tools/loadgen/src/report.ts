/**
 * The bench's result (written as JSON) and its markdown rendering. Pure.
 */
import type { BenchOptions } from './args.js';
import type { Backlog, ProcessFigures } from './figures.js';
import { n0, n1, pct, times } from './format.js';
import type { KannelStore } from './kannel-config.js';
import { type StatementCost, statementsTable } from './pg-statements.js';
import { type RedisCommandCount, redisCommandsLine } from './redis-commands.js';
import { type ServerTimingSummary, serverTimingTable } from './server-timing.js';
import { backlogLine, type SoakResult, soakSection } from './soak-report.js';
import type { LatencySummary } from './stats.js';
import { ratio } from './stats.js';
import { type WalFigures, walLine } from './wal-stats.js';

export type { Backlog, ProcessFigures } from './figures.js';

export interface GatewayResult {
  gateway: 'maskline' | 'kannel';
  /** Kannel only: its queue in memory (Debian's default) or in a store file. */
  store?: KannelStore;
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
  /** Maskline with --server-timing: the ingest's stages of the request, per stage. */
  serverTiming?: ServerTimingSummary;
  /** Maskline: delivered as committed in PostgreSQL, and the webhook's arrival after it. */
  webhook?: {
    committed: number;
    committedPerSecond: number;
    /** The `delivered` webhook's arrival at the harness − the commit (done_at), ms. */
    afterCommitMs: LatencySummary;
    badSignatures: number;
  };
  /** Maskline: the most messages each stage held while the next was behind (polled). */
  backlog?: Backlog;
  /** Maskline: PostgreSQL's WAL counters over the run (fsyncs and their time). */
  wal?: WalFigures;
  /** Maskline with --pg-statements: the statements that took PostgreSQL the most time. */
  statements?: StatementCost[];
  /** Maskline: the commands Redis served during the run (INFO commandstats), most called first. */
  redisCommands?: RedisCommandCount[];
}

export interface BenchResult {
  startedAt: string;
  machine: { cpus: number; loadAverageAtStart: number[]; node: string };
  options: BenchOptions;
  maskline: GatewayResult | null;
  /** Kannel with its queue in memory (Debian's default set-up). */
  kannel: GatewayResult | null;
  /** Kannel with `store-type = file`: every message written to its store file. */
  kannelFileStore?: GatewayResult | null;
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

/** One markdown row; an empty cell is written `| |`. */
const cells = (values: string[]) => `|${values.map((v) => (v ? ` ${v} ` : ' ')).join('|')}|`;

/** How a gateway's column is headed: Maskline, Kannel (memory store), Kannel (file store). */
export function gatewayLabel(g: GatewayResult): string {
  return g.gateway === 'maskline' ? 'Maskline' : `Kannel (${g.store ?? 'memory'} store)`;
}

/**
 * One markdown table: Maskline, each Kannel run, and Maskline ÷ that Kannel run for the
 * throughput and CPU figures (one ratio column per Kannel run).
 */
export function comparisonTable(maskline: GatewayResult | null, kannels: readonly GatewayResult[]): string {
  const labels = kannels.map(gatewayLabel);
  const columns = kannels.length ? labels : ['Kannel'];
  const row = (
    label: string,
    pick: (g: GatewayResult) => number,
    format: (v: number | null | undefined) => string,
    withRatio: boolean,
  ) => {
    const m = maskline ? pick(maskline) : null;
    const ks = kannels.length ? kannels.map(pick) : [null];
    const ratios = ks.map((k) => (withRatio ? times(ratio(m, k)) : ''));
    return cells([label, format(m), ...ks.map(format), ...ratios]);
  };
  const text = (label: string, pick: (g: GatewayResult) => string) =>
    cells([
      label,
      maskline ? pick(maskline) : '–',
      ...(kannels.length ? kannels.map(pick) : ['–']),
      ...columns.map(() => ''),
    ]);
  return [
    `| measure | Maskline | ${columns.join(' | ')} | ${columns.map((c) => `Maskline ÷ ${c}`).join(' | ')} |`,
    `| --- | ---: | ${columns.map(() => '---:').join(' | ')} | ${columns.map(() => '---:').join(' | ')} |`,
    text(
      'messages accepted / submitted / delivered',
      (g) => `${g.accepted} / ${g.submitted} / ${g.delivered}`,
    ),
    row('accepted/s (HTTP 202)', (g) => g.acceptedPerSecond, n0, true),
    row('submitted/s (SMSC accepted)', (g) => g.submittedPerSecond, n0, true),
    row('**delivered/s**, first request → last delivery', (g) => g.deliveredPerSecond, n0, true),
    text('Maskline: delivered committed in PostgreSQL, per s', (g) =>
      g.webhook ? `${g.webhook.committed}, ${n0(g.webhook.committedPerSecond)}/s` : '–',
    ),
    text('Maskline: webhook after commit p50 / p95 / p99 ms (bad signatures)', (g) =>
      g.webhook ? `${pct(g.webhook.afterCommitMs)} (${g.webhook.badSignatures})` : '–',
    ),
    row('wall time, s', (g) => g.seconds, n1, false),
    text('HTTP request p50 / p95 / p99 ms', (g) => pct(g.latencyMs.request)),
    text('accepted → submitted p50 / p95 / p99 ms', (g) => pct(g.latencyMs.acceptToSubmitted)),
    text('submitted → delivered p50 / p95 / p99 ms', (g) => pct(g.latencyMs.submittedToDelivered)),
    text('accepted → delivered p50 / p95 / p99 ms', (g) => pct(g.latencyMs.acceptToDelivered)),
    row('CPU s, gateway processes (Maskline: apps + Redis + PostgreSQL)', gatewayCpuSeconds, n1, true),
    row(
      '**CPU ms per delivered message**',
      cpuMsPerDelivered,
      (v) => (v === null || v === undefined ? '–' : v.toFixed(2)),
      true,
    ),
    row('largest peak RSS of an app, MiB', largestRssMiB, n0, false),
  ].join('\n');
}

/** Gateway CPU (apps + Redis + PostgreSQL for Maskline) per delivered message, ms. */
export function cpuMsPerDelivered(g: GatewayResult): number {
  return (gatewayCpuSeconds(g) * 1000) / Math.max(1, g.delivered);
}

/** One line per Kannel run: Maskline ÷ Kannel for delivered/s and CPU ms per delivered message. */
export function ratioLines(maskline: GatewayResult | null, kannels: readonly GatewayResult[]): string[] {
  if (!maskline) return [];
  return kannels.map(
    (k) =>
      `Maskline ÷ ${gatewayLabel(k)}: delivered/s ${times(ratio(maskline.deliveredPerSecond, k.deliveredPerSecond))}, CPU ms per delivered message ${times(ratio(cpuMsPerDelivered(maskline), cpuMsPerDelivered(k)))} (${cpuMsPerDelivered(maskline).toFixed(2)} / ${cpuMsPerDelivered(k).toFixed(2)})`,
  );
}

export function processTable(results: (GatewayResult | null)[]): string {
  const lines = ['| process | CPU s | peak RSS MiB | peak heap used MiB |', '| --- | ---: | ---: | ---: |'];
  for (const g of results) {
    if (!g) continue;
    for (const [name, p] of Object.entries(g.processes)) {
      lines.push(
        `| ${gatewayLabel(g)}: ${name} | ${n1(p?.cpuSeconds)} | ${n0(p?.peakRssMiB)} | ${n0(p?.peakHeapUsedMiB)} |`,
      );
    }
    lines.push(
      `| ${gatewayLabel(g)}: harness (HTTP clients${g.gateway === 'kannel' ? ', DLR sink' : ''}) | ${n1(g.harnessCpuSeconds)} | | |`,
    );
  }
  return lines.join('\n');
}

function settings(o: BenchOptions): string {
  const load =
    o.soakSeconds === null
      ? `${o.messages} messages, ${o.concurrency} HTTP clients`
      : `soak: ${o.soakSeconds} s at ${o.soakRate === 'half' ? 'half the peak' : `${o.soakRate}`} msgs/s (at most ${o.concurrency} requests in flight), heap sampled every ${o.heapSampleMs} ms`;
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
  const kannels = [result.kannel, result.kannelFileStore].filter((k): k is GatewayResult => !!k);
  if (result.maskline || kannels.length) {
    parts.push(comparisonTable(result.maskline, kannels), '');
    const ratios = ratioLines(result.maskline, kannels);
    if (ratios.length) parts.push(ratios.map((l) => `- ${l}`).join('\n'), '');
    const notes: string[] = [];
    if (result.maskline) notes.push(`Maskline delivered: ${result.maskline.deliveredMeasure}.`);
    if (kannels[0]) notes.push(`Kannel delivered: ${kannels[0].deliveredMeasure}.`);
    if (result.kannelFileStore)
      notes.push(
        'Kannel (file store): `store-type = file`, each message and each ack appended to the store file (flushed to the OS, not fsynced).',
      );
    if (result.kannelSkipped) notes.push(`Kannel not run: ${result.kannelSkipped}.`);
    parts.push(notes.join(' '), '', processTable([result.maskline, ...kannels]), '');
    if (result.maskline?.backlog) parts.push(backlogLine(result.maskline.backlog), '');
    if (result.maskline?.wal) parts.push(walLine(result.maskline.wal, result.maskline.delivered), '');
    if (result.maskline?.redisCommands)
      parts.push(redisCommandsLine(result.maskline.redisCommands, result.maskline.delivered), '');
    if (result.maskline?.statements)
      parts.push(
        '### Where PostgreSQL’s time goes (pg_stat_statements, top by total time)',
        '',
        statementsTable(result.maskline.statements, result.maskline.delivered),
        '',
      );
    if (result.maskline?.serverTiming)
      parts.push(
        '### Where the ingest’s time goes (Server-Timing, ms)',
        '',
        serverTimingTable(result.maskline.serverTiming),
        '',
      );
  }
  if (result.soak) parts.push(soakSection(result.soak, result.options.concurrency), '');
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
