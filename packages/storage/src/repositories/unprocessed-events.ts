import type pg from 'pg';

/** A stored carrier event (receipt or inbound message) its job still has to process. */
export interface UnprocessedEvent {
  id: string;
  carrierId: string;
}

/**
 * Every unprocessed row of a carrier-event table, whatever its age, in id order after
 * `afterId` (keyset paging): for re-enqueueing them all at once after Redis lost its data.
 */
export async function unprocessedAfter(
  pool: pg.Pool,
  table: 'receipts' | 'inbound_messages',
  afterId: string | null,
  limit: number,
): Promise<UnprocessedEvent[]> {
  const result = await pool.query<{ id: string; carrier_id: string }>(
    `SELECT id, carrier_id FROM ${table}
     WHERE processed_at IS NULL AND id > $1::uuid ORDER BY id LIMIT $2`,
    [afterId ?? '00000000-0000-0000-0000-000000000000', limit],
  );
  return result.rows.map((r) => ({ id: r.id, carrierId: r.carrier_id }));
}
