import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inParallel, StackFixture } from '../src/stack-fixture.js';

/**
 * Postgres is the system of record: messages accepted while the delivery worker is down
 * survive Redis losing every key (FLUSHALL) and are delivered once the reconciler runs.
 */
describe('losing Redis data loses no accepted message', () => {
  const stack = new StackFixture({
    redisUrl: inject('redisUrl'),
    postgresUrl: inject('postgresUrl'),
    ingestEnv: { RECONCILE_AFTER_MS: '1000', RECONCILE_INTERVAL_MS: '500' },
  });

  beforeAll(async () => {
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('delivers every accepted message after FLUSHALL', async () => {
    await stack.stopApp('delivery-worker');
    const numbers = Array.from({ length: 50 }, (_, i) => `+4479112${String(100000 + i).slice(1)}`);
    const responses = await inParallel(numbers, 10, (to) =>
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
  });
});
