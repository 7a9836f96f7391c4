import { createRedisConnection, epochKey, type RecoveryReason, RedisLossWatch } from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The Redis-loss sentinel against a real Redis, with two replicas watching the same key:
 * exactly one of them recovers when the data is gone, none while it is there, and a
 * recovery that failed is retried.
 */
describe('RedisLossWatch', () => {
  let redis: Redis;
  const key = epochKey(uniqueQueuePrefix(), 'deliver');
  const calls: { replica: number; reason: RecoveryReason }[] = [];
  let failNext = false;
  const replica = (n: number) =>
    new RedisLossWatch({
      connection: redis,
      key,
      onLoss: async (reason) => {
        if (failNext) {
          failNext = false;
          throw new Error('database away');
        }
        calls.push({ replica: n, reason });
      },
    });

  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
  });
  afterAll(() => {
    redis.disconnect();
  });

  it('one replica recovers per loss, none while the data is there', async () => {
    const [a, b] = [replica(1), replica(2)];
    const first = await Promise.all([a.check(), b.check()]);
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.reason).toBe('redis-lost');

    expect(await Promise.all([a.check(), b.check()])).toEqual([false, false]);
    expect(calls).toHaveLength(1);

    await redis.del(key); // what FLUSHALL or an empty restart does to the sentinel
    const second = await Promise.all([b.check(), a.check()]);
    expect(second.filter(Boolean)).toHaveLength(1);
    expect(calls).toHaveLength(2);
  });

  it('retries a failed recovery on the next check, and recovers at start when asked', async () => {
    const a = replica(1);
    await redis.del(key);
    calls.length = 0;
    failNext = true;
    expect(await a.check()).toBe(false);
    expect(calls).toHaveLength(0);
    expect(await a.check()).toBe(true);
    expect(calls).toEqual([{ replica: 1, reason: 'redis-lost' }]);

    const started = replica(2);
    started.startWithRecovery();
    await started.check();
    await started.stop();
    expect(calls.at(-1)).toEqual({ replica: 2, reason: 'start' });
  });

  it('stop() does not wait on a check that hangs (a worker connection during a Redis outage)', async () => {
    const hanging = new RedisLossWatch({
      connection: redis,
      key: epochKey(uniqueQueuePrefix(), 'deliver'),
      onLoss: () => new Promise<void>(() => {}),
    });
    void hanging.check();
    await expect(hanging.stop(50)).resolves.toBeUndefined();
  });
});
