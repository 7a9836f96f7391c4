import type { MessageRoute } from '@maskline/core';
import type pg from 'pg';

/**
 * Moving a pending message to another carrier (failover, docs/routing.md#failover). The
 * move is one conditional UPDATE: only a message still `queued` on the carrier it is
 * being moved from moves, so two movers, or a mover and a late submit, cannot both win.
 * Its job id is cleared: the message gets its own job on the new carrier's queue, and
 * until that job is added the reconciler finds it (pending, no job) and restores it there.
 */
export class MessageFailover {
  constructor(private readonly pool: pg.Pool) {}

  /** Carriers the message was already sent to or tried on (its current one included). */
  async triedCarriers(messageId: string): Promise<string[]> {
    const result = await this.pool.query<{ tried: string[] }>(
      `SELECT array_append(COALESCE(carriers_tried, '{}'), carrier_id) AS tried FROM messages WHERE id = $1`,
      [messageId],
    );
    return [...new Set(result.rows[0]?.tried ?? [])];
  }

  /**
   * After an ambiguous failure (the carrier may have accepted the message): it stays on
   * this carrier for good, so it is never sent through a second one.
   */
  async pin(messageId: string): Promise<void> {
    await this.pool.query('UPDATE messages SET carrier_pinned = true WHERE id = $1 AND NOT carrier_pinned', [
      messageId,
    ]);
  }

  /** True when the message moved from `fromCarrier` to `toCarrier` with the new decision. */
  async moveToCarrier(
    messageId: string,
    fromCarrier: string,
    toCarrier: string,
    route: MessageRoute | null,
  ): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE messages
          SET carrier_id = $3, route_id = $4, price_micros = $5, price_currency = $6,
              carriers_tried = array_append(COALESCE(carriers_tried, ARRAY[$2]), $3),
              delivery_job_id = NULL, updated_at = now()
        WHERE id = $1 AND carrier_id = $2 AND (status IN ('accepted', 'queued')) IS TRUE AND NOT carrier_pinned`,
      [
        messageId,
        fromCarrier,
        toCarrier,
        route?.id ?? null,
        route?.price?.micros ?? null,
        route?.price?.currency ?? null,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
