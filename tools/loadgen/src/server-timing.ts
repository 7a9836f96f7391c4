/**
 * The ingest's `Server-Timing` response header (W3C Server Timing), sent when the bench
 * starts it with INGEST_SERVER_TIMING=1: `auth;dur=0.21, ratelimit;dur=0.48, …`, stage
 * names and milliseconds only. The harness keeps every request's stages and reports
 * per-stage percentiles: where the HTTP milliseconds go.
 */
import { type LatencySummary, summarize } from './stats.js';

/** One header's stages, in header order; entries without a numeric `dur` are skipped. */
export function parseServerTiming(header: string): { name: string; ms: number }[] {
  const stages: { name: string; ms: number }[] = [];
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim());
    const dur = params.find((p) => p.startsWith('dur='));
    const ms = dur === undefined ? Number.NaN : Number(dur.slice(4));
    if (name && Number.isFinite(ms)) stages.push({ name, ms });
  }
  return stages;
}

export type StageSummary = LatencySummary & { count: number; mean: number };
export type ServerTimingSummary = Record<string, StageSummary>;

/** Every request's stages, collected as the responses arrive. */
export class ServerTimings {
  private readonly byStage = new Map<string, number[]>();
  requests = 0;

  record(header: string | string[] | undefined): void {
    if (header === undefined) return;
    this.requests++;
    for (const { name, ms } of parseServerTiming(Array.isArray(header) ? header.join(',') : header)) {
      const list = this.byStage.get(name);
      if (list) list.push(ms);
      else this.byStage.set(name, [ms]);
    }
  }

  /** Forgets what was recorded (a soak after its throughput probe). */
  clear(): void {
    this.byStage.clear();
    this.requests = 0;
  }

  /** Per stage, in the order stages were first seen: count, mean, p50 / p95 / p99 / max. */
  summary(): ServerTimingSummary {
    const out: Record<string, StageSummary> = {};
    for (const [name, values] of this.byStage) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      out[name] = { ...summarize(values), count: values.length, mean };
    }
    return out;
  }
}

const ms = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(2));

/** The markdown table of a summary: one row per stage. */
export function serverTimingTable(summary: ServerTimingSummary): string {
  const lines = [
    '| stage | requests | mean ms | p50 ms | p95 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, s] of Object.entries(summary)) {
    lines.push(
      `| ${name} | ${s.count} | ${ms(s.mean)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} |`,
    );
  }
  return lines.join('\n');
}
