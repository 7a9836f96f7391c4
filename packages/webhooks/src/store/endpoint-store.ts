import { inTransaction, prepared } from '@maskline/storage';
import type pg from 'pg';

export interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  event_types: string[];
  include_inbound_body: boolean;
  description: string | null;
  state: 'enabled' | 'disabled';
  disabled_reason: 'api' | 'gone' | 'failing' | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  max_concurrency: number;
  timeout_ms: number;
  created_at: Date;
  updated_at: Date;
}

export interface NewEndpointRow {
  id: string;
  tenantId: string;
  url: string;
  eventTypes: string[];
  includeInboundBody: boolean;
  description: string | null;
  maxConcurrency: number;
  timeoutMs: number;
}

export interface SealedSecretRow {
  id: string;
  endpointId: string;
  sealed: Buffer;
  keyVersion: number | null;
}

export interface EndpointPatch {
  url?: string;
  eventTypes?: string[];
  includeInboundBody?: boolean;
  description?: string | null;
  enabled?: boolean;
}

const COLUMNS = `id, tenant_id, url, event_types, include_inbound_body, description, state, disabled_reason,
  disabled_at, failing_since, max_concurrency, timeout_ms, created_at, updated_at`;

/** webhook_endpoints and webhook_secrets. Every read and write names the tenant. */
export class EndpointStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(endpoint: NewEndpointRow, secret: SealedSecretRow): Promise<EndpointRow> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<EndpointRow>(
        `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, include_inbound_body, description,
           max_concurrency, timeout_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [
          endpoint.id,
          endpoint.tenantId,
          endpoint.url,
          endpoint.eventTypes,
          endpoint.includeInboundBody,
          endpoint.description,
          endpoint.maxConcurrency,
          endpoint.timeoutMs,
        ],
      );
      await this.insertSecret(client, endpoint.tenantId, secret);
      return rows[0] as EndpointRow;
    });
  }

  async get(tenantId: string, id: string): Promise<EndpointRow | null> {
    const { rows } = await this.pool.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  /** The tenant's enabled endpoints' ids and URLs (status callbacks resolve against them). */
  async enabledUrls(tenantId: string): Promise<{ id: string; url: string }[]> {
    const { rows } = await this.pool.query<{ id: string; url: string }>(
      `SELECT id, url FROM webhook_endpoints WHERE tenant_id = $1 AND state = 'enabled'`,
      [tenantId],
    );
    return rows;
  }

  async list(tenantId: string, limit: number, cursor: string | null): Promise<EndpointRow[]> {
    const { rows } = await this.pool.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM webhook_endpoints
       WHERE tenant_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [tenantId, cursor, limit],
    );
    return rows;
  }

  /** Applies a patch; enabling clears the disabled reason and the failure clock. */
  async update(tenantId: string, id: string, patch: EndpointPatch): Promise<EndpointRow | null> {
    const enabled = patch.enabled === undefined ? null : patch.enabled;
    const { rows } = await this.pool.query<EndpointRow>(
      `UPDATE webhook_endpoints SET
         url = COALESCE($3, url),
         event_types = COALESCE($4, event_types),
         include_inbound_body = COALESCE($5, include_inbound_body),
         description = CASE WHEN $6 THEN $7 ELSE description END,
         state = CASE WHEN $8::boolean IS NULL THEN state WHEN $8 THEN 'enabled' ELSE 'disabled' END,
         disabled_reason = CASE WHEN $8::boolean IS NULL THEN disabled_reason WHEN $8 THEN NULL
                                ELSE COALESCE(disabled_reason, 'api') END,
         disabled_at = CASE WHEN $8::boolean IS NULL THEN disabled_at WHEN $8 THEN NULL
                            ELSE COALESCE(disabled_at, now()) END,
         failing_since = CASE WHEN $8 THEN NULL ELSE failing_since END,
         updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [
        tenantId,
        id,
        patch.url ?? null,
        patch.eventTypes ?? null,
        patch.includeInboundBody ?? null,
        patch.description !== undefined,
        patch.description ?? null,
        enabled,
      ],
    );
    return rows[0] ?? null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Adds a new current secret and lets the previous current one(s) sign until `oldUntil`.
   * Returns false when the endpoint is not the tenant's.
   */
  async rotateSecret(
    tenantId: string,
    endpointId: string,
    secret: SealedSecretRow,
    oldUntil: Date,
  ): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const owned = await client.query(
        'SELECT 1 FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, endpointId],
      );
      if (owned.rowCount === 0) return false;
      await client.query(
        `UPDATE webhook_secrets SET expires_at = LEAST(COALESCE(expires_at, $2), $2)
         WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > now())`,
        [endpointId, oldUntil],
      );
      await client.query('DELETE FROM webhook_secrets WHERE endpoint_id = $1 AND expires_at <= now()', [
        endpointId,
      ]);
      await this.insertSecret(client, tenantId, secret);
      return true;
    });
  }

  /** The secrets each endpoint signs with now, newest first. */
  async signingSecrets(endpointIds: readonly string[]): Promise<(SealedSecretRow & { tenantId: string })[]> {
    const { rows } = await this.pool.query<{
      id: string;
      endpoint_id: string;
      tenant_id: string;
      secret_sealed: Buffer;
      key_version: number | null;
    }>(
      prepared(
        `SELECT id, endpoint_id, tenant_id, secret_sealed, key_version FROM webhook_secrets
       WHERE endpoint_id = ANY($1::uuid[]) AND (expires_at IS NULL OR expires_at > now())
       ORDER BY created_at DESC`,
        [endpointIds],
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      tenantId: r.tenant_id,
      sealed: r.secret_sealed,
      keyVersion: r.key_version,
    }));
  }

  private async insertSecret(
    client: pg.PoolClient,
    tenantId: string,
    secret: SealedSecretRow,
  ): Promise<void> {
    await client.query(
      `INSERT INTO webhook_secrets (id, endpoint_id, tenant_id, secret_sealed, key_version)
       VALUES ($1, $2, $3, $4, $5)`,
      [secret.id, secret.endpointId, tenantId, secret.sealed, secret.keyVersion],
    );
  }
}
