import { uuidv7 } from '@maskline/core';
import type pg from 'pg';

export interface RevealGrant {
  id: string;
  tenantId: string;
  apiKeyId: string;
  reason: string;
  grantedBy: string;
  expiresAt: Date;
}

interface GrantRow {
  id: string;
  tenant_id: string;
  api_key_id: string;
  reason: string;
  granted_by: string;
  expires_at: Date;
}

const toGrant = (r: GrantRow): RevealGrant => ({
  id: r.id,
  tenantId: r.tenant_id,
  apiKeyId: r.api_key_id,
  reason: r.reason,
  grantedBy: r.granted_by,
  expiresAt: r.expires_at,
});

/** Time-bounded permissions for one API key to see real numbers. */
export class RevealGrantRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Grant `apiKeyId` reveals for `ttlMs`; the key's tenant is taken from the key itself. */
  async create(
    apiKeyId: string,
    reason: string,
    grantedBy: string,
    ttlMs: number,
  ): Promise<RevealGrant | null> {
    const result = await this.pool.query<GrantRow>(
      `INSERT INTO reveal_grants (id, tenant_id, api_key_id, reason, granted_by, expires_at)
       SELECT $1, k.tenant_id, k.id, $3, $4, now() + make_interval(secs => $5::float8 / 1000)
       FROM api_keys k WHERE k.id = $2 AND k.revoked_at IS NULL
       RETURNING id, tenant_id, api_key_id, reason, granted_by, expires_at`,
      [uuidv7(), apiKeyId, reason, grantedBy, ttlMs],
    );
    return result.rows[0] ? toGrant(result.rows[0]) : null;
  }

  /** The key's grant in force now, if any (the one that lasts longest). */
  async findActive(apiKeyId: string): Promise<RevealGrant | null> {
    const result = await this.pool.query<GrantRow>(
      `SELECT id, tenant_id, api_key_id, reason, granted_by, expires_at FROM reveal_grants
       WHERE api_key_id = $1 AND revoked_at IS NULL AND expires_at > now()
       ORDER BY expires_at DESC LIMIT 1`,
      [apiKeyId],
    );
    return result.rows[0] ? toGrant(result.rows[0]) : null;
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE reveal_grants SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
