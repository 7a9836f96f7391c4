import type pg from 'pg';

/**
 * `security.alert` webhook events of the anomaly detectors (apps/ingest/src/anomalies). Like
 * every event, written only when the tenant has an enabled endpoint subscribed to it; a
 * `sourceKey` names the alert's window, so a repeated emit of the same alert writes nothing.
 */
export class SecurityAlertRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Emits the event; returns how many endpoint deliveries it made (0: nobody subscribed, or already emitted). */
  async emit(tenantId: string, data: Record<string, unknown>, sourceKey: string): Promise<number> {
    const result = await this.pool.query('SELECT webhook_emit($1, $2, NULL, $3::jsonb, $4)', [
      tenantId,
      'security.alert',
      JSON.stringify(data),
      sourceKey,
    ]);
    return result.rowCount ?? 0;
  }
}
