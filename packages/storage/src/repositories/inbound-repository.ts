import { type InboundEvent, maskAddress, SYSTEM_SCOPE, uuidv7, type Vault } from '@maskline/core';
import type pg from 'pg';
import { openSealedField } from './sealed-fields.js';
import { type UnprocessedEvent, unprocessedAfter } from './unprocessed-events.js';

/** An inbound message as the relay reads it, opened just in time. */
export interface InboundMessage {
  id: string;
  carrierId: string;
  /** The sender's real number (clear: opened from its sealed column). */
  from: string;
  /** Maskline's own number the message was sent to. */
  to: string;
  body: string;
  carrierMessageId: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

/** The sealed columns of an inbound message (system scope: no tenant is known before routing). */
export const INBOUND_SEALED_FIELDS = [
  { column: 'from_sealed', field: 'from_number', legacyClearColumn: 'from_number' },
  { column: 'body_sealed', field: 'body', legacyClearColumn: 'body' },
] as const;

interface InboundRow {
  id: string;
  carrier_id: string;
  from_sealed: Buffer | null;
  body_sealed: Buffer | null;
  from_number: string | null;
  body: string | null;
  to_number: string;
  carrier_message_id: string | null;
  received_at: Date;
  processed_at: Date | null;
  key_version: number | null;
}

/**
 * Inbound (MO) messages: stored here, sealed, so queues carry only their id. The sender
 * and the body are sealed under the system scope; `to` is Maskline's own number, clear,
 * because routing needs it.
 */
export class InboundRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly vault: Vault,
  ) {}

  /**
   * Stores an inbound message; returns its id. A message whose carrier id is already
   * stored (the carrier redelivered it) inserts nothing and returns the stored row's id,
   * so it is acknowledged and relayed once. Without a carrier id there is no key to tell
   * a redelivery from a second identical message, so each is stored.
   */
  async insert(carrierId: string, event: InboundEvent): Promise<string> {
    const id = uuidv7();
    const tv = await this.vault.forTenant(SYSTEM_SCOPE);
    const [from, body] = INBOUND_SEALED_FIELDS.map((f, i) =>
      tv.seal({ recordId: id, field: f.field }, [event.from, event.body][i]!),
    );
    const inserted = await this.pool.query(
      `INSERT INTO inbound_messages (id, carrier_id, from_sealed, body_sealed, key_version, from_masked, to_number,
                                     carrier_message_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT DO NOTHING`,
      [
        id,
        carrierId,
        from,
        body,
        tv.activeVersion,
        maskAddress(event.from),
        event.to,
        event.carrierMessageId ?? null,
        event.receivedAt,
      ],
    );
    if (inserted.rowCount === 1 || !event.carrierMessageId) return id;
    const stored = await this.pool.query<{ id: string }>(
      'SELECT id FROM inbound_messages WHERE carrier_id = $1 AND carrier_message_id = $2',
      [carrierId, event.carrierMessageId],
    );
    return stored.rows[0]?.id ?? id;
  }

  /** The one read of an inbound message's clear sender and body: by the relay. */
  async load(id: string): Promise<InboundMessage | null> {
    const result = await this.pool.query<InboundRow>(
      `SELECT id, carrier_id, from_sealed, body_sealed, from_number, body, to_number, carrier_message_id,
              received_at, processed_at, key_version
       FROM inbound_messages WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return null;
    const tv = await this.vault.forTenant(SYSTEM_SCOPE, [row.key_version]);
    const [from, body] = INBOUND_SEALED_FIELDS.map((f) => openSealedField(tv, id, row, f) ?? '');
    return {
      id: row.id,
      carrierId: row.carrier_id,
      from: from!,
      to: row.to_number,
      body: body!,
      carrierMessageId: row.carrier_message_id,
      receivedAt: row.received_at,
      processedAt: row.processed_at,
    };
  }

  async markProcessed(id: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE inbound_messages SET processed_at = now() WHERE id = $1 AND (processed_at IS NULL) IS TRUE',
      [id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Every unprocessed row, whatever its age, in id order after `afterId` (keyset paging):
   * for re-enqueueing them all at once after Redis lost its data.
   */
  findAllUnprocessed(afterId: string | null, limit: number): Promise<UnprocessedEvent[]> {
    return unprocessedAfter(this.pool, 'inbound_messages', afterId, limit);
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
