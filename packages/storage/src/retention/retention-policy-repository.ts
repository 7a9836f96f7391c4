import type pg from 'pg';

/** How long a tenant's data is kept; null = keep. */
export interface RetentionPolicy {
  tenantId: string;
  /** Message bodies are anonymised (their sealed value removed) after this many days. */
  bodyDays: number | null;
  /** Masking mappings (participants' sealed numbers) are removed after this many days. */
  mappingDays: number | null;
  /** Message rows and their receipts are deleted after this many days. */
  metadataDays: number | null;
}

interface PolicyRow {
  tenant_id: string;
  body_days: number | null;
  mapping_days: number | null;
  metadata_days: number | null;
}

const toPolicy = (r: PolicyRow): RetentionPolicy => ({
  tenantId: r.tenant_id,
  bodyDays: r.body_days,
  mappingDays: r.mapping_days,
  metadataDays: r.metadata_days,
});

export class RetentionPolicyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async set(policy: RetentionPolicy): Promise<void> {
    await this.pool.query(
      `INSERT INTO retention_policies (tenant_id, body_days, mapping_days, metadata_days)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET body_days = $2, mapping_days = $3, metadata_days = $4, updated_at = now()`,
      [policy.tenantId, policy.bodyDays, policy.mappingDays, policy.metadataDays],
    );
  }

  async get(tenantId: string): Promise<RetentionPolicy | null> {
    const result = await this.pool.query<PolicyRow>('SELECT * FROM retention_policies WHERE tenant_id = $1', [
      tenantId,
    ]);
    return result.rows[0] ? toPolicy(result.rows[0]) : null;
  }

  async all(): Promise<RetentionPolicy[]> {
    const result = await this.pool.query<PolicyRow>('SELECT * FROM retention_policies ORDER BY tenant_id');
    return result.rows.map(toPolicy);
  }
}
