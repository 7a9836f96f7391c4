import { createRedisConnection } from '@maskline/queues';
import { createTestDatabase, seedTenant, type TestDatabase, uniqueQueuePrefix } from '@maskline/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExpiryQueue, isExpiryJob, MaskingExpiry, MaskingStore } from '../src/index.js';
import {
  capturingLogger,
  maskingService,
  realNumber,
  reserveRequest,
  stockPool,
} from './support/fixtures.js';

/** Expiry through a real BullMQ delayed job, and the sweeper that catches missed ones. */
describe('masking session expiry (real Redis and PostgreSQL)', () => {
  let db: TestDatabase;
  let producer: Redis;
  let workerConnection: Redis;
  let queue: ExpiryQueue;
  let tenantId: string;
  const prefix = uniqueQueuePrefix();
  const logs = capturingLogger();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    producer = createRedisConnection(inject('redisUrl'), 'producer');
    workerConnection = createRedisConnection(inject('redisUrl'), 'worker');
    queue = new ExpiryQueue({ connection: producer, prefix });
    ({ tenantId } = await seedTenant(db.pool));
  });
  afterAll(async () => {
    await queue.close();
    producer.disconnect();
    workerConnection.disconnect();
    await db.drop();
  });

  it('expires a session at its TTL through the delayed job and quarantines its number', async () => {
    const { service } = maskingService(db.pool, db.vault, { scheduler: queue, logger: logs });
    await stockPool(service, tenantId, 1);
    const { session } = await service.reserve(
      tenantId,
      reserveRequest({ ttlSeconds: 1, participants: [realNumber(1)] }),
      null,
    );
    const job = await queue.queue.getJob(`expire-${session.id}`);
    expect(job?.data).toEqual({ sessionId: session.id, tenantId });
    expect(job?.opts.delay).toBe(1_500);
    const expiry = new MaskingExpiry(
      new MaskingStore(db.pool),
      { quarantineMs: 60_000, lowWatermark: 0 },
      logs,
      60_000,
    );
    const worker = expiry.startWorker(workerConnection, prefix, {
      recovery: { lockDuration: 2_000, stalledInterval: 1_000, maxStalledCount: 20 },
    });
    // The app's lock settings reach the worker (a dead process's expiries resume in seconds).
    expect(worker.opts).toMatchObject({ lockDuration: 2_000, stalledInterval: 1_000, maxStalledCount: 20 });
    try {
      const deadline = Date.now() + 10_000;
      let state = '';
      while (Date.now() < deadline && state !== 'expired') {
        state = (await db.pool.query('SELECT state FROM masking_sessions WHERE id = $1', [session.id]))
          .rows[0].state;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(state).toBe('expired');
      const number = (
        await db.pool.query('SELECT state FROM virtual_numbers WHERE e164 = $1', [session.virtualNumber])
      ).rows[0];
      expect(number.state).toBe('quarantined');
    } finally {
      await expiry.stop();
    }
    expect(logs.lines.join('\n')).not.toContain(realNumber(1).slice(1));
  });

  it('sweeps sessions whose job never ran, and leaves live ones alone', async () => {
    const { service } = maskingService(db.pool, db.vault, { scheduler: { schedule: async () => {} } });
    await stockPool(service, tenantId, 2, { from: 10 });
    const { session: due } = await service.reserve(tenantId, reserveRequest({ ttlSeconds: 1 }), null);
    const { session: live } = await service.reserve(tenantId, reserveRequest({ ttlSeconds: 600 }), null);
    await new Promise((r) => setTimeout(r, 1_100));
    const expiry = new MaskingExpiry(
      new MaskingStore(db.pool),
      { quarantineMs: 60_000, lowWatermark: 0 },
      logs,
      60_000,
    );
    expect(await expiry.sweep()).toBe(1);
    const states = await db.pool.query('SELECT id, state FROM masking_sessions WHERE id = ANY($1::uuid[])', [
      [due.id, live.id],
    ]);
    expect(Object.fromEntries(states.rows.map((r) => [r.id, r.state]))).toEqual({
      [due.id]: 'expired',
      [live.id]: 'active',
    });
    expect(await expiry.expire(live.id)).toBe(false);
  });

  it('accepts only id-only expiry jobs', () => {
    const id = '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b';
    expect(isExpiryJob({ sessionId: id, tenantId: id })).toBe(true);
    expect(isExpiryJob({ sessionId: id, tenantId: id, to: '+447911123456' })).toBe(false);
    expect(isExpiryJob({ sessionId: 'x', tenantId: id })).toBe(false);
  });
});
