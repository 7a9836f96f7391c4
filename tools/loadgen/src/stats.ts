/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Events per second over a span of milliseconds; 0 when the span is empty. */
export function perSecond(count: number, spanMs: number): number {
  return spanMs > 0 ? (count * 1000) / spanMs : 0;
}

/** a ÷ b, or null when either side is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

/** One heap sample of an app (process.memoryUsage(), MiB), `t` ms since the first sample. */
export interface HeapSample {
  t: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  rssMiB: number;
  externalMiB: number;
  /** Taken right after a forced full GC: the live heap. */
  gc?: boolean;
}

export interface HeapWindow {
  /** Mean heapUsed over the window. */
  meanMiB: number;
  /** Lowest heapUsed in the window: the floor after garbage collection. */
  floorMiB: number;
  meanRssMiB: number;
  samples: number;
}

export interface HeapGrowth {
  windowSeconds: number;
  first: HeapWindow;
  last: HeapWindow;
  /** last.meanMiB − first.meanMiB */
  growthMiB: number;
  /** last.floorMiB − first.floorMiB: the better leak signal (GC sawtooth removed). */
  floorGrowthMiB: number;
  peakHeapUsedMiB: number;
  peakRssMiB: number;
  /**
   * Live heap (after a forced full GC), mean of the first and the last window, when the
   * sampler forced collections: the leak signal.
   */
  live: {
    firstMiB: number;
    lastMiB: number;
    growthMiB: number;
    samples: number;
    /** Least-squares slope of every live-heap sample over the run, MiB per minute. */
    slopePerMinuteMiB: number;
    /** The fitted change over the run is within FLAT_TOLERANCE of the mean live heap (or 1 MiB). */
    flat: boolean;
  } | null;
}

/** A live heap is called flat when its fitted change over the run stays within this share of its mean (or 1 MiB). */
export const FLAT_TOLERANCE = 0.02;

/** Least-squares slope of y over x (0 with fewer than two distinct x). */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function heapWindow(samples: HeapSample[]): HeapWindow {
  const used = samples.map((s) => s.heapUsedMiB);
  return {
    meanMiB: used.reduce((a, b) => a + b, 0) / Math.max(1, used.length),
    floorMiB: used.length ? Math.min(...used) : Number.NaN,
    meanRssMiB: samples.reduce((a, s) => a + s.rssMiB, 0) / Math.max(1, samples.length),
    samples: samples.length,
  };
}

/**
 * Heap growth from the first to the last window of a run: windows of a minute, or a third
 * of the run when it is shorter than three minutes. null with fewer than two samples.
 */
export function heapGrowth(samples: HeapSample[], windowMs = 60_000): HeapGrowth | null {
  if (samples.length < 2) return null;
  const all = [...samples].sort((a, b) => a.t - b.t);
  const sorted = all.filter((s) => !s.gc);
  if (sorted.length < 2) return null;
  const start = sorted[0]!.t;
  const end = sorted[sorted.length - 1]!.t;
  const span = Math.min(windowMs, (end - start) / 3);
  const first = heapWindow(sorted.filter((s) => s.t <= start + span));
  const last = heapWindow(sorted.filter((s) => s.t >= end - span));
  const gcSamples = all.filter((s) => s.gc);
  const mean = (list: HeapSample[]) => list.reduce((a, s) => a + s.heapUsedMiB, 0) / list.length;
  let live: HeapGrowth['live'] = null;
  if (gcSamples.length >= 2) {
    const gcStart = gcSamples[0]!.t;
    const gcEnd = gcSamples[gcSamples.length - 1]!.t;
    const gcSpan = Math.min(windowMs, (gcEnd - gcStart) / 3);
    const a = gcSamples.filter((s) => s.t <= gcStart + gcSpan);
    const b = gcSamples.filter((s) => s.t >= gcEnd - gcSpan);
    const perMinute = slope(gcSamples.map((s) => ({ x: s.t / 60_000, y: s.heapUsedMiB }))) || 0;
    const minutes = (gcEnd - gcStart) / 60_000;
    const tolerance = Math.max(1, FLAT_TOLERANCE * mean(gcSamples));
    live = {
      firstMiB: mean(a),
      lastMiB: mean(b),
      growthMiB: mean(b) - mean(a),
      samples: gcSamples.length,
      slopePerMinuteMiB: perMinute,
      flat: Math.abs(perMinute * minutes) <= tolerance,
    };
  }
  return {
    live,
    windowSeconds: span / 1000,
    first,
    last,
    growthMiB: last.meanMiB - first.meanMiB,
    floorGrowthMiB: last.floorMiB - first.floorMiB,
    peakHeapUsedMiB: Math.max(...all.map((s) => s.heapUsedMiB)),
    peakRssMiB: Math.max(...all.map((s) => s.rssMiB)),
  };
}

/** Heap samples from the sampler's JSON lines (see heap-sampler.ts); bad lines are skipped. */
export function parseHeapSamples(text: string): HeapSample[] {
  const samples: HeapSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as Partial<HeapSample>;
      if (typeof s.t === 'number' && typeof s.heapUsedMiB === 'number') samples.push(s as HeapSample);
    } catch {
      // a line cut short by a kill: skip it
    }
  }
  return samples;
}
