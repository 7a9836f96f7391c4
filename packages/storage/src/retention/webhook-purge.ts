import type pg from 'pg';

/**
 * Deletes webhook events recorded before `olderThan`, of every tenant, with their deliveries
 * and attempt log (both cascade), in batches of `batchSize` events, oldest first: each batch
 * is one short statement (no long-held locks, no giant transaction), and rows another
 * process holds are skipped until the next run. An event with a delivery still pending
 * (being sent, retried or just redelivered) is kept. Returns the count per tenant.
 */
export async function purgeWebhookEvents(
  pool: pg.Pool,
  olderThan: Date,
  batchSize: number,
): Promise<Map<string, number>> {
  const purged = new Map<string, number>();
  for (;;) {
    const { rows } = await pool.query<{ tenant_id: string; n: number }>(
      `WITH doomed AS (
         SELECT v.id FROM webhook_events v
         WHERE v.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id AND d.state = 'pending')
         ORDER BY v.created_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), gone AS (
         DELETE FROM webhook_events v USING doomed WHERE v.id = doomed.id RETURNING v.tenant_id
       )
       SELECT tenant_id, count(*)::int AS n FROM gone GROUP BY tenant_id`,
      [olderThan, batchSize],
    );
    let deleted = 0;
    for (const row of rows) {
      purged.set(row.tenant_id, (purged.get(row.tenant_id) ?? 0) + row.n);
      deleted += row.n;
    }
    if (deleted < batchSize) return purged;
  }
}
