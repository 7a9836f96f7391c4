import { describe, expect, it } from 'vitest';
import { PeriodicTask } from '../src/scheduling/periodic-task.js';

describe('PeriodicTask', () => {
  it('never runs twice at once: a second call joins the run in progress', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const task = new PeriodicTask(async () => {
      runs++;
      await new Promise<void>((r) => {
        release = r;
      });
      return runs;
    }, 60_000);
    const first = task.runOnce();
    const second = task.runOnce();
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    expect(runs).toBe(1);
  });

  it('runs on its interval until stopped, and stop waits for a run in progress', async () => {
    let runs = 0;
    const task = new PeriodicTask(async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return runs;
    }, 10);
    task.start();
    await new Promise((r) => setTimeout(r, 60));
    await task.stop();
    const afterStop = runs;
    expect(afterStop).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toBe(afterStop);
  });

  it('keeps ticking after a failed run', async () => {
    let runs = 0;
    const task = new PeriodicTask(async () => {
      runs++;
      throw new Error('db down');
    }, 10);
    task.start();
    await new Promise((r) => setTimeout(r, 60));
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
  });
});
