import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_SCOPES, type ApiKeyEnvironment, uuidv7 } from '@maskline/core';
import type pg from 'pg';

export interface AuthenticatedKey {
  keyId: string;
  tenantId: string;
  /** What the key may do (docs/reference/api.md, "Scopes"). */
  scopes: readonly string[];
  /** When the key stops working (null: never). */
  expiresAt: Date | null;
  /** `test` for an ml_test_ (sandbox) key, else `live`. */
  environment: ApiKeyEnvironment;
  /** The CIDRs the key is honoured from (null: any address), canonical as written. */
  allowedCidrs: readonly string[] | null;
  /** SHA-256 of the TLS client certificate the key must arrive with (null: any). */
  clientCertSha256: string | null;
}

export interface CreatedKey {
  keyId: string;
  /** The key in clear: shown once, never stored. */
  apiKey: string;
}

export interface NewApiKey {
  tenantId: string;
  name: string;
  /** Defaults to every scope (as seeded keys and keys made before scopes have). */
  scopes?: readonly string[];
  environment?: ApiKeyEnvironment;
  expiresAt?: Date | null;
  /** Canonical CIDRs the key is honoured from (null or absent: any address). */
  allowedCidrs?: readonly string[] | null;
  /** 64 lower-case hex digits: the client certificate the key is bound to (absent: none). */
  clientCertSha256?: string | null;
}

/** A key as listed: never its secret nor its digest. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** The key's IP allowlist (null: any address). */
  allowedCidrs: string[] | null;
  /** The client certificate the key is bound to (SHA-256, hex; null: none). */
  clientCertSha256: string | null;
}

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

const KEY_SHAPE = /^ml_[a-z]+_[A-Za-z0-9_-]{32,64}$/;

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  key_prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  allowed_cidrs: string[] | null;
  client_cert_sha256: string | null;
}

const COLUMNS =
  'id, tenant_id, name, key_prefix, scopes, created_at, last_used_at, expires_at, revoked_at, allowed_cidrs, client_cert_sha256';

function toRecord(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.key_prefix,
    scopes: row.scopes,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    allowedCidrs: row.allowed_cidrs,
    clientCertSha256: row.client_cert_sha256,
  };
}

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

  /** A key for the tenant (`environment` was a positional string before scopes; still accepted). */
  async create(tenantId: string, name: string, environment: ApiKeyEnvironment = 'live'): Promise<CreatedKey> {
    const { keyId, apiKey } = await this.createKey({ tenantId, name, environment });
    return { keyId, apiKey };
  }

  /** A new key with a random secret: returned once in clear, stored only as its digest. */
  async createKey(input: NewApiKey): Promise<CreatedKey & { record: ApiKeyRecord }> {
    const keyId = uuidv7();
    const apiKey = `ml_${input.environment ?? 'live'}_${randomBytes(24).toString('base64url')}`;
    const result = await this.pool.query<KeyRow>(
      `INSERT INTO api_keys (id, tenant_id, name, key_prefix, key_digest, scopes, expires_at, allowed_cidrs, client_cert_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        keyId,
        input.tenantId,
        input.name,
        apiKey.slice(0, 12),
        this.digest(apiKey),
        [...(input.scopes ?? API_KEY_SCOPES)],
        input.expiresAt ?? null,
        input.allowedCidrs ? [...input.allowedCidrs] : null,
        input.clientCertSha256 ?? null,
      ],
    );
    return { keyId, apiKey, record: toRecord(result.rows[0] as KeyRow) };
  }

  /** A live key: known, not revoked and not expired. */
  async authenticate(apiKey: string): Promise<AuthenticatedKey | null> {
    if (!KEY_SHAPE.test(apiKey)) return null;
    const digest = this.digest(apiKey);
    const result = await this.pool.query<{
      id: string;
      tenant_id: string;
      key_digest: Buffer;
      scopes: string[];
      expires_at: Date | null;
      key_prefix: string;
      allowed_cidrs: string[] | null;
      client_cert_sha256: string | null;
    }>(
      `SELECT id, tenant_id, key_digest, scopes, expires_at, key_prefix, allowed_cidrs, client_cert_sha256
         FROM api_keys
        WHERE key_digest = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [digest],
    );
    const row = result.rows[0];
    if (!row || !timingSafeEqual(row.key_digest, digest)) return null;
    return {
      keyId: row.id,
      tenantId: row.tenant_id,
      scopes: row.scopes,
      expiresAt: row.expires_at,
      environment: row.key_prefix.startsWith('ml_test_') ? 'test' : 'live',
      allowedCidrs: row.allowed_cidrs,
      clientCertSha256: row.client_cert_sha256,
    };
  }

  /** The tenant's keys, revoked ones included, oldest first. */
  async list(tenantId: string): Promise<ApiKeyRecord[]> {
    const result = await this.pool.query<KeyRow>(
      `SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`,
      [tenantId],
    );
    return result.rows.map(toRecord);
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const result = await this.pool.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return result.rows[0] ? toRecord(result.rows[0]) : null;
  }

  /**
   * Replaces a key's IP allowlist (of `tenantId` only, when given); null allows any address.
   * Returns the key before and after, or null when there is no such key.
   */
  async setAllowedCidrs(
    id: string,
    tenantId: string | null,
    allowedCidrs: readonly string[] | null,
  ): Promise<{ before: string[] | null; after: ApiKeyRecord } | null> {
    return this.setColumn('allowed_cidrs', id, tenantId, allowedCidrs ? [...allowedCidrs] : null);
  }

  /** Binds a key to a client certificate's SHA-256 (hex), or unbinds it (null); as setAllowedCidrs. */
  async setClientCertificate(
    id: string,
    tenantId: string | null,
    sha256: string | null,
  ): Promise<{ before: string | null; after: ApiKeyRecord } | null> {
    return this.setColumn('client_cert_sha256', id, tenantId, sha256);
  }

  private async setColumn<T>(
    column: 'allowed_cidrs' | 'client_cert_sha256',
    id: string,
    tenantId: string | null,
    value: T,
  ): Promise<{ before: T; after: ApiKeyRecord } | null> {
    const result = await this.pool.query<KeyRow & { before: T }>(
      `WITH target AS (
         SELECT id, ${column} FROM api_keys WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2) FOR UPDATE
       )
       UPDATE api_keys k SET ${column} = $3 FROM target t WHERE k.id = t.id
       RETURNING ${COLUMNS.split(', ')
         .map((c) => `k.${c}`)
         .join(', ')}, t.${column} AS before`,
      [id, tenantId, value],
    );
    const row = result.rows[0];
    return row ? { before: row.before, after: toRecord(row) } : null;
  }

  /** Revokes a key (of `tenantId` only, when given). Revoking twice changes nothing. */
  async revoke(id: string, tenantId: string | null): Promise<RevokeOutcome> {
    const result = await this.pool.query<{ revoked_now: boolean }>(
      `WITH target AS (
         SELECT id, revoked_at FROM api_keys WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2) FOR UPDATE
       ), changed AS (
         UPDATE api_keys k SET revoked_at = now() FROM target t
          WHERE k.id = t.id AND t.revoked_at IS NULL RETURNING k.id
       )
       SELECT EXISTS (SELECT 1 FROM changed) AS revoked_now FROM target`,
      [id, tenantId],
    );
    const row = result.rows[0];
    if (!row) return 'not_found';
    return row.revoked_now ? 'revoked' : 'already_revoked';
  }

  /** Stamps last_used_at on these keys (called in the background, about once a minute per key). */
  async touch(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    await this.pool.query('UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1::uuid[])', [
      [...keyIds],
    ]);
  }
}
