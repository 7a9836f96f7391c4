import { keysetPage, uuidv7 } from '@maskline/core';
import type pg from 'pg';
import type { MaskingEventView, Page } from '../types.js';

/** masking_events: what happened to sessions and pools, for the tenant's events API (and webhooks). */
export class MaskingEventStore {
  constructor(private readonly pool: pg.Pool) {}

  async recordEvent(
    client: pg.Pool | pg.PoolClient | null,
    tenantId: string,
    sessionId: string | null,
    type: string,
    payload: Record<string, unknown>,
  ): Promise<string> {
    const id = uuidv7();
    await (client ?? this.pool).query(
      'INSERT INTO masking_events (id, tenant_id, session_id, type, payload) VALUES ($1, $2, $3, $4, $5)',
      [id, tenantId, sessionId, type, JSON.stringify(payload)],
    );
    return id;
  }

  /** Records an event for an inbound message once, however often its job runs. */
  async recordInboundEvent(
    tenantId: string,
    sessionId: string | null,
    type: string,
    payload: Record<string, unknown> & { inboundId: string },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO masking_events (id, tenant_id, session_id, type, payload)
       SELECT $1, $2, $3, $4, $5::jsonb
       WHERE NOT EXISTS (SELECT 1 FROM masking_events WHERE tenant_id = $2 AND type = $4
                         AND payload->>'inboundId' = $6)`,
      [uuidv7(), tenantId, sessionId, type, JSON.stringify(payload), payload.inboundId],
    );
  }

  /**
   * The session of the tenant's inbound message whose code may be read (an inbound.received
   * of a verification session); null when there is none for this tenant.
   */
  async codeInboundSession(
    tenantId: string,
    inboundId: string,
  ): Promise<{ sessionId: string | null } | null> {
    const result = await this.pool.query<{ session_id: string | null }>(
      `SELECT session_id FROM masking_events
       WHERE payload->>'inboundId' = $2 AND tenant_id = $1 AND type = 'inbound.received'
         AND payload->>'codeExtraction' = 'true'
       LIMIT 1`,
      [tenantId, inboundId],
    );
    const row = result.rows[0];
    return row ? { sessionId: row.session_id } : null;
  }

  async listEvents(
    tenantId: string,
    options: { limit: number; cursor: string | null; type: string | null },
  ): Promise<Page<MaskingEventView>> {
    const result = await this.pool.query<{
      id: string;
      type: string;
      session_id: string | null;
      payload: Record<string, unknown>;
      created_at: Date;
    }>(
      `SELECT id, type, session_id, payload, created_at FROM masking_events
       WHERE tenant_id = $1 AND ($2::uuid IS NULL OR id < $2) AND ($3::text IS NULL OR type = $3)
       ORDER BY id DESC LIMIT $4`,
      [tenantId, options.cursor, options.type, options.limit + 1],
    );
    return keysetPage(
      result.rows,
      options.limit,
      (r) => ({
        id: r.id,
        type: r.type,
        sessionId: r.session_id,
        payload: r.payload,
        createdAt: r.created_at.toISOString(),
      }),
      (r) => r.id,
    );
  }
}
