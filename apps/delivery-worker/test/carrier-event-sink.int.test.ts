import { systemClock } from '@maskline/core';
import { CarrierEventQueue, createRedisConnection, isRedisUnavailable } from '@maskline/queues';
import { InboundRepository, ReceiptRepository } from '@maskline/storage';
import { createTestDatabase, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CarrierEventSinkToQueue } from '../src/carriers/carrier-event-sink.js';

/** A receipt whose enqueue fails is still stored and acknowledged, and the failure is reported, not swallowed. */
describe('carrier event sink with Redis down (real PostgreSQL)', () => {
  let db: TestDatabase;
  let redis: Redis;
  let events: CarrierEventQueue;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    events = new CarrierEventQueue({ connection: redis, prefix: uniqueQueuePrefix() });
    await events.queue.waitUntilReady();
    // Redis goes away after the queue was ready: every command now fails.
    redis.disconnect();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stores the receipt, resolves publish(), and reports the failed enqueue', async () => {
    const reported: unknown[] = [];
    const sink = new CarrierEventSinkToQueue(
      'sim',
      new ReceiptRepository(db.pool),
      new InboundRepository(db.pool, db.vault),
      events,
      systemClock,
      (error) => void reported.push(error),
    );
    await sink.publish({
      type: 'receipt',
      carrierMessageId: 'cm-1',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    const stored = await db.pool.query('SELECT carrier_message_id FROM receipts');
    expect(stored.rows).toEqual([{ carrier_message_id: 'cm-1' }]);
    expect(reported).toHaveLength(1);
    expect(isRedisUnavailable(reported[0])).toBe(true);
  });
});
