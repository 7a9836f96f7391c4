/** Number formats shared by the bench's markdown tables ('–' for a missing value). */
import type { LatencySummary } from './stats.js';

export const n0 = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US');
export const n1 = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(1);
export const pct = (s: LatencySummary | undefined) =>
  s ? `${n0(s.p50)} / ${n0(s.p95)} / ${n0(s.p99)}` : '–';
export const times = (r: number | null) => (r === null ? '–' : `${r.toFixed(2)}×`);
