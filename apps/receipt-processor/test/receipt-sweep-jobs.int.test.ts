import { randomUUID } from 'node:crypto';
import { silentLogger } from '@maskline/core';
import { CARRIER_EVENTS_QUEUE, CarrierEventQueue, createRedisConnection } from '@maskline/queues';
import { InboundRepository, ReceiptRepository } from '@maskline/storage';
import { createTestDatabase, type TestDatabase, uniqueQueuePrefix, until } from '@maskline/testing';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CarrierEventSweeper } from '../src/sweep/carrier-event-sweeper.js';

/**
 * The sweep with batch jobs: a receipt is re-added only when no job will process it (its
 * batch job and its own job are missing, failed, or completed while it is unprocessed), so
 * a healthy backlog is left alone. The worker here never processes a receipt: it completes
 * or fails jobs as told, which is what a lost or broken job looks like to the sweep.
 */
describe('the receipt sweep against batch jobs (real Redis and PostgreSQL)', () => {
  let db: TestDatabase;
  let producer: Redis;
  let workerConnection: Redis;
  let worker: Worker;
  let events: CarrierEventQueue;
  let receipts: ReceiptRepository;
  let sweeper: CarrierEventSweeper;
  let mode: 'complete' | 'fail' = 'complete';
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    producer = createRedisConnection(inject('redisUrl'), 'producer');
    workerConnection = createRedisConnection(inject('redisUrl'), 'worker');
    receipts = new ReceiptRepository(db.pool);
    events = new CarrierEventQueue({ connection: producer, prefix });
    sweeper = new CarrierEventSweeper(
      receipts,
      new InboundRepository(db.pool, db.vault),
      events,
      silentLogger,
      {
        afterMs: 0,
        intervalMs: 600_000,
        unmatchedAfterMs: 3_600_000,
        receiptDeadlineMs: 3_600_000,
      },
    );
    await events.queue.pause();
    worker = new Worker(
      CARRIER_EVENTS_QUEUE,
      async () => {
        if (mode === 'fail') throw new UnrecoverableError('broken');
        return 'done';
      },
      { connection: workerConnection, prefix },
    );
  });
  afterAll(async () => {
    await worker.close();
    await events.close();
    producer.disconnect();
    workerConnection.disconnect();
    await db.drop();
  });

  const store = async (carrierMessageId: string, jobId: string) =>
    (
      await receipts.insertEach(
        'sim',
        [{ type: 'receipt', carrierMessageId, outcome: 'delivered', carrierStatus: 'DELIVRD' }],
        jobId,
      )
    )[0] as string;

  const stateOf = async (jobId: string) => (await events.queue.getJob(jobId))?.getState();

  it('leaves a queued batch alone and re-adds only receipts no job will process', async () => {
    const queuedBatch = randomUUID();
    const queued = await store('sweep-queued', queuedBatch);
    await events.publishReceiptBatch({ carrierId: 'sim', receiptIds: [queued] }, queuedBatch);
    const lost = await store('sweep-lost', randomUUID()); // its batch job was never added

    expect((await sweeper.runOnce()).receipts).toBe(1);
    expect(await events.queue.getJob(queued)).toBeUndefined();
    expect(await events.queue.getJob(lost)).toMatchObject({ name: 'receipt', data: { receiptId: lost } });
    // A healthy backlog (a waiting batch, a waiting restore) costs no Redis write.
    expect((await sweeper.runOnce()).receipts).toBe(0);
    expect(await sweeper.recoverAll('start')).toEqual({ receipts: 0, inbound: 0 });
    expect(await events.queue.getJob(queued)).toBeUndefined();
    expect(await events.queue.getJobCounts('paused', 'waiting')).toMatchObject({ paused: 2 });

    // Jobs that completed while their receipts stayed unprocessed: both re-added.
    await events.queue.resume();
    await until(
      async () => (await stateOf(queuedBatch)) === 'completed' && (await stateOf(lost)) === 'completed',
      Boolean,
    );
    mode = 'fail';
    expect((await sweeper.runOnce()).receipts).toBe(2);
    // Jobs of their own that failed: removed and added again.
    await until(
      async () => (await stateOf(queued)) === 'failed' && (await stateOf(lost)) === 'failed',
      Boolean,
    );
    mode = 'complete';
    expect((await sweeper.runOnce()).receipts).toBe(2);
    await until(async () => (await stateOf(queued)) === 'completed', Boolean);
    expect(await stateOf(queued)).toBe('completed');
  });
});
