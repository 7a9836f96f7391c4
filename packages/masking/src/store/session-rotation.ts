import { MasklineError } from '@maskline/core';
import type pg from 'pg';
import type { Capability, MaskingMode, NumberConstraints, SessionState, SessionView } from '../types.js';
import type { MaskingEventStore } from './masking-events.js';
import { ALLOCATABLE, inTransaction } from './masking-rows.js';
import type { SessionQueries } from './session-queries.js';

/** Gives a live session a fresh number from the pool and quarantines the old one. */
export class SessionRotation {
  constructor(
    private readonly pool: pg.Pool,
    private readonly sessions: SessionQueries,
    private readonly events: MaskingEventStore,
  ) {}

  /**
   * Gives a live session a fresh number by its original constraints; the old number goes to
   * quarantine and a `session.rotated` event is recorded. Throws pool_exhausted (and changes
   * nothing) when no number is free.
   */
  async rotate(
    tenantId: string,
    id: string,
    quarantineMs: number,
  ): Promise<{ session: SessionView; numberCountry: string; numberCarrier: string }> {
    const fresh = await inTransaction(this.pool, async (client) => {
      const { row } = await this.lockLive(client, tenantId, id);
      const fresh = await this.allocate(client, tenantId, {
        country: row.country,
        carrierId: row.carrier_id,
        capabilities: row.capabilities,
      });
      if (!fresh) throw new MasklineError('pool_exhausted');
      const old = await client.query<{ e164: string }>(
        `UPDATE virtual_numbers SET state = 'quarantined', state_changed_at = now(),
                quarantined_until = now() + make_interval(secs => $2::float8 / 1000)
         WHERE id = $1 AND state = 'reserved' RETURNING e164`,
        [row.virtual_number_id, quarantineMs],
      );
      await client.query(
        'UPDATE masking_sessions SET virtual_number_id = $2, updated_at = now() WHERE id = $1',
        [id, fresh.id],
      );
      await this.events.recordEvent(client, tenantId, id, 'session.rotated', {
        sessionId: id,
        oldVirtualNumber: old.rows[0]?.e164 ?? null,
        newVirtualNumber: fresh.e164,
      });
      return fresh;
    });
    return {
      session: (await this.sessions.get(tenantId, id))!,
      numberCountry: fresh.country,
      numberCarrier: fresh.carrier_id,
    };
  }

  /** Takes one allocatable number matching the constraints, or null when none is left. */
  private async allocate(
    client: pg.PoolClient,
    tenantId: string,
    constraints: NumberConstraints,
  ): Promise<{ id: string; e164: string; country: string; carrier_id: string } | null> {
    const result = await client.query<{ id: string; e164: string; country: string; carrier_id: string }>(
      `UPDATE virtual_numbers v SET state = 'reserved', quarantined_until = NULL, state_changed_at = now()
       WHERE v.id = (
         SELECT id FROM virtual_numbers
         WHERE tenant_id = $1 AND ${ALLOCATABLE}
           AND ($2::text IS NULL OR country = $2) AND ($3::text IS NULL OR carrier_id = $3)
           AND capabilities @> $4::text[]
         ORDER BY state_changed_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING v.id, v.e164, v.country, v.carrier_id`,
      [tenantId, constraints.country, constraints.carrierId, constraints.capabilities],
    );
    return result.rows[0] ?? null;
  }

  /** Locks an active, unexpired session of this tenant, or throws not_found / closed. */
  private async lockLive(
    client: pg.PoolClient,
    tenantId: string,
    id: string,
  ): Promise<{ virtualNumberId: string; row: LockedSession }> {
    const result = await client.query<LockedSession>(
      `SELECT id, mode, state, (expires_at <= now()) AS overdue, virtual_number_id, country, carrier_id, capabilities
       FROM masking_sessions WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
      [id, tenantId],
    );
    const row = result.rows[0];
    if (!row) throw new MasklineError('masking_session_not_found');
    if (row.state !== 'active' || row.overdue) throw new MasklineError('masking_session_closed');
    return { virtualNumberId: row.virtual_number_id, row };
  }
}

interface LockedSession {
  id: string;
  mode: MaskingMode;
  state: SessionState;
  overdue: boolean;
  virtual_number_id: string;
  country: string | null;
  carrier_id: string | null;
  capabilities: Capability[];
}
