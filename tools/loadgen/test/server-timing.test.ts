import { describe, expect, it } from 'vitest';
import { parseServerTiming, ServerTimings, serverTimingTable } from '../src/server-timing.js';

describe('parseServerTiming', () => {
  it('reads names and durations, skipping entries without a number', () => {
    expect(parseServerTiming('auth;dur=0.25, ratelimit;desc="Redis";dur=1.5,cache, bad;dur=x')).toEqual([
      { name: 'auth', ms: 0.25 },
      { name: 'ratelimit', ms: 1.5 },
    ]);
    expect(parseServerTiming('')).toEqual([]);
  });
});

describe('ServerTimings', () => {
  it('summarizes each stage over every request, in first-seen order', () => {
    const t = new ServerTimings();
    for (let i = 1; i <= 100; i++) t.record(`auth;dur=${i / 100}, insert;dur=${i}`);
    t.record(undefined); // a response without the header (e.g. the setting is off)
    t.record(['auth;dur=0.5', 'enqueue;dur=2']);
    expect(t.requests).toBe(101);
    const s = t.summary();
    expect(Object.keys(s)).toEqual(['auth', 'insert', 'enqueue']);
    expect(s.auth!.count).toBe(101);
    expect(s.insert).toMatchObject({ count: 100, p50: 50, p99: 99, max: 100, mean: 50.5 });
    expect(s.enqueue).toMatchObject({ count: 1, p50: 2 });
    expect(serverTimingTable(s).split('\n')).toContain(
      '| insert | 100 | 50.50 | 50.00 | 95.00 | 99.00 | 100.00 |',
    );
    t.clear();
    expect(t.requests).toBe(0);
    expect(t.summary()).toEqual({});
  });
});
