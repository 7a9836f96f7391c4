import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/args.js';
import {
  type BenchResult,
  comparisonTable,
  type GatewayResult,
  gatewayCpuSeconds,
  largestRssMiB,
  renderReport,
  sinceBaseline,
  soakTable,
} from '../src/report.js';

const latency = { p50: 10, p95: 20, p99: 30, max: 40 };
const gateway = (name: 'maskline' | 'kannel', delivered: number, processes: GatewayResult['processes']) =>
  ({
    gateway: name,
    messages: 1000,
    accepted: 1000,
    submitted: 1000,
    delivered: 1000,
    failed: 0,
    acceptedPerSecond: delivered * 1.5,
    submittedPerSecond: delivered,
    deliveredPerSecond: delivered,
    seconds: 1000 / delivered,
    deliveredMeasure: `${name} measure`,
    latencyMs: {
      request: latency,
      acceptToSubmitted: latency,
      submittedToDelivered: latency,
      acceptToDelivered: latency,
    },
    processes,
    harnessCpuSeconds: 1,
  }) satisfies GatewayResult;

const maskline = gateway('maskline', 300, {
  ingest: { cpuSeconds: 2, peakRssMiB: 120, peakHeapUsedMiB: 40 },
  'delivery-worker': { cpuSeconds: 1.5, peakRssMiB: 130 },
  'smsc-sim': { cpuSeconds: 5, peakRssMiB: 500 },
});
const kannel = gateway('kannel', 200, {
  bearerbox: { cpuSeconds: 0.5, peakRssMiB: 16 },
  smsbox: null,
  'smsc-sim': { cpuSeconds: 1, peakRssMiB: 80 },
});

describe('gateway figures', () => {
  it('leaves the simulator out of the gateway’s CPU and RSS', () => {
    expect(gatewayCpuSeconds(maskline)).toBe(3.5);
    expect(largestRssMiB(maskline)).toBe(130);
    expect(gatewayCpuSeconds(kannel)).toBe(0.5);
  });

  it('counts Redis and PostgreSQL as Maskline’s CPU but not as apps for RSS', () => {
    const withInfra = {
      ...maskline,
      processes: { ...maskline.processes, postgres: { cpuSeconds: 2, peakRssMiB: 300 } },
    };
    expect(gatewayCpuSeconds(withInfra)).toBe(5.5);
    expect(largestRssMiB(withInfra)).toBe(130);
  });

  it('subtracts start-up CPU but keeps peaks', () => {
    const out = sinceBaseline(
      { a: { cpuSeconds: 5, peakRssMiB: 100 }, b: null, c: { cpuSeconds: 1, peakRssMiB: 9 } },
      { a: { cpuSeconds: 1.5, peakRssMiB: 60 }, b: { cpuSeconds: 1, peakRssMiB: 1 } },
    );
    expect(out).toEqual({
      a: { cpuSeconds: 3.5, peakRssMiB: 100 },
      b: null,
      c: { cpuSeconds: 1, peakRssMiB: 9 },
    });
  });
});

describe('comparisonTable', () => {
  it('puts Maskline, Kannel and the ratio side by side', () => {
    const table = comparisonTable(maskline, kannel);
    const rows = table.split('\n');
    expect(rows[0]).toBe('| measure | Maskline | Kannel | Maskline ÷ Kannel |');
    expect(rows).toContain('| **delivered/s**, first request → last delivery | 300 | 200 | 1.50× |');
    expect(rows).toContain('| accepted/s (HTTP 202) | 450 | 300 | 1.50× |');
    expect(rows).toContain(
      '| CPU s, gateway processes (Maskline: apps + Redis + PostgreSQL) | 3.5 | 0.5 | 7.00× |',
    );
    expect(rows).toContain('| HTTP request p50 / p95 / p99 ms | 10 / 20 / 30 | 10 / 20 / 30 | |');
    // Every row has the same number of cells.
    for (const row of rows) expect(row.split(' | ').length).toBe(4);
  });

  it('shows dashes for a gateway that did not run', () => {
    const table = comparisonTable(maskline, null);
    expect(table).toContain('| **delivered/s**, first request → last delivery | 300 | – | – |');
  });
});

describe('renderReport', () => {
  const base: BenchResult = {
    startedAt: '2026-11-25T08:00:00.000Z',
    machine: { cpus: 2, loadAverageAtStart: [1.5, 1, 0.5], node: 'v20.20.2' },
    options: parseBenchArgs(['--messages', '1000']),
    maskline,
    kannel,
  };

  it('says how each gateway’s delivered is measured and lists every process', () => {
    const md = renderReport(base);
    expect(md).toContain(
      '1000 messages, 64 HTTP clients, 1 delivery worker(s) × 1 bind(s), window 10, SMSC latency 0 ms',
    );
    expect(md).toContain('load average at start 1.50 1.00 0.50');
    expect(md).toContain('Maskline delivered: maskline measure.');
    expect(md).toContain('Kannel delivered: kannel measure.');
    expect(md).toContain('| maskline: ingest | 2.0 | 120 | 40 |');
    expect(md).toContain('| kannel: smsbox | – | – | – |');
  });

  it('says why Kannel did not run', () => {
    const md = renderReport({ ...base, kannel: null, kannelSkipped: '--no-kannel' });
    expect(md).toContain('Kannel not run: --no-kannel.');
  });

  it('renders the soak table', () => {
    const h = {
      windowSeconds: 60,
      first: { meanMiB: 30, floorMiB: 20, meanRssMiB: 100, samples: 60 },
      last: { meanMiB: 31, floorMiB: 20.5, meanRssMiB: 101, samples: 60 },
      growthMiB: 1,
      floorGrowthMiB: 0.5,
      peakHeapUsedMiB: 45,
      peakRssMiB: 120,
      live: { firstMiB: 18, lastMiB: 18.25, growthMiB: 0.25, samples: 30 },
    };
    const soak = {
      seconds: 300,
      gcEverySeconds: 10,
      rate: 100,
      sent: 30000,
      skipped: 0,
      requestLatencyMs: { p50: 3, p95: 9, p99: 15, max: 30 },
      accepted: 30000,
      delivered: 30000,
      heap: { ingest: h, 'delivery-worker': null },
      processes: { ingest: { cpuSeconds: 10, peakRssMiB: 125 } },
    };
    expect(soakTable(soak)).toContain('| ingest | 18.0 → 18.3 | +0.3 | 30.0 → 31.0 | 45.0 | 125 |');
    expect(soakTable(soak)).toContain('| delivery-worker | – | – | – | – | – |');
    expect(soakTable({ ...soak, heap: { ingest: { ...h, live: null } } })).toContain(
      '| ingest | – | +0.5 (floor) | 30.0 → 31.0 | 45.0 | 125 |',
    );
    expect(renderReport({ ...base, maskline: null, kannel: null, soak })).toContain(
      '### Soak: 300 s at 100 msgs/s (30000/30000 accepted, 30000 delivered)',
    );
    expect(renderReport({ ...base, maskline: null, kannel: null, soak })).toContain(
      'HTTP request latency p50 / p95 / p99: 3 / 9 / 15 ms.',
    );
  });
});
