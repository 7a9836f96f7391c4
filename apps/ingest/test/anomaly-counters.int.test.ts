import { createRedisConnection } from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NewCountryCounter } from '../src/anomalies/new-countries.js';
import { WindowCounter } from '../src/anomalies/window-counter.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The detectors' Redis scripts on real Redis, with a clock the test moves. */
describe('anomaly counters (real Redis)', () => {
  let redis: Redis;
  const prefix = uniqueQueuePrefix();
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;

  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
  });
  afterAll(async () => {
    await redis.del(`${prefix}:{t1}:countries`, `${prefix}:{t2}:countries`, `${prefix}:{t3}:countries`);
    await redis.quit();
  });

  it('a window alerts once when it reaches the threshold, and a new window may alert again', async () => {
    const counter = new WindowCounter(redis);
    const key = `${prefix}:{w}:window`;
    const first = [];
    for (let i = 0; i < 6; i += 1) first.push(await counter.add(key, 1, 3, 300));
    expect(first.map((w) => w.count)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(first.map((w) => w.alert)).toEqual([false, false, true, false, false, false]);
    await new Promise((r) => setTimeout(r, 400));
    const next = [];
    for (let i = 0; i < 3; i += 1) next.push(await counter.add(key, 1, 3, 300));
    expect(next.map((w) => w.alert)).toEqual([false, false, true]);
  });

  const counter = (learningMs = 0) =>
    new NewCountryCounter(redis, { lookbackMs: 30 * DAY, windowMs: HOUR, threshold: 5, learningMs }, clock);
  const counts = (entries: [string, number][]) => new Map(entries);

  it('alerts once for a new country reaching the threshold within the window, in one call per batch', async () => {
    const c = counter();
    const key = `${prefix}:{t1}:countries`;
    expect(
      await c.observe(
        key,
        counts([
          ['GB', 3],
          ['FR', 1],
        ]),
      ),
    ).toEqual([]);
    now += 10 * 60_000;
    expect(
      await c.observe(
        key,
        counts([
          ['GB', 2],
          ['FR', 1],
        ]),
      ),
    ).toEqual([{ country: 'GB', count: 5, newSince: now - 10 * 60_000 }]);
    now += 60_000;
    expect(await c.observe(key, counts([['GB', 50]]))).toEqual([]);
  });

  it('does not alert for a country sent to within the lookback, nor for a trickle past the window', async () => {
    const c = counter();
    const key = `${prefix}:{t2}:countries`;
    // Established: a little traffic, then after the window a big batch: not new any more.
    expect(await c.observe(key, counts([['DE', 1]]))).toEqual([]);
    now += 2 * HOUR;
    expect(await c.observe(key, counts([['DE', 500]]))).toEqual([]);
    now += 20 * DAY;
    expect(await c.observe(key, counts([['DE', 500]]))).toEqual([]);
    // Quiet for longer than the lookback: new again, and a burst alerts.
    now += 31 * DAY;
    expect(await c.observe(key, counts([['DE', 6]]))).toEqual([{ country: 'DE', count: 6, newSince: now }]);
  });

  it('stays quiet while a tenant is being learned', async () => {
    const c = counter(24 * HOUR);
    const key = `${prefix}:{t3}:countries`;
    expect(await c.observe(key, counts([['US', 100]]))).toEqual([]);
    now += 25 * HOUR;
    // Learned: US was sent to yesterday (not new); NL is new and bursts.
    expect(
      await c.observe(
        key,
        counts([
          ['US', 100],
          ['NL', 10],
        ]),
      ),
    ).toEqual([{ country: 'NL', count: 10, newSince: now }]);
  });
});
