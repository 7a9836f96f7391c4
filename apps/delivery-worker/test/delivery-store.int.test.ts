import { MessageRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, type TestDatabase, testMessage } from '@maskline/testing';
import { PgVault } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { batchedDeliveryStore } from '../src/delivery/delivery-store.js';

/** One tenant whose keys cannot be loaded does not fail other tenants' loads in the same batch. */
describe('batched delivery loads (real PostgreSQL and vault)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('fails only the messages of the tenant whose keys do not load', async () => {
    const { tenantId: broken } = await seedTenant(db.pool, 'broken keys');
    const { tenantId: fine } = await seedTenant(db.pool, 'fine');
    const writer = new MessageRepository(db.pool, db.vault);
    const b1 = testMessage(broken, { body: 'broken one' });
    const f1 = testMessage(fine, { body: 'fine one' });
    const f2 = testMessage(fine, { body: 'fine two' });
    for (const m of [b1, f1, f2]) await writer.insertAccepted(m);
    // The broken tenant's wrapped keys no longer unwrap (e.g. wrapped under a KEK this
    // process cannot reach): loading its keys throws.
    await db.pool.query(`UPDATE tenant_keys SET wrapped_key = decode('00', 'hex') WHERE tenant_id = $1`, [
      broken,
    ]);

    const reader = new MessageRepository(
      db.pool,
      new PgVault({ pool: db.pool, keyProvider: db.keyring, actor: 'test' }),
    );
    const store = batchedDeliveryStore(reader, { maxSize: 10, maxWaitMs: 5 });
    const [rb, r1, r2] = await Promise.allSettled([store.load(b1.id), store.load(f1.id), store.load(f2.id)]);
    expect(rb.status).toBe('rejected');
    expect(r1).toMatchObject({ status: 'fulfilled', value: { content: { body: 'fine one' } } });
    expect(r2).toMatchObject({ status: 'fulfilled', value: { content: { body: 'fine two' } } });
    // The all-or-nothing form still fails as a whole, as its callers expect.
    await expect(reader.loadManyForDelivery([b1.id, f1.id])).rejects.toBeDefined();
  });
});
