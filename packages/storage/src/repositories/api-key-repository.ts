import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { uuidv7 } from '@maskline/core';
import type pg from 'pg';

export interface AuthenticatedKey {
  keyId: string;
  tenantId: string;
}

export interface CreatedKey {
  keyId: string;
  /** The key in clear: shown once, never stored. */
  apiKey: string;
}

const KEY_SHAPE = /^ml_[a-z]+_[A-Za-z0-9_-]{32,64}$/;

/**
 * API keys, stored as HMAC-SHA256(pepper, key). A keyed digest is fast enough for every
 * request (argon2 would cost ~12 ms each) and useless to whoever steals the table without
 * the pepper.
 */
export class ApiKeyRepository {
  private readonly pepper: Buffer;

  constructor(
    private readonly pool: pg.Pool,
    pepper: string,
  ) {
    if (pepper.length < 16) throw new Error('API key pepper must be at least 16 characters');
    this.pepper = Buffer.from(pepper, 'utf8');
  }

  digest(apiKey: string): Buffer {
    return createHmac('sha256', this.pepper).update(apiKey, 'utf8').digest();
  }

  async create(tenantId: string, name: string, environment = 'live'): Promise<CreatedKey> {
    const keyId = uuidv7();
    const apiKey = `ml_${environment}_${randomBytes(24).toString('base64url')}`;
    await this.pool.query(
      `INSERT INTO api_keys (id, tenant_id, name, key_prefix, key_digest) VALUES ($1, $2, $3, $4, $5)`,
      [keyId, tenantId, name, apiKey.slice(0, 12), this.digest(apiKey)],
    );
    return { keyId, apiKey };
  }

  async authenticate(apiKey: string): Promise<AuthenticatedKey | null> {
    if (!KEY_SHAPE.test(apiKey)) return null;
    const digest = this.digest(apiKey);
    const result = await this.pool.query<{ id: string; tenant_id: string; key_digest: Buffer }>(
      'SELECT id, tenant_id, key_digest FROM api_keys WHERE key_digest = $1 AND revoked_at IS NULL',
      [digest],
    );
    const row = result.rows[0];
    if (!row || !timingSafeEqual(row.key_digest, digest)) return null;
    return { keyId: row.id, tenantId: row.tenant_id };
  }
}
