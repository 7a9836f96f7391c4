import { describe, expect, it } from 'vitest';
import {
  type HeapSample,
  heapGrowth,
  parseHeapSamples,
  percentile,
  perSecond,
  ratio,
  slope,
  summarize,
} from '../src/stats.js';

describe('percentile / summarize', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('sorts without touching its input', () => {
    const values = [5, 1, 4, 2, 3];
    expect(summarize(values)).toEqual({ p50: 3, p95: 5, p99: 5, max: 5 });
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  it('is NaN for no values', () => {
    const s = summarize([]);
    expect(s.p50).toBeNaN();
    expect(s.max).toBeNaN();
  });
});

describe('perSecond / ratio', () => {
  it('divides counts by a span in ms', () => {
    expect(perSecond(500, 2_000)).toBe(250);
    expect(perSecond(10, 0)).toBe(0);
  });

  it('is null when a side is missing or zero', () => {
    expect(ratio(300, 150)).toBe(2);
    expect(ratio(300, 0)).toBeNull();
    expect(ratio(null, 1)).toBeNull();
    expect(ratio(1, undefined)).toBeNull();
  });
});

describe('heap samples', () => {
  const sample = (t: number, heapUsedMiB: number, rssMiB = 100): HeapSample => ({
    t,
    heapUsedMiB,
    heapTotalMiB: heapUsedMiB * 2,
    rssMiB,
    externalMiB: 1,
  });

  it('compares the first and the last minute', () => {
    // 5 minutes, one sample every 10 s; heap climbs 1 MiB a minute.
    const samples = Array.from({ length: 31 }, (_, i) => sample(1_000_000 + i * 10_000, 30 + i / 6));
    const g = heapGrowth(samples)!;
    expect(g.windowSeconds).toBe(60);
    expect(g.first.samples).toBe(7);
    expect(g.last.samples).toBe(7);
    expect(g.growthMiB).toBeCloseTo(4, 5);
    expect(g.floorGrowthMiB).toBeCloseTo(4, 5);
    expect(g.peakHeapUsedMiB).toBeCloseTo(35, 5);
  });

  it('uses thirds of a run shorter than three minutes, and sees through the GC sawtooth', () => {
    // 60 s sawtooth between 20 and 40 MiB: no growth of the floor.
    const samples = Array.from({ length: 61 }, (_, i) => sample(i * 1_000, 20 + (i % 10) * 2, 90 + i));
    const g = heapGrowth(samples)!;
    expect(g.windowSeconds).toBe(20);
    expect(g.floorGrowthMiB).toBe(0);
    expect(g.peakRssMiB).toBe(150);
  });

  it('reads the live heap from the samples taken after a forced GC', () => {
    const samples = Array.from({ length: 301 }, (_, i) => sample(i * 1_000, 40 + (i % 10)));
    // after-GC samples every 10 s: 20 MiB, +0.5 MiB a minute
    for (let i = 0; i <= 300; i += 10) samples.push({ ...sample(i * 1_000 + 1, 20 + i / 120), gc: true });
    const g = heapGrowth(samples)!;
    expect(g.first.floorMiB).toBe(40); // between-GC samples only
    expect(g.live!.samples).toBe(31);
    expect(g.live!.firstMiB).toBeCloseTo(20.25, 5);
    expect(g.live!.growthMiB).toBeCloseTo(2, 5);
    expect(heapGrowth(samples.filter((s) => !s.gc))!.live).toBeNull();
    // +0.5 MiB a minute over 5 minutes: 2.5 MiB on a 21 MiB heap is not flat.
    expect(g.live!.slopePerMinuteMiB).toBeCloseTo(0.5, 5);
    expect(g.live!.flat).toBe(false);
  });

  it('calls a live heap flat when its fitted change stays within the tolerance', () => {
    const samples = Array.from({ length: 61 }, (_, i) => sample(i * 1_000, 40));
    // after-GC samples every 10 s over 10 minutes, wobbling ±0.3 MiB around 50 MiB
    for (let i = 0; i <= 600; i += 10)
      samples.push({ ...sample(i * 1_000 + 1, 50 + ((i / 10) % 2 ? 0.3 : -0.3)), gc: true });
    const g = heapGrowth(samples)!;
    expect(Math.abs(g.live!.slopePerMinuteMiB)).toBeLessThan(0.05);
    expect(g.live!.flat).toBe(true);
  });

  it('fits a least-squares slope', () => {
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(2, 10);
    expect(slope([{ x: 1, y: 1 }])).toBe(0);
    expect(
      slope([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBe(0);
  });

  it('needs two samples', () => {
    expect(heapGrowth([])).toBeNull();
    expect(heapGrowth([sample(0, 1)])).toBeNull();
  });

  it('parses the sampler lines and skips broken ones', () => {
    const text = [
      JSON.stringify(sample(1, 10)),
      '{"t":2,"heapUsed', // cut short by a kill
      '',
      JSON.stringify({ t: 3 }),
      JSON.stringify(sample(4, 11)),
    ].join('\n');
    expect(parseHeapSamples(text).map((s) => s.t)).toEqual([1, 4]);
  });
});
