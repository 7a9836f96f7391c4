import { MasklineError, uuidv7 } from '@maskline/core';
import type pg from 'pg';
import type { NumberImportRow } from '../pool/number-import.js';
import type { NumberState, VirtualNumberView } from '../types.js';
import type { MaskingEventStore } from './masking-events.js';
import {
  ALLOCATABLE,
  type ImportResult,
  type NumberRow,
  namedStatement,
  type PoolStat,
  toNumberView,
} from './masking-rows.js';

/** The virtual number pool in PostgreSQL: import, retire, lookups, stats, low-watermark alarms. */
export class VirtualNumberStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly events: MaskingEventStore,
  ) {}

  private named(name: string) {
    return namedStatement(this.pool, name);
  }

  /**
   * Records a `pool.low_watermark` event when the allocatable numbers of (tenant, country,
   * carrier) are below the threshold, once per dip: the alarm row stays until a refill.
   * Returns the available count when an event was recorded.
   */
  async checkWatermark(
    tenantId: string,
    country: string,
    carrierId: string,
    threshold: number,
  ): Promise<number | null> {
    if (threshold <= 0) return null;
    const result = await this.named('masking_watermark').query<{ available: number }>(
      `WITH c AS (
         -- Counts at most up to the threshold: a big pool costs no more than a small one.
         SELECT count(*)::int AS n FROM (
           SELECT 1 FROM virtual_numbers
           WHERE tenant_id = $1 AND country = $2 AND carrier_id = $3 AND ${ALLOCATABLE}
           LIMIT $4
         ) allocatable
       ), alarm AS (
         INSERT INTO virtual_number_watermarks (tenant_id, country, carrier_id)
         SELECT $1, $2, $3 FROM c WHERE c.n < $4
         ON CONFLICT DO NOTHING
         RETURNING 1
       )
       SELECT c.n AS available FROM c, alarm`,
      [tenantId, country, carrierId, threshold],
    );
    const available = result.rows[0]?.available;
    if (available === undefined) return null;
    await this.events.recordEvent(null, tenantId, null, 'pool.low_watermark', {
      country,
      carrier: carrierId,
      available,
      threshold,
    });
    return available;
  }

  /** Clears low-watermark alarms of a tenant whose pools are back at or above the threshold. */
  async clearWatermarks(tenantId: string, threshold: number): Promise<void> {
    await this.pool.query(
      `DELETE FROM virtual_number_watermarks w WHERE w.tenant_id = $1 AND (
         SELECT count(*) FROM virtual_numbers v
         WHERE v.tenant_id = w.tenant_id AND v.country = w.country AND v.carrier_id = w.carrier_id
           AND ${ALLOCATABLE.replace(/state|quarantined_until/g, (m) => `v.${m}`)}) >= $2`,
      [tenantId, threshold],
    );
  }

  /** (tenant, country, carrier) groups that have numbers: the sweeper checks their watermark. */
  async watermarkGroups(): Promise<{ tenantId: string; country: string; carrierId: string }[]> {
    const result = await this.pool.query<{ tenant_id: string; country: string; carrier_id: string }>(
      `SELECT DISTINCT tenant_id, country, carrier_id FROM virtual_numbers WHERE state <> 'retired'`,
    );
    return result.rows.map((r) => ({ tenantId: r.tenant_id, country: r.country, carrierId: r.carrier_id }));
  }

  async importNumbers(
    tenantId: string,
    carrierId: string,
    rows: readonly NumberImportRow[],
  ): Promise<ImportResult> {
    if (rows.length === 0) return { inserted: [], existing: [] };
    const ids = rows.map(() => uuidv7());
    const result = await this.pool.query<{ id: string; e164: string }>(
      `INSERT INTO virtual_numbers (id, tenant_id, e164, country, carrier_id, capabilities, region)
       SELECT u.id, $1, u.e164, u.country, $2, string_to_array(u.caps, ','), u.region
       FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, e164, country, caps, region)
       ON CONFLICT (e164) DO NOTHING
       RETURNING id, e164`,
      [
        tenantId,
        carrierId,
        ids,
        rows.map((r) => r.e164),
        rows.map((r) => r.country),
        rows.map((r) => r.capabilities.join(',')),
        rows.map((r) => r.region),
      ],
    );
    const insertedByNumber = new Map(result.rows.map((r) => [r.e164, r.id]));
    const inserted: ImportResult['inserted'] = [];
    const existing: number[] = [];
    for (const r of rows) {
      const id = insertedByNumber.get(r.e164);
      if (id) inserted.push({ row: r.row, id, e164: r.e164 });
      else existing.push(r.row);
    }
    return { inserted, existing };
  }

  async retire(tenantId: string, id: string): Promise<VirtualNumberView> {
    const result = await this.pool.query<NumberRow>(
      `UPDATE virtual_numbers SET state = 'retired', quarantined_until = NULL, state_changed_at = now()
       WHERE id = $1 AND tenant_id = $2 AND state <> 'reserved'
       RETURNING id, e164, country, carrier_id, capabilities, region, state, quarantined_until`,
      [id, tenantId],
    );
    if (result.rows[0]) return toNumberView(result.rows[0]);
    const current = await this.getNumber(tenantId, id);
    throw new MasklineError(current ? 'virtual_number_in_use' : 'virtual_number_not_found');
  }

  async getNumber(tenantId: string, id: string): Promise<VirtualNumberView | null> {
    const result = await this.pool.query<NumberRow>(
      `SELECT id, e164, country, carrier_id, capabilities, region, state, quarantined_until
       FROM virtual_numbers WHERE id = $1 AND tenant_id = $2`,
      [id, tenantId],
    );
    return result.rows[0] ? toNumberView(result.rows[0]) : null;
  }

  /** Counts per country, carrier and state; a quarantined number past its cool-off counts as available. */
  stats(tenantId: string): Promise<PoolStat[]> {
    return this.countBy('WHERE tenant_id = $1', [tenantId]);
  }

  /** The same counts over every tenant's pool (for the pool gauges: no tenant in them). */
  statsAll(): Promise<PoolStat[]> {
    return this.countBy('', []);
  }

  private async countBy(where: string, params: unknown[]): Promise<PoolStat[]> {
    const result = await this.pool.query<{
      country: string;
      carrier_id: string;
      state: NumberState;
      n: number;
    }>(
      `SELECT country, carrier_id,
              CASE WHEN state = 'quarantined' AND quarantined_until <= now() THEN 'available' ELSE state END AS state,
              count(*)::int AS n
       FROM virtual_numbers ${where}
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      params,
    );
    return result.rows.map((r) => ({
      country: r.country,
      carrier: r.carrier_id,
      state: r.state,
      count: r.n,
    }));
  }
}
