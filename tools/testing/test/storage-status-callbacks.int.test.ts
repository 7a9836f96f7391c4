import { type ReceiptEvent, uuidv7 } from '@maskline/core';
import { MessageRepository, ReceiptRepository } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

/**
 * Status callbacks in the status statements (migration 0019): the message's callback
 * endpoint gets each message.status event at the callback URL (delivery url override),
 * only while that endpoint is enabled and the tenant's own.
 */
describe('message status callbacks in the status statements', () => {
  let db: TestDatabase;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let tenant: string;
  let stranger: string;
  const callbackEndpoint = uuidv7();
  const disabledEndpoint = uuidv7();
  const strangerEndpoint = uuidv7();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    messages = new MessageRepository(db.pool, db.vault);
    receipts = new ReceiptRepository(db.pool);
    ({ tenantId: tenant } = await seedTenant(db.pool, 'callbacks, no subscriber'));
    ({ tenantId: stranger } = await seedTenant(db.pool, 'stranger'));
    await db.pool.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, state, disabled_reason)
       VALUES ($1, $2, 'https://example.com/cb', '{session.*}', 'enabled', NULL),
              ($3, $2, 'https://example.com/off', '{session.*}', 'disabled', 'api'),
              ($4, $5, 'https://example.com/theirs', '{session.*}', 'enabled', NULL)`,
      [callbackEndpoint, tenant, disabledEndpoint, strangerEndpoint, stranger],
    );
  });
  afterAll(async () => {
    await db.drop();
  });

  const receipt = (carrierMessageId: string, outcome: ReceiptEvent['outcome']) => ({
    type: 'receipt' as const,
    carrierMessageId,
    outcome,
    carrierStatus: 'DELIVRD',
  });

  async function submitted(endpointId: string, url: string, carrierMessageId: string): Promise<string> {
    const m = testMessage(tenant, { statusCallback: { endpointId, url } });
    await messages.insertAccepted(m);
    await messages.markManySubmitted([{ id: m.id, carrierMessageId, segments: 1, traceContext: null }]);
    return m.id;
  }

  const deliveriesOf = async (messageId: string) =>
    (
      await db.pool.query<{ status: string; endpoint_id: string; url: string | null }>(
        `SELECT ev.data->>'status' AS status, d.endpoint_id, d.url
         FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
         WHERE ev.subject_id = $1 ORDER BY ev.sequence`,
        [messageId],
      )
    ).rows;

  it("addresses every status statement's event to the callback URL", async () => {
    const url = 'https://example.com/cb/m?k=1';
    const viaBatch = await submitted(callbackEndpoint, url, 'cb-1');
    await receipts.applyBatch(await receipts.insertMany('sim', [receipt('cb-1', 'delivered')]));
    const viaRound = await submitted(callbackEndpoint, url, 'cb-2');
    await messages.applyReceipts([
      { carrierId: 'sim', carrierMessageId: 'cb-2', status: 'undeliverable', errorCode: 'delivery_failed' },
    ]);
    const overdue = await submitted(callbackEndpoint, url, 'cb-3');
    await db.pool.query(`UPDATE messages SET submitted_at = now() - interval '1 hour' WHERE id = $1`, [
      overdue,
    ]);
    expect(await receipts.expireOverdueMessages(60_000, 100)).toBe(1);
    const m = testMessage(tenant, { statusCallback: { endpointId: callbackEndpoint, url } });
    await messages.insertAccepted(m);
    expect(await messages.markFinal(m.id, 'rejected', 'carrier_rejected')).toBe(true);

    const at = (status: string) => ({ status, endpoint_id: callbackEndpoint, url });
    expect(await deliveriesOf(viaBatch)).toEqual([at('submitted'), at('delivered')]);
    expect(await deliveriesOf(viaRound)).toEqual([at('submitted'), at('undeliverable')]);
    expect(await deliveriesOf(overdue)).toEqual([at('submitted'), at('expired')]);
    expect(await deliveriesOf(m.id)).toEqual([at('rejected')]);
  });

  it("writes nothing for a disabled, deleted or other tenant's callback endpoint", async () => {
    const off = await submitted(disabledEndpoint, 'https://example.com/off/1', 'off-1');
    const gone = await submitted(uuidv7(), 'https://example.com/gone/1', 'gone-1');
    const forged = await submitted(strangerEndpoint, 'https://example.com/theirs/1', 'forged-1');
    for (const id of [off, gone, forged]) {
      expect(await deliveriesOf(id)).toEqual([]);
      const events = await db.pool.query('SELECT 1 FROM webhook_events WHERE subject_id = $1', [id]);
      expect(events.rowCount).toBe(0);
    }
  });
});
