import { type InboundEvent, uuidv7 } from '@maskline/core';
import type pg from 'pg';

/** Inbound (MO) messages: stored here so queues carry only their id. */
export class InboundRepository {
  constructor(private readonly pool: pg.Pool) {}

  async insert(carrierId: string, event: InboundEvent): Promise<string> {
    const id = uuidv7();
    await this.pool.query(
      `INSERT INTO inbound_messages (id, carrier_id, from_number, to_number, body, carrier_message_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, carrierId, event.from, event.to, event.body, event.carrierMessageId ?? null, event.receivedAt],
    );
    return id;
  }

  async markProcessed(id: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE inbound_messages SET processed_at = now() WHERE id = $1 AND processed_at IS NULL',
      [id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async findUnprocessed(olderThanMs: number, limit: number): Promise<{ id: string; carrierId: string }[]> {
    const result = await this.pool.query<{ id: string; carrier_id: string }>(
      `SELECT id, carrier_id FROM inbound_messages
       WHERE processed_at IS NULL AND created_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY created_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return result.rows.map((r) => ({ id: r.id, carrierId: r.carrier_id }));
  }
}
