import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeliverJobWindows } from '../src/messages/deliver-job-windows.js';

const added: { carrierId: string; jobId: string; ids: string[] }[] = [];
const windows = (windowMs = 5, maxIds = 1000) =>
  new DeliverJobWindows(
    async (carrierId, jobId, ids) => {
      added.push({ carrierId, jobId, ids });
    },
    { windowMs, maxIds },
  );
const rows = (carrierId: string, ...ids: string[]) => ids.map((id) => ({ id, carrierId }));

beforeEach(() => {
  added.length = 0;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DeliverJobWindows', () => {
  it('gives the commits of one window one job per carrier, under the id their rows carry', async () => {
    const w = windows();
    const a = w.take(2);
    const b = w.take(1);
    expect(b).toBe(a);
    w.settle(a, 2, rows('sim', 'm1', 'm2'));
    w.settle(b, 1, [...rows('other', 'm3')]);
    expect(added).toEqual([]);
    expect(w.holds(a)).toBe(true);
    await vi.advanceTimersByTimeAsync(5);
    expect(added).toEqual([
      { carrierId: 'sim', jobId: a, ids: ['m1', 'm2'] },
      { carrierId: 'other', jobId: a, ids: ['m3'] },
    ]);
    expect(w.holds(a)).toBe(false);
    // The next commit opens the next window.
    expect(w.take(1)).not.toBe(a);
  });

  it('never adds a job before every commit that took its id has settled', async () => {
    const w = windows();
    const id = w.take(1);
    w.settle(id, 1, rows('sim', 'm1'));
    const late = w.take(1);
    await vi.advanceTimersByTimeAsync(50);
    // Time is up, but one commit with this id is still running: its row must be in the job.
    expect(added).toEqual([]);
    expect(w.take(1)).not.toBe(id);
    w.settle(late, 1, rows('sim', 'm2'));
    await vi.advanceTimersByTimeAsync(0);
    expect(added).toEqual([{ carrierId: 'sim', jobId: id, ids: ['m1', 'm2'] }]);
  });

  it('opens a new window when a commit could list more ids than a job may hold', async () => {
    const w = windows(5, 3);
    const first = w.take(2);
    const second = w.take(2);
    expect(second).not.toBe(first);
    w.settle(first, 2, rows('sim', 'm1', 'm2'));
    // The first window is closed and settled: its job is added at once, not at its timer.
    await vi.advanceTimersByTimeAsync(0);
    expect(added).toEqual([{ carrierId: 'sim', jobId: first, ids: ['m1', 'm2'] }]);
    w.settle(second, 2, rows('sim', 'm3', 'm4'));
    await vi.advanceTimersByTimeAsync(5);
    expect(added.map((a) => a.ids)).toEqual([
      ['m1', 'm2'],
      ['m3', 'm4'],
    ]);
  });

  it('adds nothing for a window whose commits created no row (failed, or idempotent replays)', async () => {
    const w = windows();
    const id = w.take(3);
    w.settle(id, 3, []);
    await vi.advanceTimersByTimeAsync(5);
    expect(added).toEqual([]);
    expect(w.holds(id)).toBe(false);
  });

  it('drain adds the open window at once and waits for every add', async () => {
    let finish: () => void = () => {};
    const slow = new DeliverJobWindows(
      (carrierId, jobId, ids) =>
        new Promise<void>((resolve) => {
          added.push({ carrierId, jobId, ids });
          finish = resolve;
        }),
      { windowMs: 1_000, maxIds: 1000 },
    );
    const id = slow.take(1);
    slow.settle(id, 1, rows('sim', 'm1'));
    let drained = false;
    const draining = slow.drain().then(() => (drained = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(added).toEqual([{ carrierId: 'sim', jobId: id, ids: ['m1'] }]);
    expect(drained).toBe(false);
    finish();
    await draining;
    expect(drained).toBe(true);
  });

  it('drain waits for a commit still running in a closed window, then adds its job', async () => {
    const w = windows();
    const id = w.take(1);
    let drained = false;
    const draining = w.drain().then(() => (drained = true));
    await vi.advanceTimersByTimeAsync(20);
    expect(drained).toBe(false);
    expect(vi.getTimerCount()).toBe(0); // it waits for the commit to settle, without polling
    w.settle(id, 1, rows('sim', 'm1'));
    await draining;
    expect(added).toEqual([{ carrierId: 'sim', jobId: id, ids: ['m1'] }]);
  });

  it('a failed add is left to the reconciler and does not stop later windows', async () => {
    let calls = 0;
    const w = new DeliverJobWindows(
      async (carrierId, jobId, ids) => {
        calls += 1;
        if (calls === 1) throw new Error('Redis away');
        added.push({ carrierId, jobId, ids });
      },
      { windowMs: 5, maxIds: 1000 },
    );
    const a = w.take(1);
    w.settle(a, 1, rows('sim', 'm1'));
    await vi.advanceTimersByTimeAsync(5);
    const b = w.take(1);
    w.settle(b, 1, rows('sim', 'm2'));
    await vi.advanceTimersByTimeAsync(5);
    expect(added).toEqual([{ carrierId: 'sim', jobId: b, ids: ['m2'] }]);
  });
});
