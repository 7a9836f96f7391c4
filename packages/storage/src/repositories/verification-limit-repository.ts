import type pg from 'pg';

/** The limits a tenant may set for itself; absent (null) = the deployment's default. */
export const VERIFICATION_LIMIT_FIELDS = [
  'perDestinationMinute',
  'perDestinationHour',
  'perDestinationDay',
  'perTenantHour',
  'perRangeHour',
  'perCountryHour',
] as const;
export type VerificationLimitField = (typeof VERIFICATION_LIMIT_FIELDS)[number];
export type VerificationLimitOverrides = Partial<Record<VerificationLimitField, number>>;

const COLUMN: Readonly<Record<VerificationLimitField, string>> = {
  perDestinationMinute: 'per_destination_minute',
  perDestinationHour: 'per_destination_hour',
  perDestinationDay: 'per_destination_day',
  perTenantHour: 'per_tenant_hour',
  perRangeHour: 'per_range_hour',
  perCountryHour: 'per_country_hour',
};

/** tenant_verification_limits: one row per tenant that overrides a default. */
export class VerificationLimitRepository {
  constructor(private readonly pool: pg.Pool) {}

  async get(tenantId: string): Promise<VerificationLimitOverrides> {
    const { rows } = await this.pool.query<Record<string, number | null>>(
      `SELECT ${Object.values(COLUMN).join(', ')} FROM tenant_verification_limits WHERE tenant_id = $1`,
      [tenantId],
    );
    const row = rows[0];
    const out: VerificationLimitOverrides = {};
    if (!row) return out;
    for (const field of VERIFICATION_LIMIT_FIELDS) {
      const value = row[COLUMN[field]];
      if (value !== null && value !== undefined) out[field] = value;
    }
    return out;
  }

  /** Replaces the tenant's overrides (fields left out go back to the default). */
  async put(tenantId: string, overrides: VerificationLimitOverrides): Promise<void> {
    const values = VERIFICATION_LIMIT_FIELDS.map((f) => overrides[f] ?? null);
    const columns = Object.values(COLUMN);
    await this.pool.query(
      `INSERT INTO tenant_verification_limits (tenant_id, ${columns.join(', ')})
       VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})
       ON CONFLICT (tenant_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
      [tenantId, ...values],
    );
  }

  async delete(tenantId: string): Promise<void> {
    await this.pool.query('DELETE FROM tenant_verification_limits WHERE tenant_id = $1', [tenantId]);
  }
}
