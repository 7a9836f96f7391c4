import { createPgPool } from '@maskline/storage';
import { LocalKeyring, PgVault } from '@maskline/vault';
import pg from 'pg';

const pgClient = pg.Client;

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

const tenant1 = '0193c8e4-0000-7000-8000-0000000000d1';
const tenant2 = '0193c8e4-0000-7000-8000-0000000000d2';
const tenant3 = '0193c8e4-0000-7000-8000-0000000000d3';
const tenant4 = '0193c8e4-0000-7000-8000-0000000000d4';
const HOUR = 3_600_000;

/** Milliseconds until `vault` refuses to seal for the tenant (its cached keys are gone), or null. */
async function msUntilShredSeen(vault: PgVault, tenantId: string, since: number, timeoutMs = 5_000) {
  while (Date.now() - since < timeoutMs) {
    try {
      (await vault.forTenant(tenantId)).seal({ recordId: 'r', field: 'f' }, 'x');
    } catch (error) {
      if ((error as { code?: string }).code === 'tenant_keys_destroyed') return Date.now() - since;
      throw error;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return null;
}

/**
 * Two processes' vaults (two pools, two LISTEN connections) with a cache TTL of an hour:
 * a shred in one is seen by the other at once, through PostgreSQL NOTIFY, not the TTL.
 */
describe('key-change notifications between vaults', () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  const keyring = LocalKeyring.generate();
  let operator: PgVault;
  let worker: PgVault;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    const vault = () => {
      const pool = createPgPool({ connectionString: db.url, max: 2 });
      pools.push(pool);
      return new PgVault({ pool, keyProvider: keyring, actor: 'test', cacheTtlMs: HOUR });
    };
    operator = vault();
    worker = vault();
    await operator.watchKeyChanges({ retryMs: 100 });
    await worker.watchKeyChanges({ retryMs: 100 });
    expect(worker.watchingKeyChanges).toBe(true);
  });
  afterAll(async () => {
    await operator?.close();
    await worker?.close();
    for (const pool of pools) await pool.end();
    await db?.drop();
  });

  it("drops a shredded tenant's cached keys in the other process at once", async () => {
    await worker.forTenant(tenant1);
    await operator.forTenant(tenant1);
    expect(await operator.shredTenant(tenant1)).toBe(2);
    const ms = await msUntilShredSeen(worker, tenant1, Date.now());
    console.log(`the other vault saw the shred ${ms} ms after it committed`);
    expect(ms).not.toBeNull();
  });

  it('makes a rotated key version active in the other process without waiting for its TTL', async () => {
    expect((await worker.forTenant(tenant3)).activeVersion).toBe(1);
    expect(await operator.rotateDataKey(tenant3, 0)).toBe(2);
    const since = Date.now();
    while ((await worker.forTenant(tenant3)).activeVersion !== 2 && Date.now() - since < 5_000) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await worker.forTenant(tenant3)).activeVersion).toBe(2);
  });

  it('falls back to the cache TTL while its listener is down', async () => {
    const pool = createPgPool({ connectionString: db.url, max: 2 });
    pools.push(pool);
    // A process whose listener never gets a connection (wrong port): only its TTL protects it.
    const url = new URL(db.url);
    url.port = '1';
    const offline = new PgVault({ pool, keyProvider: keyring, actor: 'test', cacheTtlMs: 300 });
    await offline.watchKeyChanges({
      retryMs: 60_000,
      client: () => new pgClient({ connectionString: url.href }),
    });
    expect(offline.watchingKeyChanges).toBe(false);
    await offline.forTenant(tenant4);
    await operator.shredTenant(tenant4);
    expect(await msUntilShredSeen(offline, tenant4, Date.now())).not.toBeNull();
    await offline.close();
  });

  it('reconnects a lost listener, and still hears the next shred', async () => {
    await worker.forTenant(tenant2);
    const killed = await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = 'maskline-vault-listener' AND datname = current_database()`,
    );
    expect(killed.rowCount).toBe(2);
    const lostAt = Date.now();
    while (worker.watchingKeyChanges && Date.now() - lostAt < 5_000)
      await new Promise((r) => setTimeout(r, 10));
    while (!worker.watchingKeyChanges && Date.now() - lostAt < 10_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(worker.watchingKeyChanges).toBe(true);
    await worker.forTenant(tenant2);
    await operator.shredTenant(tenant2);
    expect(await msUntilShredSeen(worker, tenant2, Date.now())).not.toBeNull();
  });
});
