import { randomUUID } from 'node:crypto';
import { type ReceiptEvent, silentLogger } from '@maskline/core';
import { CarrierEventQueue, createRedisConnection } from '@maskline/queues';
import { createPgPool, InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import {
  countStatements,
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
} from '@maskline/testing';
import { trace } from '@opentelemetry/api';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCarrierEventsWorker } from '../src/carrier-events-worker.js';
import { InboundProcessor } from '../src/inbound/inbound-processor.js';
import { ReceiptProcessor } from '../src/receipts/receipt-processor.js';
import { batchedReceiptStore } from '../src/receipts/receipt-store.js';

const RECEIPTS = 1_000;

/** Calls per Redis command so far (INFO commandstats), INFO itself left out. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m && m[1] !== 'info') calls.set(m[1]!, Number(m[2]));
  }
  return calls;
}

/**
 * The work the receipt hop costs per receipt, from the delivery worker's carrier event sink
 * to the applied status: PostgreSQL statements on each side and Redis commands (BullMQ's Lua
 * scripts are EVALSHA calls). The sink's side is done as the sink does it (one insert and
 * one enqueue per batch of receipts that arrived together; the sink lives in another app).
 * A regression to one job or one statement per receipt fails the bounds; the numbers are
 * printed for docs/performance.md.
 */
describe('receipt hop cost per receipt (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let sinkPool: { pool: pg.Pool; statements: () => number };
  let processorPool: { pool: pg.Pool; statements: () => number };
  let redis: Redis;
  let producer: Redis;
  let stats: Redis;
  let worker: Worker;
  let events: CarrierEventQueue;
  let messages: MessageRepository;
  let tenantId: string;
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    const counted = (pool: pg.Pool) => ({ pool, statements: countStatements(pool) });
    sinkPool = counted(createPgPool({ connectionString: db.url, max: 4 }));
    processorPool = counted(createPgPool({ connectionString: db.url, max: 4 }));
    redis = createRedisConnection(inject('redisUrl'), 'worker');
    producer = createRedisConnection(inject('redisUrl'), 'producer');
    stats = createRedisConnection(inject('redisUrl'), 'producer');
    ({ tenantId } = await seedTenant(db.pool));
    messages = new MessageRepository(db.pool, db.vault);
    events = new CarrierEventQueue({ connection: producer, prefix });
    const tracer = trace.getTracer('test');
    const receipts = new ReceiptRepository(processorPool.pool);
    worker = createCarrierEventsWorker({
      connection: redis,
      prefix,
      concurrency: 32,
      receipts: new ReceiptProcessor(batchedReceiptStore(receipts), events, tracer, silentLogger),
      inbound: new InboundProcessor(
        new InboundRepository(processorPool.pool, db.vault),
        tracer,
        silentLogger,
      ),
    });
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    await worker.close();
    await events.close();
    redis.disconnect();
    producer.disconnect();
    stats.disconnect();
    await sinkPool.pool.end();
    await processorPool.pool.end();
    await db.drop();
  });

  it(`applies ${RECEIPTS} receipts with a fraction of a statement and of a Redis call per receipt`, async () => {
    const carrierIds = Array.from({ length: RECEIPTS }, (_, i) => `cost-${i}`);
    for (const carrierMessageId of carrierIds) {
      const { id } = (await messages.insertAccepted(testMessage(tenantId))).message;
      await messages.markSubmitted(id, carrierMessageId, 1, null);
    }
    const stored = new ReceiptRepository(sinkPool.pool);
    /** What CarrierEventSinkToQueue does with the receipts that arrived together. */
    const sinkBatch = async (batch: ReceiptEvent[]) => {
      const jobId = randomUUID();
      const ids = (await stored.insertEach('sim', batch, jobId)) as string[];
      await events.publishReceiptBatch({ carrierId: 'sim', receiptIds: ids }, jobId);
    };
    const before = await commandCalls(stats);
    const started = Date.now();
    // As a carrier's deliver_sm arrive: the sink's batches hold what came within 2 ms.
    for (let i = 0; i < RECEIPTS; i += 100) {
      await sinkBatch(
        carrierIds.slice(i, i + 100).map((carrierMessageId) => ({
          type: 'receipt',
          carrierMessageId,
          outcome: 'delivered',
          carrierStatus: 'DELIVRD',
        })),
      );
    }
    const processed = async () =>
      Number(
        (
          await db.pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM receipts WHERE processed_at IS NOT NULL',
          )
        ).rows[0]!.n,
      );
    while ((await processed()) < RECEIPTS && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await processed()).toBe(RECEIPTS);
    await new Promise((r) => setTimeout(r, 300)); // the last jobs move to completed
    const after = await commandCalls(stats);
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    const redisCalls = [...after.keys()].reduce((sum, name) => sum + delta(name), 0);
    const perReceipt = {
      sinkStatements: sinkPool.statements() / RECEIPTS,
      processorStatements: processorPool.statements() / RECEIPTS,
      redisCommands: redisCalls / RECEIPTS,
      luaCalls: (delta('evalsha') + delta('eval')) / RECEIPTS,
    };
    const byCommand = Object.fromEntries(
      [...after.keys()].map((k) => [k, delta(k)]).filter(([, n]) => n !== 0),
    );
    console.log(`receipt hop cost per receipt (${RECEIPTS} receipts): ${JSON.stringify(perReceipt)}`);
    console.log(`Redis calls by command: ${JSON.stringify(byCommand)}`);
    expect(perReceipt.sinkStatements).toBeLessThanOrEqual(0.1);
    expect(perReceipt.processorStatements).toBeLessThanOrEqual(0.1);
    expect(perReceipt.luaCalls).toBeLessThanOrEqual(0.2);
    const statuses = await db.pool.query<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM messages GROUP BY status',
    );
    expect(statuses.rows).toEqual([{ status: 'delivered', n: String(RECEIPTS) }]);
  });
});
