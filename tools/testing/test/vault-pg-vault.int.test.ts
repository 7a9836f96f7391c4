import { SYSTEM_SCOPE } from '@maskline/core';
import type { SealedTable } from '@maskline/vault';
import { destroyRetiredKeys, LocalKeyring, PgVault, reencrypt, versionsInUse } from '@maskline/vault';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

const tenantA = '0193c8e4-0000-7000-8000-00000000000a';
const tenantB = '0193c8e4-0000-7000-8000-00000000000b';

// A small table of our own, so the vault is tested without the message schema.
const NOTES: SealedTable = {
  table: 'vault_test_notes',
  idColumn: 'id',
  tenantColumn: 'tenant_id',
  keyVersionColumn: 'key_version',
  fields: [{ column: 'secret_sealed', field: 'secret', legacyClearColumn: 'secret' }],
};

describe('the vault over PostgreSQL', () => {
  let db: TestDatabase;
  const keyring = LocalKeyring.generate();
  const vaultOf = (ttl = 30_000) =>
    new PgVault({ pool: db.pool, keyProvider: keyring, actor: 'test', cacheTtlMs: ttl });

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    await db.pool.query(`CREATE TABLE vault_test_notes (
      id uuid PRIMARY KEY, tenant_id uuid NOT NULL, secret text, secret_sealed bytea, key_version int)`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function insertNote(vault: PgVault, tenantId: string, id: string, secret: string): Promise<void> {
    const tv = await vault.forTenant(tenantId);
    await db.pool.query('INSERT INTO vault_test_notes VALUES ($1, $2, NULL, $3, $4)', [
      id,
      tenantId,
      tv.seal({ recordId: id, field: 'secret' }, secret),
      tv.activeVersion,
    ]);
  }

  async function readNote(vault: PgVault, id: string): Promise<string> {
    const row = (
      await db.pool.query('SELECT tenant_id, secret_sealed FROM vault_test_notes WHERE id = $1', [id])
    ).rows[0];
    return (await vault.forTenant(row.tenant_id)).open({ recordId: id, field: 'secret' }, row.secret_sealed);
  }

  it('creates a tenant key once even when processes race, stored only wrapped', async () => {
    const vaults = [vaultOf(), vaultOf(), vaultOf()];
    const loaded = await Promise.all(vaults.map((v) => v.forTenant(tenantA)));
    const sealed = loaded[0]!.seal({ recordId: 'r', field: 'f' }, 'secret');
    for (const tv of loaded) expect(tv.open({ recordId: 'r', field: 'f' }, sealed)).toBe('secret');
    const rows = await db.pool.query(
      'SELECT purpose, version, kek_id, wrapped_key FROM tenant_keys WHERE tenant_id = $1',
      [tenantA],
    );
    expect(rows.rows.map((r) => `${r.purpose}:${r.version}:${r.kek_id}`).sort()).toEqual([
      'data:1:local:kek-1',
      'index:1:local:kek-1',
    ]);
    // Tenants have separate keys: B cannot open A's values.
    const b = await vaults[0]!.forTenant(tenantB);
    expect(() => b.open({ recordId: 'r', field: 'f' }, sealed)).toThrow();
    expect(b.blindIndex('+447911123456').equals(loaded[0]!.blindIndex('+447911123456'))).toBe(false);
  });

  it('rotates without downtime: the new version is loaded before it is used, old values stay readable', async () => {
    let now = Date.now();
    const writer = new PgVault({
      pool: db.pool,
      keyProvider: keyring,
      actor: 'test',
      cacheTtlMs: 1000,
      now: () => now,
    });
    const reader = new PgVault({
      pool: db.pool,
      keyProvider: keyring,
      actor: 'test',
      cacheTtlMs: 1000,
      now: () => now,
    });
    await insertNote(writer, tenantA, '0193c8e4-0000-7000-8000-000000000101', 'old secret');
    expect(await readNote(reader, '0193c8e4-0000-7000-8000-000000000101')).toBe('old secret');

    const version = await writer.rotateDataKey(tenantA, 2000);
    expect(version).toBe(2);
    // Not active yet: the writer keeps sealing with v1; the reader loads v2 when its cache expires.
    expect((await writer.forTenant(tenantA)).activeVersion).toBe(1);
    now += 1001;
    expect((await reader.forTenant(tenantA)).hasVersion(2)).toBe(true);
    now += 1500; // past activates_at (set by the database clock, a few ms after `now` began)
    const tv = await writer.forTenant(tenantA);
    expect(tv.activeVersion).toBe(2);
    await insertNote(writer, tenantA, '0193c8e4-0000-7000-8000-000000000102', 'new secret');
    expect(await readNote(reader, '0193c8e4-0000-7000-8000-000000000102')).toBe('new secret');
    expect(await readNote(reader, '0193c8e4-0000-7000-8000-000000000101')).toBe('old secret');
  });

  it('reloads a cached tenant when a value names a key version it has not loaded yet', async () => {
    const reader = vaultOf();
    const before = await reader.forTenant(tenantB);
    const writer = vaultOf();
    await writer.rotateDataKey(tenantB, 0);
    const sealed = (await writer.forTenant(tenantB)).seal({ recordId: 'n', field: 'f' }, 'fresh');
    expect(before.hasVersion(2)).toBe(false);
    expect(await reader.forTenant(tenantB)).toBe(before); // still cached...
    const reloaded = await reader.forTenant(tenantB, [2]); // ...until a read needs v2
    expect(reloaded.open({ recordId: 'n', field: 'f' }, sealed)).toBe('fresh');
  });

  it('re-encrypts onto the active key with progress, seals legacy clear rows, then destroys the retired key', async () => {
    // The activation delay of the previous test has passed (on the database's clock too).
    await db.pool.query('UPDATE tenant_keys SET activates_at = now() WHERE activates_at > now()');
    const vault = vaultOf();
    await db.pool.query(
      `INSERT INTO vault_test_notes VALUES ('0193c8e4-0000-7000-8000-000000000103', $1, 'legacy clear', NULL, NULL)`,
      [tenantA],
    );
    const progress: number[] = [];
    const result = await reencrypt(db.pool, vault, [NOTES], {
      batchSize: 1,
      onProgress: (p) => progress.push(p.done),
    });
    expect(result.rows).toBe(2); // the v1 note and the legacy one; the v2 note was already current
    expect(progress).toEqual([0, 1, 2]);
    expect(await versionsInUse(db.pool, tenantA, [NOTES])).toEqual(new Map([[2, 3]]));
    const legacy = await db.pool.query(
      `SELECT secret FROM vault_test_notes WHERE id = '0193c8e4-0000-7000-8000-000000000103'`,
    );
    expect(legacy.rows[0].secret).toBeNull();
    expect(await readNote(vault, '0193c8e4-0000-7000-8000-000000000103')).toBe('legacy clear');
    expect(await readNote(vault, '0193c8e4-0000-7000-8000-000000000101')).toBe('old secret');
    // Running again finds nothing to do (resumable by construction).
    expect((await reencrypt(db.pool, vault, [NOTES])).rows).toBe(0);
    expect(await destroyRetiredKeys(db.pool, vault, tenantA, [NOTES])).toEqual([1]);
    expect(await readNote(vaultOf(), '0193c8e4-0000-7000-8000-000000000101')).toBe('old secret');
  });

  it('re-wraps every data key under a new KEK, after which the old KEK can go', async () => {
    const vault = vaultOf();
    keyring.rotate();
    const count = await vault.rewrapKeys();
    expect(count).toBeGreaterThanOrEqual(4);
    const kekIds = await db.pool.query(
      'SELECT DISTINCT kek_id FROM tenant_keys WHERE wrapped_key IS NOT NULL',
    );
    expect(kekIds.rows.map((r) => r.kek_id)).toEqual(['local:kek-2']);
    keyring.remove('local:kek-1');
    expect(await readNote(vaultOf(), '0193c8e4-0000-7000-8000-000000000102')).toBe('new secret');
  });

  it('crypto-shredding makes every value of the tenant unreadable, for every process', async () => {
    await insertNote(vaultOf(), tenantB, '0193c8e4-0000-7000-8000-000000000201', 'b secret');
    const vault = vaultOf();
    expect(await vault.shredTenant(tenantA)).toBeGreaterThanOrEqual(2);
    for (const id of ['101', '102', '103']) {
      await expect(readNote(vaultOf(), `0193c8e4-0000-7000-8000-000000000${id}`)).rejects.toMatchObject({
        code: 'tenant_keys_destroyed',
      });
    }
    await expect(readNote(vault, '0193c8e4-0000-7000-8000-000000000101')).rejects.toMatchObject({
      code: 'tenant_keys_destroyed',
    });
    const shredded = await vaultOf().forTenant(tenantA);
    expect(() => shredded.seal({ recordId: 'x', field: 'secret' }, 'new')).toThrow(/destroyed/);
    // No key material is left in the table; the other tenant is untouched.
    const left = await db.pool.query(
      'SELECT count(*)::int AS n FROM tenant_keys WHERE tenant_id = $1 AND wrapped_key IS NOT NULL',
      [tenantA],
    );
    expect(left.rows[0].n).toBe(0);
    expect(await readNote(vaultOf(), '0193c8e4-0000-7000-8000-000000000201')).toBe('b secret');
  });

  it('keeps a hash-chained audit of key operations that verify accepts, and names a tampered row', async () => {
    const vault = vaultOf();
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        vault.record({ tenantId: tenantB, action: 'test.event', subject: `s${i}`, details: { i } }),
      ),
    );
    const entries = await vault.audit.list({});
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'key.unwrapped',
        'key.rotated',
        'key.destroyed',
        'kek.rewrapped',
        'tenant.shredded',
        'test.event',
      ]),
    );
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(await vault.audit.verify()).toMatchObject({ ok: true, checked: entries.length });

    // The table refuses UPDATE and DELETE, even for its owner...
    await expect(db.pool.query(`UPDATE audit_log SET subject = 'x' WHERE seq = 2`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.pool.query('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/);
    // ...so a tamperer has to switch the trigger off first; verify still sees it.
    await db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await db.pool.query(`UPDATE audit_log SET subject = 'forged' WHERE seq = 2`);
    await db.pool.query('DELETE FROM audit_log WHERE seq = 4');
    await db.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const result = await vault.audit.verify(2);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ seq: 2, problem: 'altered' }),
      expect.objectContaining({ seq: 5, problem: 'missing' }),
    ]);
  });

  it('gives the apps role SELECT and INSERT on the audit log but not UPDATE or DELETE', async () => {
    const grants = await db.pool.query(
      `SELECT privilege_type FROM information_schema.role_table_grants
       WHERE grantee = 'maskline_app' AND table_name = 'audit_log' ORDER BY 1`,
    );
    expect(grants.rows.map((r) => r.privilege_type)).toEqual(['INSERT', 'SELECT']);
    const messages = await db.pool.query(
      `SELECT privilege_type FROM information_schema.role_table_grants
       WHERE grantee = 'maskline_app' AND table_name = 'messages' ORDER BY 1`,
    );
    expect(messages.rows.map((r) => r.privilege_type)).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE maskline_app');
      await expect(client.query('UPDATE audit_log SET actor = actor')).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(SYSTEM_SCOPE).toMatch(/^0{8}-/);
  });
});
