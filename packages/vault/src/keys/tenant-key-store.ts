import type pg from 'pg';

export type KeyPurpose = 'data' | 'index';

export interface StoredKey {
  tenantId: string;
  purpose: KeyPurpose;
  version: number;
  kekId: string;
  /** Null once destroyed (crypto-shredded). */
  wrapped: Buffer | null;
  activatesAt: Date;
}

interface KeyRow {
  tenant_id: string;
  purpose: KeyPurpose;
  version: number;
  kek_id: string;
  wrapped_key: Buffer | null;
  activates_at: Date;
}

const toStored = (r: KeyRow): StoredKey => ({
  tenantId: r.tenant_id,
  purpose: r.purpose,
  version: r.version,
  kekId: r.kek_id,
  wrapped: r.wrapped_key,
  activatesAt: r.activates_at,
});

const COLUMNS = 'tenant_id, purpose, version, kek_id, wrapped_key, activates_at';

/** The tenant_keys table: wrapped data and index keys, by tenant, purpose and version. */
export class TenantKeyStore {
  constructor(private readonly pool: pg.Pool) {}

  async load(tenantId: string): Promise<StoredKey[]> {
    const result = await this.pool.query<KeyRow>(
      `SELECT ${COLUMNS} FROM tenant_keys WHERE tenant_id = $1 ORDER BY purpose, version`,
      [tenantId],
    );
    return result.rows.map(toStored);
  }

  /** Insert keys unless a key of that (tenant, purpose, version) exists; the first writer wins. */
  async insertIfAbsent(keys: readonly Omit<StoredKey, 'activatesAt'>[], activateAfterMs = 0): Promise<void> {
    await this.pool.query(
      `INSERT INTO tenant_keys (tenant_id, purpose, version, kek_id, wrapped_key, activates_at)
       SELECT u.tenant_id, u.purpose, u.version, u.kek_id, u.wrapped_key,
              now() + make_interval(secs => $6::float8 / 1000)
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::bytea[])
            AS u(tenant_id, purpose, version, kek_id, wrapped_key)
       ON CONFLICT DO NOTHING`,
      [
        keys.map((k) => k.tenantId),
        keys.map((k) => k.purpose),
        keys.map((k) => k.version),
        keys.map((k) => k.kekId),
        keys.map((k) => k.wrapped),
        activateAfterMs,
      ],
    );
  }

  async latestVersion(tenantId: string, purpose: KeyPurpose): Promise<number> {
    const result = await this.pool.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM tenant_keys WHERE tenant_id = $1 AND purpose = $2',
      [tenantId, purpose],
    );
    return result.rows[0]?.v ?? 0;
  }

  /** Keys wrapped by another KEK than `kekId` (candidates for re-wrapping). */
  async wrappedByOtherThan(kekId: string, limit: number): Promise<StoredKey[]> {
    const result = await this.pool.query<KeyRow>(
      `SELECT ${COLUMNS} FROM tenant_keys WHERE kek_id <> $1 AND wrapped_key IS NOT NULL LIMIT $2`,
      [kekId, limit],
    );
    return result.rows.map(toStored);
  }

  /** How many live (not destroyed) keys each KEK wraps. */
  async countByKek(): Promise<Map<string, number>> {
    const result = await this.pool.query<{ kek_id: string; n: number }>(
      `SELECT kek_id, count(*)::int AS n FROM tenant_keys WHERE wrapped_key IS NOT NULL GROUP BY kek_id`,
    );
    return new Map(result.rows.map((r) => [r.kek_id, r.n]));
  }

  async replaceWrapping(key: StoredKey, kekId: string, wrapped: Buffer): Promise<void> {
    await this.pool.query(
      `UPDATE tenant_keys SET kek_id = $4, wrapped_key = $5
       WHERE tenant_id = $1 AND purpose = $2 AND version = $3 AND wrapped_key IS NOT NULL`,
      [key.tenantId, key.purpose, key.version, kekId, wrapped],
    );
  }

  /** Destroy keys: of one data version, or (version null) every key of the tenant. Returns how many. */
  async destroy(
    tenantId: string,
    purpose: KeyPurpose | null,
    version: number | null,
    /** A client inside the caller's transaction (the shred), or the pool. */
    db: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<number> {
    const result = await db.query(
      `UPDATE tenant_keys SET wrapped_key = NULL, destroyed_at = now()
       WHERE tenant_id = $1 AND wrapped_key IS NOT NULL
         AND ($2::text IS NULL OR purpose = $2) AND ($3::int IS NULL OR version = $3)`,
      [tenantId, purpose, version],
    );
    return result.rowCount ?? 0;
  }
}
