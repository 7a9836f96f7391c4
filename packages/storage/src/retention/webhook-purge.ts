import type pg from 'pg';

/**
 * Deletes webhook events recorded before `olderThan` with their deliveries and attempt log
 * (both cascade), tenant by tenant through webhook_events_tenant (tenant_id, created_at), in
 * batches of `batchSize` events, oldest first: each batch is one short statement (no
 * long-held locks, no giant transaction), and rows another process holds are skipped until
 * the next run. An event with a delivery still pending (being sent, retried or just
 * redelivered) is kept. Returns the count per tenant.
 */
export async function purgeWebhookEvents(
  pool: pg.Pool,
  olderThan: Date,
  batchSize: number,
): Promise<Map<string, number>> {
  const purged = new Map<string, number>();
  const tenants = await pool.query<{ id: string }>('SELECT id FROM tenants ORDER BY id');
  for (const { id: tenantId } of tenants.rows) {
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(
        `WITH doomed AS (
           SELECT v.id FROM webhook_events v
           WHERE v.tenant_id = $3 AND v.created_at < $1
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id AND d.state = 'pending')
           ORDER BY v.created_at LIMIT $2 FOR UPDATE SKIP LOCKED
         ), gone AS (
           DELETE FROM webhook_events v USING doomed WHERE v.id = doomed.id RETURNING 1
         )
         SELECT count(*)::int AS n FROM gone`,
        [olderThan, batchSize, tenantId],
      );
      const deleted = rows[0]?.n ?? 0;
      if (deleted > 0) purged.set(tenantId, (purged.get(tenantId) ?? 0) + deleted);
      if (deleted < batchSize) break;
    }
  }
  return purged;
}
