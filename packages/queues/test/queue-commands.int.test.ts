import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createRedisConnection } from '../src/redis-connection.js';

let redis: Redis | null = null;
afterEach(() => {
  redis?.disconnect();
  redis = null;
});

const bullmqCommands = (client: object) =>
  Object.keys((client as { scriptsSet: Record<string, unknown> }).scriptsSet).filter((name) =>
    name.startsWith('addStandardJob:'),
  );

describe('BullMQ commands on our shared connections (redis/ioredis#1931)', () => {
  it('are defined when the connection is made, so an auto-pipeline opened before any queue has them', async () => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    // Nothing has been sent and no queue exists: the definitions are already there.
    expect(bullmqCommands(redis)).toHaveLength(1);
    const [name] = bullmqCommands(redis);
    expect(typeof (redis.pipeline() as unknown as Record<string, unknown>)[name!]).toBe('function');
  });

  it('an auto-pipelined call beside a first job add on a fresh connection is answered, nothing thrown', async () => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const queue = new Queue('commands-race', { connection: redis, prefix: `qc-${Date.now()}` });
      const [got, job] = await Promise.all([redis.get('qc-missing'), queue.add('x', { a: 1 })]);
      expect(got).toBeNull();
      expect(job.id).toBeDefined();
      await queue.obliterate({ force: true });
      await queue.close();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
