import { type CarrierPluginDefinition, uuidv7 } from '@maskline/core';
import { testMessage, until } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierRuntime } from '../src/carriers/carrier-runtime.js';
import { directDeliveryStore } from '../src/delivery/delivery-store.js';
import {
  attemptsByMessage,
  SCRIPTED_OUTCOMES,
  scriptedPlugin,
  submitTimesByMessage,
} from './support/scripted-plugin.js';
import { startTestHost, type TestHost } from './support/test-host.js';

/**
 * Batch deliver jobs (one per ingest insert batch) on real BullMQ, Redis and PostgreSQL:
 * failures stay per message. A permanent failure ends its message only, a retryable one
 * continues in the message's own job (job id = message id) with the remaining attempts,
 * and the batch job completes once each message is recorded or covered by its own job.
 */
describe('batch deliver jobs', () => {
  let host: TestHost;
  let runtime: CarrierRuntime;

  beforeAll(async () => {
    host = await startTestHost({ attempts: 3, backoffMs: 20 });
    runtime = CarrierRuntime.create(
      { id: 'batchy', plugin: 'scripted', tps: 0, concurrency: 4, regions: [], secrets: {}, config: {} },
      host.runtimeDeps({ scripted: scriptedPlugin as CarrierPluginDefinition<unknown> }),
    );
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.stop();
    await host.close();
  });

  async function sendBatch(bodies: readonly string[]): Promise<{ batchId: string; ids: string[] }> {
    const batchId = uuidv7();
    const rows = bodies.map((body) =>
      testMessage(host.tenantId, { carrierId: 'batchy', body, deliveryJobId: batchId }),
    );
    await host.messages.insertManyAccepted(rows);
    const ids = rows.map((r) => r.id);
    await host.queues.enqueueBatch('batchy', batchId, ids);
    return { batchId, ids };
  }

  const settle = (id: string, timeoutMs?: number) => host.settle(id, timeoutMs);

  it('ends each message of one batch as its own job would have, with the same attempts', async () => {
    const cases = [
      ...SCRIPTED_OUTCOMES,
      ['submit-fail', 'failed', 'retries_exhausted', 3],
      ['ok', 'submitted', null, 1],
    ] as const;
    const { batchId, ids } = await sendBatch(cases.map(([body]) => body));
    const queue = host.queues.queueFor('batchy');
    for (const [i, [, status, errorCode, attempts]] of cases.entries()) {
      const m = await settle(ids[i]!);
      expect(m).toMatchObject({ status, errorCode });
      expect(attemptsByMessage.get(ids[i]!)).toBe(attempts);
      // A message that needed a second attempt got it from its own job, not the batch's.
      if (attempts > 1) expect(await queue.getJob(ids[i]!)).toBeDefined();
      else expect(await queue.getJob(ids[i]!)).toBeUndefined();
    }
    expect(await queue.getJobState(batchId)).toBe('completed');
    expect((await queue.getJob(batchId))?.attemptsMade).toBe(1);
    expect(await settle(ids[6]!)).toMatchObject({ carrierStatus: { name: 'ESME_RSUBMITFAIL' } });
  });

  it("waits at least the carrier's retry-after before a message's own retry", async () => {
    const { ids } = await sendBatch(['throttle-always', 'ok', 'ok']);
    const m = await settle(ids[0]!);
    expect(m).toMatchObject({ status: 'failed', errorCode: 'retries_exhausted' });
    const times = submitTimesByMessage.get(ids[0]!) ?? [];
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(290);
    for (const id of ids.slice(1)) expect(await settle(id)).toMatchObject({ status: 'submitted' });
  });

  it('leaves to its own job a message a batch run again already handed off', async () => {
    // A store whose first two loads fail as if PostgreSQL were away: the batch job is retried.
    let failLoads = 2;
    const rerun = CarrierRuntime.create(
      { id: 'rerun', plugin: 'scripted', tps: 0, concurrency: 2, regions: [], secrets: {}, config: {} },
      host.runtimeDeps(
        { scripted: scriptedPlugin as CarrierPluginDefinition<unknown> },
        {
          deliveryStore: {
            ...directDeliveryStore(host.messages),
            load: async (id) => {
              if (failLoads-- > 0) throw new Error('connection terminated unexpectedly');
              return host.messages.loadForDelivery(id);
            },
          },
        },
      ),
    );
    const batchId = uuidv7();
    const rows = ['ok', 'ok'].map((body) =>
      testMessage(host.tenantId, { carrierId: 'rerun', body, deliveryJobId: batchId }),
    );
    await host.messages.insertManyAccepted(rows);
    const [handedOff, kept] = rows.map((r) => r.id) as [string, string];
    // As a first run that failed after giving one message its own (delayed) retry job.
    await host.queues.retryLater(
      'rerun',
      { messageId: handedOff, tenantId: host.tenantId },
      { attempts: 2, delayMs: 60_000, backoffMs: 20 },
    );
    await host.queues.enqueueBatch('rerun', batchId, [handedOff, kept]);
    await rerun.start();
    try {
      expect(await settle(kept)).toMatchObject({ status: 'submitted' });
      // The message is submitted a moment before its batch job is marked completed.
      const queue = host.queues.queueFor('rerun');
      expect(
        await until(
          () => queue.getJobState(batchId),
          (state) => state === 'completed',
        ),
      ).toBe('completed');
      expect((await host.queues.queueFor('rerun').getJob(batchId))?.attemptsMade).toBe(2);
      expect(attemptsByMessage.get(handedOff)).toBeUndefined();
      expect(await host.queues.queueFor('rerun').getJobState(handedOff)).toBe('delayed');
    } finally {
      await rerun.stop();
    }
  });

  it('skips messages already past queued when a batch job repeats', async () => {
    const { ids } = await sendBatch(['ok', 'ok']);
    for (const id of ids) await settle(id);
    await host.queues.enqueueBatch('batchy', uuidv7(), ids);
    await new Promise((r) => setTimeout(r, 300));
    for (const id of ids) expect(attemptsByMessage.get(id)).toBe(1);
  });
});
