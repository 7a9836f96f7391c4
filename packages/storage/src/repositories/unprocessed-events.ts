import type pg from 'pg';

/** A stored carrier event (receipt or inbound message) its job still has to process. */
export interface UnprocessedEvent {
  id: string;
  carrierId: string;
  /**
   * The batch job a receipt was enqueued in (receipts.job_id); null when the job id is the
   * row id (inbound messages, receipts stored before batch jobs or restored on their own).
   */
  jobId: string | null;
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
  const jobId = table === 'receipts' ? 'job_id' : 'NULL::uuid AS job_id';
  const result = await pool.query<{ id: string; carrier_id: string; job_id: string | null }>(
    `SELECT id, carrier_id, ${jobId} FROM ${table}
     WHERE processed_at IS NULL AND id > $1::uuid ORDER BY id LIMIT $2`,
    [afterId ?? '00000000-0000-0000-0000-000000000000', limit],
  );
  return result.rows.map((r) => ({ id: r.id, carrierId: r.carrier_id, jobId: r.job_id }));
}
