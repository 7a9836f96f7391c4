import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inParallel, StackFixture } from '../src/stack-fixture.js';

/**
 * Postgres is the system of record: messages accepted while the delivery worker is down
 * survive Redis losing every key (FLUSHALL) and jobs a crash never added. The periodic
 * reconciler is set to ten minutes here, so what delivers them is the prompt path: the
 * Redis-loss watch, and the recovery a starting ingest runs.
 */
describe('losing Redis data loses no accepted message', () => {
  const stack = new StackFixture({
    redisUrl: inject('redisUrl'),
    postgresUrl: inject('postgresUrl'),
    ingestEnv: { RECONCILE_AFTER_MS: '600000', RECONCILE_INTERVAL_MS: '600000' },
  });
  const numbers = (n: number, base: number) =>
    Array.from({ length: n }, (_, i) => `+4479112${String(base + i).slice(1)}`);

  beforeAll(async () => {
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('delivers every accepted message after FLUSHALL, without waiting for the reconciler', async () => {
    await stack.stopApp('delivery-worker');
    const responses = await inParallel(numbers(50, 100000), 10, (to) =>
      stack.send({ to, from: 'Maskline', body: 'flush me' }),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const ids = responses.map((r) => String(r.body.id));

    const redis = new Redis(inject('redisUrl'));
    const keysBefore = await redis.dbsize();
    expect(keysBefore).toBeGreaterThan(0);
    await redis.flushall();
    expect(await redis.dbsize()).toBe(0);
    redis.disconnect();

    await stack.startApp('delivery-worker');
    const statuses = await stack.waitForStatus(ids, ['delivered'], 60_000);
    expect([...statuses.values()].filter((s) => s === 'delivered')).toHaveLength(50);
    // Exactly once at the carrier: re-enqueued jobs did not submit twice.
    expect(stack.sim.messages().filter((m) => m.text === 'flush me')).toHaveLength(50);
    expect(stack.logLines().some((l) => l.includes('"reason":"redis-lost"'))).toBe(true);
  });

  it('a restarted ingest re-adds the jobs a crash left missing', async () => {
    await stack.stopApp('delivery-worker');
    const responses = await inParallel(numbers(20, 200000), 10, (to) =>
      stack.send({ to, from: 'Maskline', body: 'crash me' }),
    );
    const ids = responses.map((r) => String(r.body.id));
    // The crash between commit and enqueue: rows committed, their jobs never added.
    const redis = new Redis(inject('redisUrl'));
    const jobKeys = await redis.keys(`${stack.queuePrefix}:deliver-sim*`);
    expect(jobKeys.length).toBeGreaterThan(0);
    await redis.del(...jobKeys);
    redis.disconnect();

    await stack.stopApp('ingest', true);
    await stack.startApp('ingest');
    await stack.startApp('delivery-worker');
    const statuses = await stack.waitForStatus(ids, ['delivered'], 60_000);
    expect([...statuses.values()].filter((s) => s === 'delivered')).toHaveLength(20);
    expect(stack.sim.messages().filter((m) => m.text === 'crash me')).toHaveLength(20);
  });
});
