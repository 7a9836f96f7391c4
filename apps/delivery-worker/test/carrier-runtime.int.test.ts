import { type CarrierPluginDefinition, uuidv7 } from '@maskline/core';
import type { DeliveryQueues } from '@maskline/queues';
import type { MessageRepository } from '@maskline/storage';
import { testMessage } from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierRuntime } from '../src/carriers/carrier-runtime.js';
import { directDeliveryStore } from '../src/delivery/delivery-store.js';
import {
  attemptsByMessage,
  failingWrites,
  SCRIPTED_OUTCOMES,
  scriptedPlugin,
  submitTimesByMessage,
} from './support/scripted-plugin.js';
import { startTestHost, type TestHost } from './support/test-host.js';

/**
 * The delivery host with a scripted carrier plugin: real BullMQ on real Redis, real
 * PostgreSQL. The plugin decides by the message body what the "carrier" answers.
 */
describe('CarrierRuntime with a scripted plugin', () => {
  let host: TestHost;
  let runtime: CarrierRuntime;
  let messages: MessageRepository;
  let queues: DeliveryQueues;
  let tenantId: string;

  beforeAll(async () => {
    host = await startTestHost({ attempts: 3, backoffMs: 20 });
    ({ messages, queues, tenantId } = host);
    runtime = CarrierRuntime.create(
      { id: 'scripted', plugin: 'scripted', tps: 0, concurrency: 8, regions: [], secrets: {}, config: {} },
      host.runtimeDeps(
        { scripted: scriptedPlugin as CarrierPluginDefinition<unknown> },
        {
          submitTimeoutMs: 300,
          deliveryStore: {
            ...directDeliveryStore(messages),
            async markSubmitted(update) {
              const left = failingWrites.get(update.id) ?? 0;
              if (left > 0) {
                failingWrites.set(update.id, left - 1);
                throw new Error('connection terminated unexpectedly');
              }
              return messages.markSubmitted(
                update.id,
                update.carrierMessageId,
                update.segments,
                update.traceContext,
              );
            },
          },
        },
      ),
    );
    await runtime.start();
  });
  afterAll(async () => {
    await runtime.stop();
    await host.close();
  });

  async function send(body: string, id = uuidv7()): Promise<string> {
    await messages.insertAccepted(testMessage(tenantId, { id, carrierId: 'scripted', body }));
    await queues.enqueue([{ carrierId: 'scripted', job: { messageId: id, tenantId } }]);
    return id;
  }

  const settle = (id: string, timeoutMs?: number) => host.settle(id, timeoutMs);

  it.each(SCRIPTED_OUTCOMES)(
    'body %s ends %s (%s) after %i attempt(s)',
    async (body, status, errorCode, attempts) => {
      const id = await send(body);
      const m = await settle(id);
      expect(m).toMatchObject({ status, errorCode });
      expect(attemptsByMessage.get(id)).toBe(attempts);
      if (status === 'submitted') expect(m?.carrierMessageId).toBe(`c-${id.slice(-8)}`);
    },
  );

  it('counts a throttled submit as an attempt: the message ends failed, the others flow meanwhile', async () => {
    const throttled = await send('throttle-always');
    const others = await Promise.all(Array.from({ length: 5 }, () => send('ok')));
    const m = await settle(throttled);
    expect(m).toMatchObject({
      status: 'failed',
      errorCode: 'retries_exhausted',
      carrierStatus: { code: '0x00000058', name: 'ESME_RTHROTTLED' },
    });
    expect(attemptsByMessage.get(throttled)).toBe(3);
    // Each retry waited at least what the carrier asked for (300 ms), not the 20 ms backoff.
    const times = submitTimesByMessage.get(throttled) ?? [];
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(290);
    for (const id of others) expect(await settle(id)).toMatchObject({ status: 'submitted' });
    // The other messages did not wait for the throttled one's retries (no queue-wide pause).
    const othersDone = others.map((id) => submitTimesByMessage.get(id)?.[0] ?? Infinity);
    expect(Math.max(...othersDone)).toBeLessThan(times[1] ?? 0);
  });

  it("keeps the carrier's last answer on a message that ends failed or rejected", async () => {
    const failed = await send('submit-fail');
    const rejected = await send('reject-answer');
    expect(await settle(failed)).toMatchObject({
      status: 'failed',
      errorCode: 'retries_exhausted',
      carrierStatus: { code: '0x00000045', name: 'ESME_RSUBMITFAIL' },
    });
    expect(attemptsByMessage.get(failed)).toBe(3);
    expect(await settle(rejected)).toMatchObject({
      status: 'rejected',
      errorCode: 'carrier_rejected',
      carrierStatus: { code: '0x0000000B', name: 'ESME_RINVDSTADR' },
    });
  });

  it('fails a message whose content no longer opens (tampered) without calling the carrier', async () => {
    const id = uuidv7();
    await messages.insertAccepted(testMessage(tenantId, { id, carrierId: 'scripted', body: 'ok' }));
    // Swap in a value sealed for another record: the AES-GCM binding refuses it.
    const other = uuidv7();
    await messages.insertAccepted(testMessage(tenantId, { id: other, carrierId: 'scripted', body: 'ok' }));
    await host.db.pool.query(
      'UPDATE messages SET to_sealed = (SELECT to_sealed FROM messages WHERE id = $1) WHERE id = $2',
      [other, id],
    );
    await queues.enqueue([{ carrierId: 'scripted', job: { messageId: id, tenantId } }]);
    const m = await settle(id);
    expect(m).toMatchObject({ status: 'failed', errorCode: 'vault_integrity' });
    expect(attemptsByMessage.get(id)).toBeUndefined();
  });

  it('retries the submitted write instead of submitting twice when PostgreSQL blips', async () => {
    const id = uuidv7();
    failingWrites.set(id, 2);
    await send('ok', id);
    const m = await settle(id);
    expect(m).toMatchObject({ status: 'submitted', carrierMessageId: `c-${id.slice(-8)}` });
    expect(attemptsByMessage.get(id)).toBe(1);
    expect(failingWrites.get(id)).toBe(0);
  });

  it('abandons a hanging submit as carrier_timeout and retries it', async () => {
    const id = await send('hang');
    const m = await settle(id, 15_000);
    expect(m).toMatchObject({ status: 'failed', errorCode: 'retries_exhausted' });
    expect(attemptsByMessage.get(id)).toBe(3);
  });

  it('never submits a message twice when its job repeats', async () => {
    const id = await send('ok');
    await settle(id);
    await queues.queueFor('scripted').add('deliver', { messageId: id, tenantId }, { jobId: `${id}-again` });
    await new Promise((r) => setTimeout(r, 300));
    expect(attemptsByMessage.get(id)).toBe(1);
  });

  it('refuses an unknown plugin or a config its schema rejects, naming the carrier', () => {
    const deps = { plugins: { scripted: scriptedPlugin as CarrierPluginDefinition<unknown> } } as never;
    expect(() =>
      CarrierRuntime.create(
        { id: 'x', plugin: 'nope', tps: 0, concurrency: 1, regions: [], secrets: {}, config: {} },
        deps,
      ),
    ).toThrow(/carrier "x": plugin: unknown plugin "nope"/);
  });
});
