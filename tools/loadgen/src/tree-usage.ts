import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessFigures } from './report.js';

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

interface Stat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks: the process and its reaped children. */
  ticks: number;
}

function readStat(pid: number): Stat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

function peakRssMiB(pid: number): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return hwm ? Number(hwm) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU of a process and every child it has (PostgreSQL's backends, checkpointer, WAL
 * writer…): live children read one by one, exited ones through the parent's cutime/cstime.
 * Peak RSS is the largest single process's (shared memory would be counted again per
 * backend in a sum). Linux only; null when the process is gone.
 */
export function processTreeUsage(pid: number): ProcessFigures | null {
  const root = readStat(pid);
  if (!root) return null;
  let ticks = root.ticks;
  let rss = peakRssMiB(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    const stat = child === pid ? null : readStat(child);
    if (stat?.ppid !== pid) continue;
    ticks += stat.ticks;
    rss = Math.max(rss, peakRssMiB(child));
  }
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, peakRssMiB: rss };
}
