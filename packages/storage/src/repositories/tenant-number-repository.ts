import { MasklineError } from '@maskline/core';
import type pg from 'pg';
import { isUniqueViolation } from '../pg-errors.js';

/** A number a tenant owns outside the masking pool (see migration 0022). */
export interface TenantNumber {
  id: string;
  number: string;
  carrierId: string | null;
  label: string | null;
  createdAt: Date;
}

/** What a `message.inbound` event says: ids, a token and masked forms only. */
export interface InboundEventData {
  inboundId: string;
  numberId: string;
  /** The tenant's own number the message was sent to. */
  to: string;
  /** The sender as a vault token (pn_...) and masked. */
  from: string;
  fromMasked: string;
  carrierId: string;
  receivedAt: string;
}

interface Row {
  id: string;
  tenant_id: string;
  e164: string;
  carrier_id: string | null;
  label: string | null;
  created_at: Date;
}

const toNumber = (r: Row): TenantNumber => ({
  id: r.id,
  number: r.e164,
  carrierId: r.carrier_id,
  label: r.label,
  createdAt: r.created_at,
});

/**
 * Tenant-owned numbers: registered through the API, looked up by value when an inbound
 * message arrives. A number in the masking pool cannot be registered (the pool routes it).
 */
export class TenantNumberRepository {
  constructor(private readonly pool: pg.Pool) {}

  async add(
    tenantId: string,
    number: string,
    carrierId: string | null,
    label: string | null,
  ): Promise<TenantNumber> {
    try {
      const result = await this.pool.query<Row>(
        `INSERT INTO tenant_numbers (tenant_id, e164, carrier_id, label)
         SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM virtual_numbers WHERE e164 = $2)
         RETURNING id, tenant_id, e164, carrier_id, label, created_at`,
        [tenantId, number, carrierId, label],
      );
      const row = result.rows[0];
      if (!row) throw new MasklineError('number_in_masking_pool', { details: { field: 'number' } });
      return toNumber(row);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new MasklineError('number_already_registered', { details: { field: 'number' } });
      }
      throw error;
    }
  }

  async list(tenantId: string): Promise<TenantNumber[]> {
    const result = await this.pool.query<Row>(
      `SELECT id, tenant_id, e164, carrier_id, label, created_at FROM tenant_numbers
       WHERE tenant_id = $1 ORDER BY id`,
      [tenantId],
    );
    return result.rows.map(toNumber);
  }

  /** False when the tenant has no such number. */
  async remove(tenantId: string, id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM tenant_numbers WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async ownerOf(number: string): Promise<{ tenantId: string; numberId: string } | null> {
    const result = await this.pool.query<{ id: string; tenant_id: string }>(
      'SELECT id, tenant_id FROM tenant_numbers WHERE e164 = $1',
      [number],
    );
    const row = result.rows[0];
    return row ? { tenantId: row.tenant_id, numberId: row.id } : null;
  }

  /**
   * Records the `message.inbound` event for the tenant's subscribed endpoints (nothing is
   * written without one). Once per inbound message: its id is the event's source key.
   */
  async emitInbound(tenantId: string, data: InboundEventData): Promise<void> {
    await this.pool.query("SELECT webhook_emit($1, 'message.inbound', $2, $3::jsonb, $4)", [
      tenantId,
      data.inboundId,
      JSON.stringify(data),
      `inbound:${data.inboundId}`,
    ]);
  }
}
