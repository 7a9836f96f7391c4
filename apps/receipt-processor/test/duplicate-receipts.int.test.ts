import { type ReceiptEvent, silentLogger } from '@maskline/core';
import { CarrierEventQueue, createRedisConnection, type ReceiptJob } from '@maskline/queues';
import { createPgPool, InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import {
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
  until,
} from '@maskline/testing';
import { trace } from '@opentelemetry/api';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCarrierEventsWorker } from '../src/carrier-events-worker.js';
import { InboundProcessor } from '../src/inbound/inbound-processor.js';
import { ReceiptProcessor } from '../src/receipts/receipt-processor.js';
import { batchedReceiptStore } from '../src/receipts/receipt-store.js';

/**
 * A worker killed before it acknowledged a deliver_sm: the carrier sends it again, to
 * another bind (another delivery-worker process). The copy must be stored and applied once.
 */
describe('a receipt the carrier sends twice', () => {
  let db: TestDatabase;
  let otherPool: pg.Pool;
  let redis: Redis;
  let producer: Redis;
  let worker: Worker;
  let events: CarrierEventQueue;
  let messages: MessageRepository;
  let processor: ReceiptProcessor;
  /** As two delivery-worker processes, each with its own pool. */
  let first: ReceiptRepository;
  let second: ReceiptRepository;
  let tenantId: string;
  const outcomes: string[] = [];
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    otherPool = createPgPool({ connectionString: db.url, max: 2 });
    redis = createRedisConnection(inject('redisUrl'), 'worker');
    producer = createRedisConnection(inject('redisUrl'), 'producer');
    ({ tenantId } = await seedTenant(db.pool));
    messages = new MessageRepository(db.pool, db.vault);
    first = new ReceiptRepository(db.pool);
    second = new ReceiptRepository(otherPool);
    events = new CarrierEventQueue({ connection: producer, prefix });
    const tracer = trace.getTracer('test');
    processor = new ReceiptProcessor(batchedReceiptStore(first), events, tracer, silentLogger);
    worker = createCarrierEventsWorker({
      connection: redis,
      prefix,
      concurrency: 4,
      receipts: processor,
      inbound: new InboundProcessor(new InboundRepository(db.pool, db.vault), tracer, silentLogger),
    });
    worker.on('completed', (_job, result) => void outcomes.push(String(result)));
  });
  afterAll(async () => {
    await worker.close();
    await events.close();
    redis.disconnect();
    producer.disconnect();
    await otherPool.end();
    await db.drop();
  });

  const rowsFor = async (carrierMessageId: string) =>
    (
      await db.pool.query<{ id: string }>('SELECT id FROM receipts WHERE carrier_message_id = $1', [
        carrierMessageId,
      ])
    ).rows.map((r) => r.id);

  it('is stored once (two processes, two batches, a copy within a batch) and moves the status once', async () => {
    const { id } = (await messages.insertAccepted(testMessage(tenantId))).message;
    await messages.markSubmitted(id, 'dup-01', 1, null);
    const receipt: ReceiptEvent = {
      type: 'receipt',
      carrierMessageId: 'dup-01',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
      doneAt: '2026-03-01T10:15:00.000Z',
    };
    const [fromFirst, fromSecond] = await Promise.all([
      first.insertMany('sim', [receipt]),
      second.insertMany('sim', [receipt, { ...receipt }]),
    ]);
    const stored = await rowsFor('dup-01');
    expect(stored).toHaveLength(1);
    expect([...fromFirst, ...fromSecond]).toEqual([stored[0], stored[0], stored[0]]);

    // Each process enqueues what it stored, as the carrier-event sink does.
    for (const receiptId of [...fromFirst, ...fromSecond])
      await events.publishReceipt({ carrierId: 'sim', receiptId });
    const applied = await until(
      () => messages.findForTenant(tenantId, id),
      (m) => m?.status === 'delivered',
    );
    await until(
      () => first.load(stored[0]!),
      (r) => r?.processed === true,
    );
    // The copy arriving later still finds the one row, and running its job again is a no-op.
    const [late] = await second.insertMany('sim', [receipt]);
    expect(late).toBe(stored[0]);
    const again = { data: { carrierId: 'sim', receiptId: late }, attemptsMade: 0, opts: { attempts: 20 } };
    expect(await processor.process(again as Job<ReceiptJob>)).toBe('duplicate');
    expect(await rowsFor('dup-01')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect((await messages.findForTenant(tenantId, id))?.doneAt).toEqual(applied?.doneAt);
  });

  it('keeps receipts that differ in status or done date', async () => {
    const base = { type: 'receipt' as const, carrierMessageId: 'dup-02', outcome: 'enroute' as const };
    const ids = await first.insertMany('sim', [
      { ...base, carrierStatus: 'ENROUTE', doneAt: '2026-03-01T10:15:00.000Z' },
      { ...base, carrierStatus: 'ENROUTE', doneAt: '2026-03-01T10:16:00.000Z' },
      { ...base, carrierStatus: 'ENROUTE' },
      { ...base, carrierStatus: 'ENROUTE' },
      { ...base, outcome: 'delivered', carrierStatus: 'DELIVRD' },
    ]);
    expect(new Set(ids).size).toBe(4);
    expect(ids[3]).toBe(ids[2]);
    expect(await rowsFor('dup-02')).toHaveLength(4);
  });
});
