import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/args.js';
import {
  type BenchResult,
  comparisonTable,
  type GatewayResult,
  gatewayCpuSeconds,
  largestRssMiB,
  ratioLines,
  renderReport,
  sinceBaseline,
} from '../src/report.js';
import { soakFixture } from './soak-fixture.js';

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
const kannel = {
  ...gateway('kannel', 200, {
    bearerbox: { cpuSeconds: 0.5, peakRssMiB: 16 },
    smsbox: null,
    'smsc-sim': { cpuSeconds: 1, peakRssMiB: 80 },
  }),
  store: 'memory' as const,
};
const kannelFile = {
  ...gateway('kannel', 100, {
    bearerbox: { cpuSeconds: 1, peakRssMiB: 20 },
    smsbox: { cpuSeconds: 1, peakRssMiB: 15 },
  }),
  store: 'file' as const,
};

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
    const table = comparisonTable(maskline, [kannel]);
    const rows = table.split('\n');
    expect(rows[0]).toBe('| measure | Maskline | Kannel (memory store) | Maskline ÷ Kannel (memory store) |');
    expect(rows).toContain('| **delivered/s**, first request → last delivery | 300 | 200 | 1.50× |');
    expect(rows).toContain('| accepted/s (HTTP 202) | 450 | 300 | 1.50× |');
    expect(rows).toContain(
      '| CPU s, gateway processes (Maskline: apps + Redis + PostgreSQL) | 3.5 | 0.5 | 7.00× |',
    );
    expect(rows).toContain('| HTTP request p50 / p95 / p99 ms | 10 / 20 / 30 | 10 / 20 / 30 | |');
    // Every row has the same number of cells.
    for (const row of rows) expect(row.split(' | ').length).toBe(4);
  });

  it('gives each Kannel store its own column and its own ratio', () => {
    const rows = comparisonTable(maskline, [kannel, kannelFile]).split('\n');
    expect(rows[0]).toBe(
      '| measure | Maskline | Kannel (memory store) | Kannel (file store) | Maskline ÷ Kannel (memory store) | Maskline ÷ Kannel (file store) |',
    );
    expect(rows).toContain(
      '| **delivered/s**, first request → last delivery | 300 | 200 | 100 | 1.50× | 3.00× |',
    );
    // CPU ms per delivered message: 3.5 s / 1000 = 3.50; 0.5 s → 0.50; 2 s → 2.00.
    expect(rows).toContain('| **CPU ms per delivered message** | 3.50 | 0.50 | 2.00 | 7.00× | 1.75× |');
    expect(rows).toContain('| wall time, s | 3.3 | 5.0 | 10.0 | | |');
    for (const row of rows) expect(row.split('|').length - 2).toBe(6);
  });

  it('shows dashes for a gateway that did not run', () => {
    const table = comparisonTable(maskline, []);
    expect(table).toContain('| **delivered/s**, first request → last delivery | 300 | – | – |');
  });
});

describe('ratioLines', () => {
  it('prints both ratios for each Kannel run', () => {
    expect(ratioLines(maskline, [kannel, kannelFile])).toEqual([
      'Maskline ÷ Kannel (memory store): delivered/s 1.50×, CPU ms per delivered message 7.00× (3.50 / 0.50)',
      'Maskline ÷ Kannel (file store): delivered/s 3.00×, CPU ms per delivered message 1.75× (3.50 / 2.00)',
    ]);
    expect(ratioLines(null, [kannel])).toEqual([]);
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
    expect(md).toContain('| Maskline: ingest | 2.0 | 120 | 40 |');
    expect(md).toContain('| Kannel (memory store): smsbox | – | – | – |');
  });

  it('prints the file-store row, its ratios and its processes', () => {
    const md = renderReport({ ...base, kannelFileStore: kannelFile });
    expect(md).toContain(
      '| **delivered/s**, first request → last delivery | 300 | 200 | 100 | 1.50× | 3.00× |',
    );
    expect(md).toContain('- Maskline ÷ Kannel (file store): delivered/s 3.00×');
    expect(md).toContain('Kannel (file store): `store-type = file`');
    expect(md).toContain('| Kannel (file store): bearerbox | 1.0 | 20 | – |');
  });

  it('adds the Server-Timing table when the run collected one', () => {
    const serverTiming = { auth: { p50: 0.1, p95: 0.2, p99: 0.3, max: 1, count: 1000, mean: 0.12 } };
    const md = renderReport({ ...base, maskline: { ...maskline, serverTiming } });
    expect(md).toContain('### Where the ingest’s time goes (Server-Timing, ms)');
    expect(md).toContain('| auth | 1000 | 0.12 | 0.10 | 0.20 | 0.30 | 1.00 |');
    expect(renderReport(base)).not.toContain('Server-Timing');
  });

  it('says what each stage held when the run noted it', () => {
    const backlog = { peakNotSubmitted: 900, peakAwaitingReceipt: 40 };
    expect(renderReport({ ...base, maskline: { ...maskline, backlog } })).toContain(
      '900 accepted but not yet submitted',
    );
    expect(renderReport(base)).not.toContain('accepted but not yet submitted');
  });

  it('says why Kannel did not run', () => {
    const md = renderReport({ ...base, kannel: null, kannelSkipped: '--no-kannel' });
    expect(md).toContain('Kannel not run: --no-kannel.');
  });

  it('renders the soak section', () => {
    const md = renderReport({ ...base, maskline: null, kannel: null, soak: soakFixture });
    expect(md).toContain('### Soak: 300 s at 100 msgs/s (30000/30000 accepted, 30000 delivered)');
    expect(md).toContain('HTTP request latency p50 / p95 / p99: 3 / 9 / 15 ms.');
  });
});
