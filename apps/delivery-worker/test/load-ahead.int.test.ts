import { uuidv7 } from '@maskline/core';
import { testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierRuntime } from '../src/carriers/carrier-runtime.js';
import { batchedDeliveryStore } from '../src/delivery/delivery-store.js';
import { testCarrierPlugin } from './support/scripted-plugin.js';
import { startTestHost, type TestHost } from './support/test-host.js';

/** A carrier that answers each submit after 20 ms and declares room for 10 at once. */
const IN_FLIGHT = 10;
let answered = 0;
const submitsOf = new Map<string, number>();
const slowPlugin = testCarrierPlugin(
  'slow',
  async (request) => {
    submitsOf.set(request.messageId, (submitsOf.get(request.messageId) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    answered++;
    return { carrierMessageId: `c-${request.messageId.slice(-8)}`, partIds: [], segments: 1 };
  },
  IN_FLIGHT,
);

/**
 * Four jobs of 100 messages while the carrier is slow: the worker loads (and opens) a
 * message only as earlier ones went through the carrier, at most 4 × the plugin's
 * in-flight limit ahead, and the loads it does make still share statements.
 */
describe('messages loaded ahead of the carrier', () => {
  let host: TestHost;
  let runtime: CarrierRuntime;
  let loaded = 0;
  let loadStatements = 0;
  let mostAhead = 0;

  beforeAll(async () => {
    host = await startTestHost();
    const messages = host.messages;
    const counting = Object.create(messages) as typeof messages;
    counting.loadEachForDelivery = async (ids) => {
      loadStatements++;
      loaded += ids.length;
      mostAhead = Math.max(mostAhead, loaded - answered);
      return messages.loadEachForDelivery(ids);
    };
    runtime = CarrierRuntime.create(
      { id: 'slowpoke', plugin: 'slow', tps: 0, concurrency: 4, regions: [], secrets: {}, config: {} },
      host.runtimeDeps({ slow: slowPlugin }, { deliveryStore: batchedDeliveryStore(counting) }),
    );
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.stop();
    await host.close();
  });

  it('holds at most 4 × the in-flight limit loaded, and still loads in shared statements', async () => {
    const ids: string[] = [];
    for (let job = 0; job < 4; job++) {
      const batchId = uuidv7();
      const rows = Array.from({ length: 100 }, () =>
        testMessage(host.tenantId, { carrierId: 'slowpoke', body: 'ok', deliveryJobId: batchId }),
      );
      await host.messages.insertManyAccepted(rows);
      await host.queues.enqueueBatch(
        'slowpoke',
        batchId,
        rows.map((r) => r.id),
      );
      ids.push(...rows.map((r) => r.id));
    }
    for (const id of ids) expect(await host.settle(id, 20_000)).toMatchObject({ status: 'submitted' });
    expect(loaded).toBe(400);
    expect(mostAhead).toBeGreaterThan(IN_FLIGHT);
    expect(mostAhead).toBeLessThanOrEqual(4 * IN_FLIGHT);
    expect(loadStatements).toBeLessThan(200);
  });

  it('submits a message once when its batch job and its own job run at the same time', async () => {
    const batchId = uuidv7();
    const rows = Array.from({ length: 5 }, () =>
      testMessage(host.tenantId, { carrierId: 'slowpoke', body: 'ok', deliveryJobId: batchId }),
    );
    await host.messages.insertManyAccepted(rows);
    // As after Redis lost its jobs: the restore gives each message its own job while the
    // batch job (re-added by the ingest's retry) runs too.
    await Promise.all([
      host.queues.enqueueBatch(
        'slowpoke',
        batchId,
        rows.map((r) => r.id),
      ),
      host.queues.enqueue(
        rows.map((r) => ({ carrierId: 'slowpoke', job: { messageId: r.id, tenantId: host.tenantId } })),
      ),
    ]);
    for (const { id } of rows) {
      expect(await host.settle(id, 20_000)).toMatchObject({ status: 'submitted' });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rows.map((r) => submitsOf.get(r.id))).toEqual([1, 1, 1, 1, 1]);
  });
});
