import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REPO_ROOT } from '@maskline/local-infra';
import { describe, expect, it } from 'vitest';
import { ChaosStack } from '../src/chaos-stack.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventuallyDead(pids: number[], timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = left.filter(alive);
  }
  return left;
}

describe('a drill leaves nothing behind', () => {
  it('stop() ends every process the stack started, restarted ones too, and removes its temp dir', async () => {
    const stack = new ChaosStack({ carrierLatencyMs: 0 });
    try {
      await stack.start();
      await stack.crashApp('delivery-worker');
      await stack.crashSim();
      const pids = stack.pids();
      // Redis, PostgreSQL, the simulator and the three apps (the killed ones are gone already).
      expect(pids).toHaveLength(6);
      await stack.stop();
      expect(await eventuallyDead(pids)).toEqual([]);
      expect(existsSync(stack.dir)).toBe(false);
    } finally {
      await stack.stop().catch(() => {});
    }
  });

  it('kills every registered process and removes its temp dir when the drill process crashes', async () => {
    // The drill's reaper from the build, in a process that starts a child and then crashes.
    const script = `
      import { spawn } from 'node:child_process';
      import { mkdtempSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const { reapOnExit, removeOnExit } = await import(${JSON.stringify(`${REPO_ROOT}tools/chaos/dist/reaper.js`)});
      const child = spawn('sleep', ['300'], { stdio: 'ignore' });
      reapOnExit(() => child.pid);
      const dir = mkdtempSync(join(tmpdir(), 'maskline-chaos-reaper-'));
      removeOnExit(dir);
      console.log(JSON.stringify({ pid: child.pid, dir }));
      setTimeout(() => { throw new Error('drill crashed'); }, 100);
    `;
    const drill = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    drill.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => drill.once('exit', resolve));
    expect(code).not.toBe(0);
    const { pid, dir } = JSON.parse(out.trim()) as { pid: number; dir: string };
    expect(pid).toBeGreaterThan(0);
    expect(await eventuallyDead([pid])).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});
