import { readFileSync } from 'node:fs';

export interface ProcessUsage {
  /** User + system CPU time so far, in seconds. */
  cpuSeconds: number;
  /** Peak resident set size (VmHWM), in MiB. */
  peakRssMiB: number;
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU time and peak RSS of a running process, from /proc (Linux). null when unreadable. */
export function processUsage(pid: number): ProcessUsage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return {
      cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND,
      peakRssMiB: hwm ? Number(hwm) / 1024 : Number.NaN,
    };
  } catch {
    return null;
  }
}
