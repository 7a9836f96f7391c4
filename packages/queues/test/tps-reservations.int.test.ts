import { createRedisConnection, TpsReservations } from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

/** The TPS slot schedule on real Redis: one call per batch, shared by every process. */
describe('TpsReservations', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
  });
  afterAll(() => redis.disconnect());

  it('hands out evenly spaced slots, each batch after the last one reserved by anyone', async () => {
    const key = `${uniqueQueuePrefix()}:tps`;
    const a = new TpsReservations(redis, key, 100);
    const b = new TpsReservations(redis, key, 100);
    const [seconds, micros] = await redis.time();
    const before = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const first = await a.reserve(5);
    const afterA = Number(await redis.get(key));
    const second = await b.reserve(3);
    const afterB = Number(await redis.get(key));
    expect(a.intervalMs).toBe(10);
    for (let i = 1; i < first.length; i++) expect(first[i]! - first[i - 1]!).toBe(10);
    for (let i = 1; i < second.length; i++) expect(second[i]! - second[i - 1]!).toBe(10);
    // On Redis's clock (the schedule's own; local readings drift with event-loop delays):
    // a's 5 slots start no earlier than the call, and b's 3 start no earlier than a's end.
    expect(afterA).toBeGreaterThanOrEqual(before + 50);
    expect(afterB).toBeGreaterThanOrEqual(afterA + 30);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('gives up a slot it woke too late for and waits for a fresh one', async () => {
    const key = `${uniqueQueuePrefix()}:tps`;
    const tps = new TpsReservations(redis, key, 10);
    const reserve = vi.spyOn(tps, 'reserve');
    const [slot] = await tps.reserve(1);
    const before = reserve.mock.calls.length;
    // A slot 300 ms in the past (the event loop stalled): used late, it would bunch submits.
    await tps.waitFor(slot! - 300);
    expect(reserve.mock.calls.length).toBe(before + 1);
    // On time: no new reservation.
    const [next] = await tps.reserve(1);
    const calls = reserve.mock.calls.length;
    await tps.waitFor(next!);
    expect(reserve.mock.calls.length).toBe(calls);
    expect(Date.now()).toBeGreaterThanOrEqual(next!);
  });
});
