import { describe, expect, it } from 'vitest';
import { soakSection, soakTable } from '../src/soak-report.js';
import { heapFixture as h, soakFixture as soak } from './soak-fixture.js';

describe('soakTable', () => {
  it('shows each app’s live heap, its slope and whether it is flat', () => {
    expect(soakTable(soak)).toContain(
      '| ingest | 18.0 → 18.3 | +0.3 | +0.05 | flat | 30.0 → 31.0 | 45.0 | 125 |',
    );
    expect(soakTable(soak)).toContain('| delivery-worker | – | – | – | – | – | – | – |');
  });

  it('calls a growing heap growing', () => {
    const growing = { ...h, live: { ...h.live!, slopePerMinuteMiB: 2.5, flat: false } };
    expect(soakTable({ ...soak, heap: { ingest: growing } })).toContain('| +2.50 | **growing** |');
  });

  it('falls back to the heap floor when no GC samples were taken', () => {
    expect(soakTable({ ...soak, heap: { ingest: { ...h, live: null } } })).toContain(
      '| ingest | – | +0.5 (floor) | – | – | 30.0 → 31.0 | 45.0 | 125 |',
    );
  });
});

describe('soakSection', () => {
  it('reports HTTP and end-to-end percentiles', () => {
    const md = soakSection(soak, 64);
    expect(md).toContain('HTTP request latency p50 / p95 / p99: 3 / 9 / 15 ms.');
    expect(md).toContain(
      'Submitted → delivered p50 / p95 / p99: 4 / 8 / 12 ms; accepted → delivered: 40 / 80 / 120 ms.',
    );
  });

  it('says where a half-of-peak rate came from', () => {
    expect(soakSection({ ...soak, rateSource: { kind: 'half-of-probe', peak: 200 } }, 64)).toContain(
      '### Soak: 300 s at 100 msgs/s — half of the peak 200 delivered/s (the throughput probe above)',
    );
    expect(soakSection({ ...soak, rateSource: { kind: 'half-of-peak', peak: 201 } }, 64)).toContain(
      'half of the peak 201 delivered/s (--peak)',
    );
  });

  it('says how many sends were skipped and adds the Server-Timing table', () => {
    const serverTiming = { db: { p50: 1, p95: 2, p99: 3, max: 4, count: 10, mean: 1.5 } };
    const md = soakSection({ ...soak, skipped: 5, serverTiming }, 64);
    expect(md).toContain('5 not sent because 64 requests were already in flight');
    expect(md).toContain('| db | 10 | 1.50 | 1.00 | 2.00 | 3.00 | 4.00 |');
  });
});
