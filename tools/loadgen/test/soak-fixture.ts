import type { SoakResult } from '../src/soak-report.js';
import type { HeapGrowth } from '../src/stats.js';

/** One app's heap over a 5-minute soak: live heap 18 → 18.25 MiB, flat. */
export const heapFixture: HeapGrowth = {
  windowSeconds: 60,
  first: { meanMiB: 30, floorMiB: 20, meanRssMiB: 100, samples: 60 },
  last: { meanMiB: 31, floorMiB: 20.5, meanRssMiB: 101, samples: 60 },
  growthMiB: 1,
  floorGrowthMiB: 0.5,
  peakHeapUsedMiB: 45,
  peakRssMiB: 120,
  live: { firstMiB: 18, lastMiB: 18.25, growthMiB: 0.25, samples: 30, slopePerMinuteMiB: 0.05, flat: true },
};

export const soakFixture: SoakResult = {
  seconds: 300,
  gcEverySeconds: 10,
  rate: 100,
  rateSource: { kind: 'fixed' },
  sent: 30000,
  skipped: 0,
  requestLatencyMs: { p50: 3, p95: 9, p99: 15, max: 30 },
  submittedToDeliveredMs: { p50: 4, p95: 8, p99: 12, max: 20 },
  acceptToDeliveredMs: { p50: 40, p95: 80, p99: 120, max: 200 },
  accepted: 30000,
  delivered: 30000,
  heap: { ingest: heapFixture, 'delivery-worker': null },
  processes: { ingest: { cpuSeconds: 10, peakRssMiB: 125 } },
};
