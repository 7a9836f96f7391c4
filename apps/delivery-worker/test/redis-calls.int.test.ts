import { type CarrierPluginDefinition, uuidv7 } from '@maskline/core';
import { createRedisConnection } from '@maskline/queues';
import { testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CarrierRuntime } from '../src/carriers/carrier-runtime.js';
import { scriptedPlugin } from './support/scripted-plugin.js';
import { startTestHost, type TestHost } from './support/test-host.js';

/** Redis commands served so far: all of them, and the Lua script runs among them. */
async function commandCounts(redisUrl: string): Promise<{ all: number; lua: number }> {
  const redis = createRedisConnection(redisUrl, 'producer');
  try {
    const info = await redis.info('commandstats');
    let all = 0;
    let lua = 0;
    for (const [, name, calls] of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
      all += Number(calls);
      if (name === 'evalsha' || name === 'eval') lua += Number(calls);
    }
    return { all, lua };
  } finally {
    redis.disconnect();
  }
}

/**
 * What a message costs in Redis on the ingest -> worker hop, from its enqueue to its
 * `submitted` record: BullMQ's Lua calls (add, moveToActive, moveToFinished) are paid per
 * job, so a batch job shares them across its messages. Measured on the test's own Redis.
 */
describe('Redis calls per message on the deliver hop', () => {
  const COUNT = 200;
  let host: TestHost;
  let runtime: CarrierRuntime;

  beforeAll(async () => {
    host = await startTestHost();
    runtime = CarrierRuntime.create(
      { id: 'counted', plugin: 'scripted', tps: 0, concurrency: 16, regions: [], secrets: {}, config: {} },
      host.runtimeDeps({ scripted: scriptedPlugin as CarrierPluginDefinition<unknown> }),
    );
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.stop();
    await host.close();
  });

  async function run(asBatch: boolean): Promise<{ all: number; lua: number }> {
    const rows = Array.from({ length: COUNT }, () =>
      testMessage(host.tenantId, { carrierId: 'counted', body: 'ok' }),
    );
    await host.messages.insertManyAccepted(rows);
    const before = await commandCounts(inject('redisUrl'));
    if (asBatch) {
      await host.queues.enqueueBatch(
        'counted',
        uuidv7(),
        rows.map((r) => r.id),
      );
    } else {
      await host.queues.enqueue(
        rows.map((r) => ({ carrierId: 'counted', job: { messageId: r.id, tenantId: host.tenantId } })),
      );
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows: left } = await host.db.pool.query(
        "SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) AND status = 'queued'",
        [rows.map((r) => r.id)],
      );
      if (left[0].n === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = await commandCounts(inject('redisUrl'));
    return { all: (after.all - before.all) / COUNT, lua: (after.lua - before.lua) / COUNT };
  }

  it('pays BullMQ Lua calls per batch, not per message', async () => {
    const single = await run(false);
    const batch = await run(true);
    console.info(
      `redis calls per message, one job each: ${single.all.toFixed(2)} (Lua ${single.lua.toFixed(2)}); ` +
        `one batch job of ${COUNT}: ${batch.all.toFixed(2)} (Lua ${batch.lua.toFixed(2)})`,
    );
    expect(single.lua).toBeGreaterThanOrEqual(2);
    expect(batch.lua).toBeLessThan(0.1);
  });
});
