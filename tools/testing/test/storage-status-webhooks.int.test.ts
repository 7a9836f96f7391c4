import { type ReceiptEvent, uuidv7 } from '@maskline/core';
import { MessageRepository, ReceiptRepository, StatusWebhooks } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

interface StatusEvent {
  subject_id: string;
  sequence: string;
  data: { messageId: string; status: string; errorCode: string | null; carrierCode: string | null };
}

/** message.status webhook events written by the status statements themselves (migration 0016). */
describe('message.status events from the status statements', () => {
  let db: TestDatabase;
  let messages: MessageRepository;
  let receipts: ReceiptRepository;
  let subscribed: string;
  let silent: string;
  const statusWebhooks = new StatusWebhooks();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    messages = new MessageRepository(db.pool, db.vault, statusWebhooks);
    receipts = new ReceiptRepository(db.pool, statusWebhooks);
    ({ tenantId: subscribed } = await seedTenant(db.pool, 'with endpoint'));
    ({ tenantId: silent } = await seedTenant(db.pool, 'without endpoint'));
    await db.pool.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types)
       VALUES ($1, $2, 'https://example.com/a', '{message.status}'),
              ($3, $2, 'https://example.com/b', '{session.*}'),
              ($4, $5, 'https://example.com/c', '{session.*,inbound.*}')`,
      [uuidv7(), subscribed, uuidv7(), uuidv7(), silent],
    );
  });
  afterAll(async () => {
    await db.drop();
  });

  const eventsOf = async (messageId: string) =>
    (
      await db.pool.query<StatusEvent>(
        `SELECT subject_id, sequence, data FROM webhook_events
         WHERE type = 'message.status' AND subject_id = $1 ORDER BY sequence`,
        [messageId],
      )
    ).rows;

  const receipt = (carrierMessageId: string, outcome: ReceiptEvent['outcome'], carrierStatus: string) => ({
    type: 'receipt' as const,
    carrierMessageId,
    outcome,
    carrierStatus,
  });

  async function submitted(tenantId: string, carrierMessageId: string, partIds?: string[]): Promise<string> {
    const m = testMessage(tenantId, { segments: partIds?.length ?? 1 });
    await messages.insertAccepted(m);
    await messages.markManySubmitted([
      { id: m.id, carrierMessageId, segments: partIds?.length ?? 1, traceContext: null, partIds },
    ]);
    return m.id;
  }

  it('emits submitted then delivered (receipt batch), in sequence, ids and codes only', async () => {
    const id = await submitted(subscribed, 'sw-1');
    const [receiptId] = await receipts.insertMany('sim', [receipt('sw-1', 'delivered', 'DELIVRD')]);
    await receipts.applyBatch([receiptId!, receiptId!]);
    const events = await eventsOf(id);
    expect(events.map((e) => e.data)).toEqual([
      { messageId: id, status: 'submitted', errorCode: null, carrierCode: null },
      { messageId: id, status: 'delivered', errorCode: null, carrierCode: 'DELIVRD' },
    ]);
    expect(BigInt(events[1]!.sequence)).toBeGreaterThan(BigInt(events[0]!.sequence));
    // One delivery per event, to the endpoint subscribed to message.status only.
    const deliveries = await db.pool.query(
      `SELECT e.url FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
       JOIN webhook_events ev ON ev.id = d.event_id WHERE ev.subject_id = $1`,
      [id],
    );
    expect(deliveries.rows.map((r) => r.url)).toEqual(['https://example.com/a', 'https://example.com/a']);
    expect(JSON.stringify(events)).not.toContain('+447911123456');
    expect(JSON.stringify(events)).not.toContain('hello');
  });

  it('emits final failures, receipts applied one by one, and the expiry sweep', async () => {
    const rejected = (await messages.insertAccepted(testMessage(subscribed))).message.id;
    expect(await messages.markFinal(rejected, 'rejected', 'carrier_rejected', { code: '0x00000045' })).toBe(
      true,
    );
    expect((await eventsOf(rejected)).map((e) => e.data)).toEqual([
      { messageId: rejected, status: 'rejected', errorCode: 'carrier_rejected', carrierCode: '0x00000045' },
    ]);
    const undelivered = await submitted(subscribed, 'sw-2');
    await messages.applyReceipts([
      { carrierId: 'sim', carrierMessageId: 'sw-2', status: 'undeliverable', errorCode: 'delivery_failed' },
    ]);
    expect((await eventsOf(undelivered)).map((e) => e.data.status)).toEqual(['submitted', 'undeliverable']);
    const overdue = await submitted(subscribed, 'sw-3');
    await db.pool.query(`UPDATE messages SET submitted_at = now() - interval '1 hour' WHERE id = $1`, [
      overdue,
    ]);
    expect(await receipts.expireOverdueMessages(60_000, 100)).toBe(1);
    expect((await eventsOf(overdue)).map((e) => e.data)).toEqual([
      expect.objectContaining({ status: 'submitted' }),
      { messageId: overdue, status: 'expired', errorCode: 'receipt_timeout', carrierCode: null },
    ]);
  });

  it('emits one event per status of a multipart message, not one per part', async () => {
    const id = await submitted(subscribed, 'mp-0', ['mp-0', 'mp-1', 'mp-2']);
    const stored = await receipts.insertMany('sim', [
      receipt('mp-0', 'delivered', 'DELIVRD'),
      receipt('mp-1', 'delivered', 'DELIVRD'),
    ]);
    await receipts.applyBatch(stored);
    expect((await eventsOf(id)).map((e) => e.data.status)).toEqual(['submitted']);
    await receipts.applyBatch(await receipts.insertMany('sim', [receipt('mp-2', 'delivered', 'DELIVRD')]));
    await messages.applyReceipts([
      { carrierId: 'sim', carrierMessageId: 'mp-1', status: 'delivered', errorCode: null },
    ]);
    expect((await eventsOf(id)).map((e) => e.data.status)).toEqual(['submitted', 'delivered']);
  });

  it('writes nothing for a tenant without an endpoint subscribed to message.status', async () => {
    const id = await submitted(silent, 'silent-1');
    await receipts.applyBatch(
      await receipts.insertMany('sim', [receipt('silent-1', 'delivered', 'DELIVRD')]),
    );
    expect((await messages.findForTenant(silent, id))?.status).toBe('delivered');
    const rows = await db.pool.query(
      `SELECT (SELECT count(*) FROM webhook_events WHERE tenant_id = $1)::int AS events,
              (SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1)::int AS deliveries`,
      [silent],
    );
    expect(rows.rows[0]).toEqual({ events: 0, deliveries: 0 });
  });

  it('hands the new delivery ids, claimed for a lease, to the handoff after commit', async () => {
    const handed: string[][] = [];
    statusWebhooks.handOffTo({ leaseMs: 60_000, enqueue: (ids) => handed.push(ids) });
    const id = await submitted(subscribed, 'handoff-1');
    const rows = await db.pool.query<{ id: string; claimed: boolean }>(
      `SELECT d.id, d.next_attempt_at > now() + interval '30 seconds' AS claimed
       FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE e.subject_id = $1`,
      [id],
    );
    expect(handed).toEqual([[rows.rows[0]!.id]]);
    expect(rows.rows[0]!.claimed).toBe(true);
  });
});
