import { describe, expect, it } from 'vitest';
import { Batcher, itemFailure, settleEach } from '../src/batching/batcher.js';

describe('Batcher', () => {
  it('serves concurrent callers from one batch call, each with its own result', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls.push(items);
        return items.map((i) => i * 10);
      },
      { maxSize: 100, maxWaitMs: 0 },
    );
    const results = await Promise.all([1, 2, 3].map((i) => batcher.add(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('flushes at maxSize without waiting for the timer', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls.push(items);
        return items;
      },
      { maxSize: 2, maxWaitMs: 60_000 },
    );
    await Promise.all([1, 2, 3, 4].map((i) => batcher.add(i)));
    expect(calls).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('rejects every caller of a failed batch, and later batches still work', async () => {
    let fail = true;
    const batcher = new Batcher<number, number>(
      async (items) => {
        if (fail) throw new Error('db down');
        return items;
      },
      { maxSize: 10, maxWaitMs: 0 },
    );
    const failed = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.add(3)).toBe(3);
  });

  it('an item that failed by itself rejects only its own caller; the others get their results', async () => {
    const batcher = new Batcher<number, number>(
      async (items) => items.map((i) => (i < 0 ? itemFailure(new Error(`bad ${i}`)) : i * 10)),
      { maxSize: 10, maxWaitMs: 0 },
    );
    const settled = await Promise.allSettled([1, -2, 3].map((i) => batcher.add(i)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad -2') },
      { status: 'fulfilled', value: 30 },
    ]);
  });

  it('settleEach runs per-item work first and keeps each failure at its index', () => {
    const { ok, failures } = settleEach(['a', 'boom', 'c'], (s) => {
      if (s === 'boom') throw new Error('no');
      return s.toUpperCase();
    });
    expect(ok).toEqual([
      { index: 0, item: 'a', value: 'A' },
      { index: 2, item: 'c', value: 'C' },
    ]);
    expect([...failures.keys()]).toEqual([1]);
    expect(failures.get(1)?.error).toEqual(new Error('no'));
  });

  it('rejects when the batch function returns the wrong number of results', async () => {
    const batcher = new Batcher<number, number>(async () => [1], { maxSize: 10, maxWaitMs: 0 });
    await expect(Promise.all([batcher.add(1), batcher.add(2)])).rejects.toThrow(/1 results for 2 items/);
  });

  it('refuses a maxSize below 1', () => {
    expect(() => new Batcher(async (i) => i, { maxSize: 0, maxWaitMs: 0 })).toThrow(RangeError);
  });

  it('flush() runs what waits and resolves once every started batch has settled', async () => {
    const done: number[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        await new Promise((r) => setTimeout(r, 20));
        done.push(...items);
        if (items.includes(9)) throw new Error('boom');
        return items;
      },
      { maxSize: 100, maxWaitMs: 60_000 },
    );
    const a = batcher.add(1);
    const b = batcher.add(9).catch((e: Error) => e.message);
    await batcher.flush();
    expect(done).toEqual([1, 9]);
    await expect(a).rejects.toThrow('boom');
    expect(await b).toBe('boom');
    await batcher.flush(); // nothing waits: resolves at once
  });
});
