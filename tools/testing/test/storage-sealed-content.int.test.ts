import { InboundRepository, MessageRepository, SEALED_TABLES } from '@maskline/storage';
import { reencrypt } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedTenant, testMessage } from '../src/seed.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

/** Numbers and bodies at rest: sealed by the vault, opened only for delivery and relay. */
describe('sealed message content in PostgreSQL', () => {
  let db: TestDatabase;
  let messages: MessageRepository;
  let inbound: InboundRepository;
  let tenantId: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    messages = new MessageRepository(db.pool, db.vault);
    inbound = new InboundRepository(db.pool, db.vault);
    ({ tenantId } = await seedTenant(db.pool));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stores numbers and body only sealed, with masked display forms, and opens them for delivery', async () => {
    const m = testMessage(tenantId, { to: '+8613812345678', from: '+447911123456', body: '验证码 482913' });
    await messages.insertAccepted(m);
    const row = (await db.pool.query('SELECT * FROM messages WHERE id = $1', [m.id])).rows[0];
    expect([row.to_number, row.from_number, row.body]).toEqual([null, null, null]);
    expect(row.key_version).toBe(1);
    const stored = JSON.stringify(row);
    for (const raw of ['8613812345678', '447911123456', '482913']) {
      expect(stored).not.toContain(raw);
      expect(
        Buffer.concat([row.to_sealed, row.from_sealed, row.body_sealed]).includes(Buffer.from(raw)),
      ).toBe(false);
    }
    expect(await messages.findMaskedNumbers(m.id)).toEqual({ to: '+86138****5678', from: '+4479****3456' });
    const [record] = await messages.loadManyForDelivery([m.id]);
    expect(record?.content).toEqual({ to: '+8613812345678', from: '+447911123456', body: '验证码 482913' });
  });

  it('refuses content copied from another message (sealed values are bound to their row)', async () => {
    const a = testMessage(tenantId, { body: 'for a' });
    const b = testMessage(tenantId, { body: 'for b' });
    await messages.insertManyAccepted([a, b]);
    await db.pool.query(
      'UPDATE messages SET body_sealed = (SELECT body_sealed FROM messages WHERE id = $1) WHERE id = $2',
      [a.id, b.id],
    );
    const [ra, rb] = await messages.loadManyForDelivery([a.id, b.id]);
    expect(ra?.content?.body).toBe('for a');
    expect(rb?.content).toBeNull();
    expect(rb && !rb.content && rb.contentError.code).toBe('vault_integrity');
  });

  it('still delivers rows written before encryption, and the re-encryption job seals them', async () => {
    const id = '0193c8e4-0000-7000-8000-0000000000e1';
    await db.pool.query(
      `INSERT INTO messages (id, tenant_id, carrier_id, status, to_number, from_number, body, segments)
       VALUES ($1, $2, 'sim', 'queued', '+447911000001', 'Legacy', 'old clear body', 1)`,
      [id, tenantId],
    );
    expect((await messages.loadForDelivery(id))?.content?.body).toBe('old clear body');
    const result = await reencrypt(db.pool, db.vault, SEALED_TABLES);
    expect(result.rows).toBeGreaterThanOrEqual(1);
    const row = (
      await db.pool.query('SELECT to_number, body, body_sealed, key_version FROM messages WHERE id = $1', [
        id,
      ])
    ).rows[0];
    expect([row.to_number, row.body, row.key_version]).toEqual([null, null, 1]);
    expect((await messages.loadForDelivery(id))?.content).toEqual({
      to: '+447911000001',
      from: 'Legacy',
      body: 'old clear body',
    });
  });

  it('seals inbound messages under the system scope and opens them for the relay', async () => {
    const id = await inbound.insert('sim', {
      type: 'inbound',
      from: '+447700900123',
      to: '+447700900999',
      body: 'reply 7731',
      receivedAt: new Date().toISOString(),
    });
    const row = (await db.pool.query('SELECT * FROM inbound_messages WHERE id = $1', [id])).rows[0];
    expect([row.from_number, row.body, row.to_number, row.from_masked]).toEqual([
      null,
      null,
      '+447700900999',
      '+4477****0123',
    ]);
    expect(JSON.stringify(row)).not.toContain('447700900123');
    expect(await inbound.load(id)).toMatchObject({
      from: '+447700900123',
      to: '+447700900999',
      body: 'reply 7731',
    });
  });

  it('after crypto-shredding, the tenant’s messages cannot be delivered and say why', async () => {
    const { tenantId: doomed } = await seedTenant(db.pool, 'doomed');
    const m = testMessage(doomed, { body: 'to be shredded' });
    await messages.insertAccepted(m);
    await db.vault.shredTenant(doomed);
    const [record] = await messages.loadManyForDelivery([m.id]);
    expect(record?.content).toBeNull();
    expect(record && !record.content && record.contentError.code).toBe('tenant_keys_destroyed');
    await expect(messages.insertAccepted(testMessage(doomed))).rejects.toMatchObject({
      code: 'tenant_keys_destroyed',
    });
  });

  it('a shredded tenant’s messages fail alone in a group commit; the rest of the batch commits', async () => {
    const { tenantId: doomed } = await seedTenant(db.pool, 'shredded in a batch');
    await messages.insertAccepted(testMessage(doomed));
    await db.vault.shredTenant(doomed);
    const batch = [
      testMessage(tenantId),
      testMessage(doomed),
      testMessage(tenantId),
      testMessage(doomed),
      testMessage(tenantId),
    ];
    const outcomes = await messages.insertManyAccepted(batch);
    expect(outcomes.map((o) => o.kind)).toEqual(['created', 'failed', 'created', 'failed', 'created']);
    expect(outcomes[1]).toMatchObject({ error: { code: 'tenant_keys_destroyed', status: 410 } });
    const stored = await db.pool.query<{ id: string }>('SELECT id FROM messages WHERE id = ANY($1::uuid[])', [
      batch.map((m) => m.id),
    ]);
    expect(stored.rows.map((r) => r.id).sort()).toEqual([batch[0]!.id, batch[2]!.id, batch[4]!.id].sort());
  });
});
