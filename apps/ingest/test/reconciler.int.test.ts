import { silentLogger, uuidv7 } from '@maskline/core';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { MessageRepository } from '@maskline/storage';
import {
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
} from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Reconciler } from '../src/outbox/reconciler.js';

/**
 * The reconciler over real PostgreSQL and Redis: it re-adds only the jobs that are missing
 * and writes nothing to a message whose job exists (a backlog held behind a TPS cap costs
 * reads, not UPDATEs).
 */
describe('reconciler', () => {
  let db: TestDatabase;
  let redis: Redis;
  let queues: DeliveryQueues;
  let messages: MessageRepository;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    queues = new DeliveryQueues({ connection: redis, prefix: uniqueQueuePrefix() });
    messages = new MessageRepository(db.pool, db.vault);
    ({ tenantId } = await seedTenant(db.pool));
  });
  afterAll(async () => {
    await queues.close();
    redis.disconnect();
    await db.drop();
  });

  async function pendingMessages(count: number, withJob: boolean): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const m = testMessage(tenantId);
      await messages.insertAccepted(m);
      ids.push(m.id);
    }
    if (withJob)
      await queues.enqueue(ids.map((id) => ({ carrierId: 'sim', job: { messageId: id, tenantId } })));
    await db.pool.query(
      `UPDATE messages SET created_at = now() - interval '1 hour', updated_at = now() - interval '1 hour'
       WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return ids;
  }

  /** Pending messages of one insert batch, named on their rows as `batchId`'s job. */
  async function batchMessages(count: number, withJob: boolean): Promise<{ batchId: string; ids: string[] }> {
    const batchId = uuidv7();
    const rows = Array.from({ length: count }, () => ({ ...testMessage(tenantId), deliveryJobId: batchId }));
    await messages.insertManyAccepted(rows);
    const ids = rows.map((r) => r.id);
    if (withJob) await queues.enqueueBatch('sim', batchId, ids);
    await db.pool.query(
      `UPDATE messages SET created_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return { batchId, ids };
  }

  async function updatedAt(ids: string[]): Promise<string[]> {
    const { rows } = await db.pool.query<{ t: string }>(
      'SELECT updated_at::text AS t FROM messages WHERE id = ANY($1::uuid[]) ORDER BY id',
      [ids],
    );
    return rows.map((r) => r.t);
  }

  it('re-adds only missing jobs, in pages, and updates no row', async () => {
    const healthy = await pendingMessages(7, true);
    const lost = await pendingMessages(5, false);
    const before = await updatedAt([...healthy, ...lost]);
    const reconciler = new Reconciler(messages, queues, silentLogger, {
      afterMs: 60_000,
      intervalMs: 60_000,
      batch: 4,
    });

    expect(await reconciler.runOnce()).toBe(5);
    const queue = queues.queueFor('sim');
    for (const id of lost) expect((await queue.getJob(id))?.data).toMatchObject({ messageId: id });
    expect(await updatedAt([...healthy, ...lost])).toEqual(before);
    // Every job exists now: a second pass adds nothing.
    expect(await reconciler.runOnce()).toBe(0);
  });

  it('leaves the messages of a live batch job alone and restores a lost batch under its own id', async () => {
    const live = await batchMessages(3, true);
    const lost = await batchMessages(2, false);
    const reconciler = new Reconciler(messages, queues, silentLogger, {
      afterMs: 60_000,
      intervalMs: 60_000,
    });

    expect(await reconciler.runOnce()).toBe(2);
    const queue = queues.queueFor('sim');
    // Under the batch id named on the rows: a late add of that batch (the ingest's, held
    // back by a Redis outage) is then a no-op, not a second job for the same messages.
    const restored = (await queue.getJob(lost.batchId))?.data as { messageIds: string[] };
    expect([...restored.messageIds].sort()).toEqual([...lost.ids].sort());
    const before = await queue.count();
    await queues.enqueueBatch('sim', lost.batchId, lost.ids);
    expect(await queue.count()).toBe(before);
    for (const id of [...lost.ids, ...live.ids]) expect(await queue.getJob(id)).toBeUndefined();
    expect(await reconciler.runOnce()).toBe(0);
  });

  it('restores a message its live batch job does not list as its own job', async () => {
    const { batchId, ids } = await batchMessages(2, false);
    await queues.enqueueBatch('sim', batchId, [ids[0]!]);
    const reconciler = new Reconciler(messages, queues, silentLogger, {
      afterMs: 60_000,
      intervalMs: 60_000,
    });
    expect(await reconciler.runOnce()).toBe(1);
    expect((await queues.queueFor('sim').getJob(ids[1]!))?.data).toMatchObject({ messageId: ids[1] });
  });

  it('restores the pending messages of a batch job that ended, unless their own retry job is live', async () => {
    const queue = queues.queueFor('sim');
    const completed = await batchMessages(2, true);
    const failed = await batchMessages(1, true);
    // What a batch job that ended leaves: its id in the completed or failed sorted set.
    for (const [{ batchId }, set] of [
      [completed, 'completed'],
      [failed, 'failed'],
    ] as const) {
      await redis.lrem(queue.toKey('wait'), 0, batchId);
      await redis.zadd(queue.toKey(set), Date.now(), batchId);
    }
    // One message of the completed batch got its own retry job (a failed attempt in the batch).
    await queues.retryLater(
      'sim',
      { messageId: completed.ids[0]!, tenantId },
      { attempts: 3, delayMs: 60_000, backoffMs: 1_000 },
    );
    const reconciler = new Reconciler(messages, queues, silentLogger, {
      afterMs: 60_000,
      intervalMs: 60_000,
    });

    expect(await reconciler.runOnce()).toBe(2);
    expect(await queue.getJobState(completed.ids[0]!)).toBe('delayed');
    // The ended batch jobs are added again, fresh, listing only what is still uncovered.
    expect(await queue.getJobState(completed.batchId)).toBe('waiting');
    expect((await queue.getJob(completed.batchId))?.data).toEqual({ messageIds: [completed.ids[1]] });
    expect(await queue.getJobState(failed.batchId)).toBe('waiting');
    expect((await queue.getJob(failed.batchId))?.data).toEqual({ messageIds: failed.ids });
  });

  it('leaves young messages to the ingest that is adding their jobs, but recoverAll takes them', async () => {
    const m = testMessage(tenantId);
    await messages.insertAccepted(m);
    const reconciler = new Reconciler(messages, queues, silentLogger, {
      afterMs: 60_000,
      intervalMs: 60_000,
    });
    expect(await reconciler.runOnce()).toBe(0);
    expect(await reconciler.recoverAll('start')).toBe(1);
    expect(await queues.queueFor('sim').getJob(m.id)).toBeDefined();
  });

  it('re-adds, with fresh attempts, a job that ended failed while its message is still pending', async () => {
    const [id] = await pendingMessages(1, true);
    const queue = queues.queueFor('sim');
    // What a last attempt that could not record its failure leaves: the job in `failed`.
    // (BullMQ's own layout: the id leaves the wait list and joins the failed sorted set.)
    await redis.lrem(queue.toKey('wait'), 0, id!);
    await redis.zadd(queue.toKey('failed'), Date.now(), id!);
    expect(await queue.getJobState(id!)).toBe('failed');
    const reconciler = new Reconciler(messages, queues, silentLogger, {
      afterMs: 60_000,
      intervalMs: 60_000,
    });
    expect(await reconciler.runOnce()).toBe(1);
    expect(await queue.getJobState(id!)).toBe('waiting');
  });
});
