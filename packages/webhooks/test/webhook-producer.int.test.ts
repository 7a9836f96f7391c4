import { silentLogger, uuidv7 } from '@maskline/core';
import { createRedisConnection } from '@maskline/queues';
import { uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebhookProducer } from '../src/dispatch/webhook-producer.js';

/** The status statements' handoff on real Redis: statements close together share jobs. */
describe('WebhookProducer.handoff', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedisConnection(inject('redisUrl'), 'producer');
  });
  afterAll(() => redis.disconnect());

  const jobsOf = async (producer: WebhookProducer) =>
    (await producer.queue.getJobs(['waiting', 'delayed', 'active'])).map((job) => job.data.deliveryIds);

  it('adds the deliveries of statements committed together in one job', async () => {
    const producer = new WebhookProducer(redis, uniqueQueuePrefix(), 50);
    const handoff = producer.handoff(60_000, silentLogger);
    const statements = [[uuidv7(), uuidv7()], [uuidv7()], [uuidv7(), uuidv7(), uuidv7()]];
    for (const ids of statements) handoff.enqueue(ids);
    await expect.poll(() => jobsOf(producer)).toEqual([statements.flat()]);
    await producer.close();
  });

  it('splits them into jobs of batchSize and adds what it holds when closed', async () => {
    const producer = new WebhookProducer(redis, uniqueQueuePrefix(), 2);
    const handoff = producer.handoff(60_000, silentLogger);
    const ids = [uuidv7(), uuidv7(), uuidv7()];
    handoff.enqueue(ids);
    await producer.close();
    const reopened = new WebhookProducer(redis, producer.queue.opts.prefix ?? '', 2);
    const jobs = await jobsOf(reopened);
    expect(jobs.flat().sort()).toEqual([...ids].sort());
    expect(jobs.map((j) => j.length).sort()).toEqual([1, 2]);
    await reopened.close();
  });
});
