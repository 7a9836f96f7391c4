import { createRedisConnection } from '@maskline/queues';
import { InboundRepository, MessageRepository, ReceiptRepository } from '@maskline/storage';
import {
  AppProcess,
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
} from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The real receipt-processor process with the sweep set to ten minutes: a receipt and an
 * MO stored but never enqueued are applied within seconds of Redis losing its data (the
 * Redis-loss watch), and rows a crash left behind are taken up when the process starts.
 */
describe('the receipt processor recovers carrier events when Redis loses its data', () => {
  let db: TestDatabase;
  let redis: Redis;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let inbound: InboundRepository;
  let tenantId: string;
  let app: AppProcess;
  const prefix = uniqueQueuePrefix();

  const start = async () => {
    app = new AppProcess('receipt-processor', {
      DATABASE_URL: db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'debug',
      ...db.vaultEnv,
      SWEEP_AFTER_MS: '600000',
      SWEEP_INTERVAL_MS: '600000',
    });
    await app.start(/receipt processor running/);
  };

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    messages = new MessageRepository(db.pool, db.vault);
    receipts = new ReceiptRepository(db.pool);
    inbound = new InboundRepository(db.pool, db.vault);
  });
  afterAll(async () => {
    await app?.stop();
    redis.disconnect();
    await db.drop();
  });

  async function until(read: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await read()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /** A submitted message and its receipt row, stored without a job (as if Redis lost it). */
  async function storedReceipt(carrierMessageId: string): Promise<string> {
    const { id } = (await messages.insertAccepted(testMessage(tenantId))).message;
    await messages.markSubmitted(id, carrierMessageId, 1, null);
    await receipts.insert('sim', {
      type: 'receipt',
      carrierMessageId,
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    return id;
  }
  const delivered = (id: string) => async () =>
    (await messages.findForTenant(tenantId, id))?.status === 'delivered';
  const inboundProcessed = (id: string) => async () =>
    (await db.pool.query('SELECT processed_at FROM inbound_messages WHERE id = $1', [id])).rows[0]
      ?.processed_at != null;

  it('re-enqueues receipts and MOs at start, and again within seconds after FLUSHALL', async () => {
    const beforeStart = await storedReceipt('left-by-a-crash');
    await start();
    expect(await until(delivered(beforeStart))).toBe(true);
    expect(await until(async () => app.lines.some((l) => l.includes('"reason":"start"')))).toBe(true);

    const lost = await storedReceipt('lost-with-redis');
    const mo = await inbound.insert('sim', {
      type: 'inbound',
      from: '+447911000111',
      to: '+447911000222',
      body: 'hello',
      carrierMessageId: 'mo-lost-with-redis',
      receivedAt: new Date().toISOString(),
    });
    await redis.flushall();
    expect(await until(delivered(lost))).toBe(true);
    expect(await until(inboundProcessed(mo))).toBe(true);
    expect(await until(async () => app.lines.some((l) => l.includes('"reason":"redis-lost"')))).toBe(true);
  });
});
