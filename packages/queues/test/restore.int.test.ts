import { uuidv7 } from '@maskline/core';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/** DeliveryQueues.restore on real Redis: every pending message ends up covered by a job. */
describe('DeliveryQueues.restore', () => {
  let redis: Redis;
  let queues: DeliveryQueues;
  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    queues = new DeliveryQueues({ connection: redis, prefix: uniqueQueuePrefix() });
  });
  afterAll(async () => {
    await queues.close();
    redis.disconnect();
  });

  const tenantId = uuidv7();
  const pending = (id: string, deliveryJobId: string) => ({ id, tenantId, deliveryJobId });

  it('covers both messages when two restores of one missing batch overlap', async () => {
    const [batchId, ids] = [uuidv7(), [uuidv7(), uuidv7()]];
    const [a, b] = await Promise.all(ids.map((id) => queues.restore('sim', [pending(id, batchId)])));
    expect([...a!, ...b!].sort()).toEqual([...ids].sort());
    const batch = await queues.queueFor('sim').getJob(batchId);
    const listed = new Set<string>((batch?.data as { messageIds?: string[] } | undefined)?.messageIds);
    expect(listed.size).toBe(1);
    // One of them added the batch job; the other, not listed in it, got a job of its own.
    for (const id of ids) {
      const own = await queues.queueFor('sim').getJob(id);
      expect(listed.has(id) !== (own !== undefined)).toBe(true);
    }
  });

  it('gives a message its own job instead of its batch id when asked to', async () => {
    const [batchId, id] = [uuidv7(), uuidv7()];
    await queues.restore('sim', [pending(id, batchId)], { underBatchId: false });
    expect(await queues.queueFor('sim').getJob(batchId)).toBeUndefined();
    expect((await queues.queueFor('sim').getJob(id))?.data).toMatchObject({ messageId: id });
  });
});
