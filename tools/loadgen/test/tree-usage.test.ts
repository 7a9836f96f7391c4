import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processTreeUsage } from '../src/tree-usage.js';

describe.runIf(process.platform === 'linux')('processTreeUsage', () => {
  it('reads the CPU and peak RSS of a process and its children', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end);']);
    await new Promise((r) => setTimeout(r, 300));
    const mine = processTreeUsage(process.pid)!;
    expect(mine.cpuSeconds).toBeGreaterThan(0);
    expect(mine.peakRssMiB).toBeGreaterThan(10);
    await new Promise((r) => child.once('exit', r));
  });

  it('is null for a process that is gone', () => {
    expect(processTreeUsage(2 ** 22 + 12345)).toBeNull();
  });
});
