import { systemClock } from '@maskline/core';
import { CarrierEventQueue, createRedisConnection, isRedisUnavailable } from '@maskline/queues';
import { createPgPool, InboundRepository, ReceiptRepository } from '@maskline/storage';
import { CuttableLink, createTestDatabase, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CarrierEventSinkToQueue } from '../src/carriers/carrier-event-sink.js';

/** A receipt whose enqueue fails is still stored and acknowledged, and the failure is reported, not swallowed. */
describe('carrier event sink (real PostgreSQL and Redis)', () => {
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

  it('a receipt that cannot be stored fails alone; the others in its batch are stored', async () => {
    const live = createRedisConnection(inject('redisUrl'), 'producer');
    const liveEvents = new CarrierEventQueue({ connection: live, prefix: uniqueQueuePrefix() });
    try {
      const sink = new CarrierEventSinkToQueue(
        'sim',
        new ReceiptRepository(db.pool),
        new InboundRepository(db.pool, db.vault),
        liveEvents,
        systemClock,
        () => {},
      );
      const receipt = (id: string, doneAt?: string) => ({
        type: 'receipt' as const,
        carrierMessageId: id,
        outcome: 'delivered' as const,
        carrierStatus: 'DELIVRD',
        ...(doneAt ? { doneAt } : {}),
      });
      const settled = await Promise.allSettled([
        sink.publish(receipt('ok-1', '2026-01-02T03:04:05.000Z')),
        sink.publish(receipt('bad-1', 'yesterday-ish')),
        sink.publish(receipt('ok-2')),
        sink.publish(receipt('bad\u0000nul')),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
      expect(settled[1]).toMatchObject({ reason: { code: 'invalid_request', details: { field: 'doneAt' } } });
      const stored = await db.pool.query<{ carrier_message_id: string; done_at: Date | null }>(
        `SELECT carrier_message_id, done_at FROM receipts WHERE carrier_message_id LIKE 'ok-%' ORDER BY 1`,
      );
      expect(stored.rows).toEqual([
        { carrier_message_id: 'ok-1', done_at: new Date('2026-01-02T03:04:05.000Z') },
        { carrier_message_id: 'ok-2', done_at: null },
      ]);
      // The stored receipts travel in ONE job, whose id is written on their rows.
      const rows = (
        await db.pool.query<{ id: string; job_id: string }>(
          `SELECT id, job_id FROM receipts WHERE carrier_message_id LIKE 'ok-%' ORDER BY carrier_message_id`,
        )
      ).rows;
      const jobs = await liveEvents.queue.getJobs(['waiting']);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        name: 'receipts',
        id: rows[0]!.job_id,
        data: { carrierId: 'sim', receiptIds: rows.map((r) => r.id) },
      });
      expect(rows[1]!.job_id).toBe(rows[0]!.job_id);
    } finally {
      await liveEvents.close();
      live.disconnect();
    }
  });

  it('holds a receipt through a PostgreSQL outage shorter than the hold, then stores it', async () => {
    const url = new URL(db.url);
    const proxy = await new CuttableLink(url.hostname, Number(url.port)).open();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const pool = createPgPool({ connectionString: url.toString(), max: 2 });
    try {
      const sink = new CarrierEventSinkToQueue(
        'sim',
        new ReceiptRepository(pool),
        new InboundRepository(pool, db.vault),
        events,
        systemClock,
        () => {},
        10_000,
      );
      await proxy.cut();
      const outageEnds = Date.now() + 1_500;
      setTimeout(() => void proxy.restore(), 1_500);
      await sink.publish({
        type: 'receipt',
        carrierMessageId: 'held-1',
        outcome: 'delivered',
        carrierStatus: 'DELIVRD',
      });
      expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
      const stored = await db.pool.query(`SELECT 1 FROM receipts WHERE carrier_message_id = 'held-1'`);
      expect(stored.rowCount).toBe(1);

      // Longer than the hold: the carrier is refused (it resends), nothing is stored.
      const shortHold = new CarrierEventSinkToQueue(
        'sim',
        new ReceiptRepository(pool),
        new InboundRepository(pool, db.vault),
        events,
        systemClock,
        () => {},
        300,
      );
      await proxy.cut();
      await expect(
        shortHold.publish({
          type: 'receipt',
          carrierMessageId: 'refused-1',
          outcome: 'delivered',
          carrierStatus: 'DELIVRD',
        }),
      ).rejects.toBeDefined();
      await proxy.restore();
      const refused = await db.pool.query(`SELECT 1 FROM receipts WHERE carrier_message_id = 'refused-1'`);
      expect(refused.rowCount).toBe(0);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });
});
