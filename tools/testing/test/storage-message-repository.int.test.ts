import { MessageRepository, migrate, type NewMessage, ReceiptRepository } from '@maskline/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

describe('MessageRepository against PostgreSQL', () => {
  let db: TestDatabase;
  let messages: MessageRepository;
  let tenantId: string;

  const newMessage = (over: Partial<NewMessage> = {}): NewMessage => testMessage(tenantId, over);

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    messages = new MessageRepository(db.pool, db.vault);
    ({ tenantId } = await seedTenant(db.pool));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('migrations are idempotent', async () => {
    const again = await migrate(db.pool);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toContain('0001_initial');
  });

  it('moves a message forward and never backwards', async () => {
    const m = newMessage();
    expect((await messages.insertAccepted(m)).message.status).toBe('queued');
    expect(await messages.markSubmitted(m.id, 'abc123', 1, null)).toBe(true);
    const applied = await messages.applyReceipt('sim', 'abc123', 'delivered', null);
    expect(applied).toMatchObject({ messageId: m.id, applied: true, status: 'delivered' });
    const duplicate = await messages.applyReceipt('sim', 'abc123', 'undeliverable', 'delivery_failed');
    expect(duplicate).toMatchObject({ messageId: m.id, applied: false, status: 'delivered' });
    expect(await messages.markSubmitted(m.id, 'other', 1, null)).toBe(false);
    const stored = await messages.findForTenant(tenantId, m.id);
    expect(stored).toMatchObject({ status: 'delivered', carrierMessageId: 'abc123', errorCode: null });
  });

  it('returns null for a receipt whose message is not submitted yet', async () => {
    expect(await messages.applyReceipt('sim', 'nobody', 'delivered', null)).toBeNull();
  });

  it('keeps tenants apart', async () => {
    const m = newMessage();
    await messages.insertAccepted(m);
    const other = await seedTenant(db.pool, 'other');
    expect(await messages.findForTenant(other.tenantId, m.id)).toBeNull();
    expect(await messages.findForTenant(tenantId, m.id)).not.toBeNull();
  });

  it('tells an idempotent retry from a conflicting reuse of the key', async () => {
    const digest = Buffer.from('a');
    const first = await messages.insertAccepted(newMessage({ idempotencyKey: 'k1', requestDigest: digest }));
    const retry = await messages.insertAccepted(newMessage({ idempotencyKey: 'k1', requestDigest: digest }));
    const conflict = await messages.insertAccepted(
      newMessage({ idempotencyKey: 'k1', requestDigest: Buffer.from('b') }),
    );
    expect(first.kind).toBe('created');
    expect(retry).toMatchObject({ kind: 'existing', sameRequest: true, message: { id: first.message.id } });
    expect(conflict).toMatchObject({ kind: 'existing', sameRequest: false });
  });

  it('inserts a message queued in one statement: queued_at is the insert time, no update', async () => {
    const m = newMessage();
    await messages.insertAccepted(m);
    const { rows } = await db.pool.query(
      'SELECT status, queued_at = created_at AS same_txn, updated_at = created_at AS untouched FROM messages WHERE id = $1',
      [m.id],
    );
    expect(rows[0]).toEqual({ status: 'queued', same_txn: true, untouched: true });
  });

  it('pages pending messages for the reconciler by id, old ones only, without writing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = newMessage();
      await messages.insertAccepted(m);
      ids.push(m.id);
    }
    const fresh = newMessage();
    await messages.insertAccepted(fresh);
    await db.pool.query(
      "UPDATE messages SET created_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])",
      [ids],
    );
    const first = await messages.findPending(60_000, null, 3);
    const second = await messages.findPending(60_000, first[2]!.id, 3);
    const sorted = [...ids].sort();
    expect(first.map((p) => p.id)).toEqual(sorted.slice(0, 3));
    expect(second.map((p) => p.id)).toEqual(sorted.slice(3));
    expect((await messages.findPending(0, null, 100)).map((p) => p.id)).toContain(fresh.id);
  });

  it('stores receipts and reports unprocessed ones until marked', async () => {
    const receipts = new ReceiptRepository(db.pool);
    const id = await receipts.insert('sim', {
      type: 'receipt',
      carrierMessageId: 'r1',
      outcome: 'delivered',
      carrierStatus: 'DELIVRD',
    });
    expect(await receipts.load(id)).toMatchObject({ carrierMessageId: 'r1', processed: false });
    expect((await receipts.findUnprocessed(0, 10)).map((r) => r.id)).toContain(id);
    await receipts.markProcessed(id, null);
    expect((await receipts.findUnprocessed(0, 10)).map((r) => r.id)).not.toContain(id);
  });

  it('loads and marks many messages in one statement each, in the callers order', async () => {
    const a = newMessage();
    const b = newMessage({ body: 'second' });
    await messages.insertAccepted(a);
    await messages.insertAccepted(b);
    const missing = '00000000-0000-7000-8000-000000000000';
    const loaded = await messages.loadManyForDelivery([b.id, missing, a.id]);
    expect(loaded.map((r) => r?.content?.body ?? null)).toEqual(['second', null, 'hello']);
    const moved = await messages.markManySubmitted([
      { id: a.id, carrierMessageId: 'ca', segments: 1, traceContext: null },
      { id: missing, carrierMessageId: 'cm', segments: 1, traceContext: null },
      { id: b.id, carrierMessageId: 'cb', segments: 2, traceContext: null },
    ]);
    expect(moved).toEqual([true, false, true]);
    expect(
      await messages.markManySubmitted([
        { id: a.id, carrierMessageId: 'again', segments: 1, traceContext: null },
      ]),
    ).toEqual([false]);
    expect(await messages.findForTenant(tenantId, b.id)).toMatchObject({
      status: 'submitted',
      carrierMessageId: 'cb',
      segments: 2,
    });
  });

  it('group-commits many accepted messages, even with one Idempotency-Key twice in the batch', async () => {
    const digest = Buffer.from('same');
    const plain = newMessage();
    const first = newMessage({ idempotencyKey: 'batch-key', requestDigest: digest });
    const retry = newMessage({ idempotencyKey: 'batch-key', requestDigest: digest });
    const conflict = newMessage({ idempotencyKey: 'batch-key', requestDigest: Buffer.from('other') });
    const outcomes = await messages.insertManyAccepted([plain, first, retry, conflict]);
    expect(outcomes.map((o) => o.kind)).toEqual(['created', 'created', 'existing', 'existing']);
    expect(outcomes[2]).toMatchObject({ sameRequest: true, message: { id: first.id } });
    expect(outcomes[3]).toMatchObject({ sameRequest: false, message: { id: first.id } });
  });

  it('applies many receipts in order: the first for a message wins, unknown ids match nothing', async () => {
    const a = newMessage();
    const b = newMessage();
    for (const m of [a, b]) await messages.insertAccepted(m);
    await messages.markSubmitted(a.id, 'many-a', 1, null);
    await messages.markSubmitted(b.id, 'many-b', 1, null);
    const results = await messages.applyReceipts([
      { carrierId: 'sim', carrierMessageId: 'many-a', status: 'undeliverable', errorCode: 'delivery_failed' },
      { carrierId: 'sim', carrierMessageId: 'many-b', status: 'delivered', errorCode: null },
      { carrierId: 'sim', carrierMessageId: 'many-a', status: 'delivered', errorCode: null },
      { carrierId: 'sim', carrierMessageId: 'nobody-home', status: 'delivered', errorCode: null },
    ]);
    expect(results.map((r) => r && [r.messageId, r.applied, r.status])).toEqual([
      [a.id, true, 'undeliverable'],
      [b.id, true, 'delivered'],
      [a.id, false, 'undeliverable'],
      null,
    ]);
  });

  it("keeps the carrier's last answer to a failed submit, and the final one with the final status", async () => {
    const m = newMessage();
    await messages.insertAccepted(m);
    expect((await messages.findForTenant(tenantId, m.id))?.carrierStatus).toBeNull();
    expect(await messages.recordCarrierAnswer(m.id, { code: '0x00000058', name: 'ESME_RTHROTTLED' })).toBe(
      true,
    );
    expect(await messages.recordCarrierAnswer(m.id, { code: '0x00000045', name: 'ESME_RSUBMITFAIL' })).toBe(
      true,
    );
    // A final status without an answer of its own keeps the last one recorded.
    expect(await messages.markFinal(m.id, 'failed', 'retries_exhausted')).toBe(true);
    expect(await messages.findForTenant(tenantId, m.id)).toMatchObject({
      status: 'failed',
      errorCode: 'retries_exhausted',
      carrierStatus: { code: '0x00000045', name: 'ESME_RSUBMITFAIL' },
    });
    // Once final, a late attempt's answer changes nothing.
    expect(await messages.recordCarrierAnswer(m.id, { code: '0x00000008' })).toBe(false);

    const rejected = newMessage();
    await messages.insertAccepted(rejected);
    expect(
      await messages.markFinal(rejected.id, 'rejected', 'carrier_rejected', { code: '0x0000000B' }),
    ).toBe(true);
    expect((await messages.findForTenant(tenantId, rejected.id))?.carrierStatus).toEqual({
      code: '0x0000000B',
    });
  });
});
