import {
  ItemFailure,
  MasklineError,
  type ReceiptEvent,
  type ReceiptOutcome,
  settleEach,
  uuidv7,
} from '@maskline/core';
import type pg from 'pg';

export interface StoredReceipt {
  id: string;
  carrierId: string;
  carrierMessageId: string;
  outcome: ReceiptOutcome;
  carrierStatus: string;
  networkErrorCode: string | null;
  processed: boolean;
}

/**
 * Receipts as received. The delivery worker inserts one before acknowledging the carrier;
 * the receipt processor applies it and marks it processed; a sweep re-enqueues any left
 * unprocessed (e.g. after Redis lost its queue).
 */
export class ReceiptRepository {
  constructor(private readonly pool: pg.Pool) {}

  async insert(carrierId: string, receipt: ReceiptEvent): Promise<string> {
    return (await this.insertMany(carrierId, [receipt]))[0]!;
  }

  /** Many receipts of one carrier in one statement; ids in the order given. One bad receipt fails the call. */
  async insertMany(carrierId: string, receipts: readonly ReceiptEvent[]): Promise<string[]> {
    const each = await this.insertEach(carrierId, receipts);
    const failed = each.find((r) => r instanceof ItemFailure);
    if (failed) throw failed.error;
    return each as string[];
  }

  /**
   * insertMany with failures kept per receipt: each is checked first (a done date
   * PostgreSQL cannot store, a NUL character in a text field), a bad one is an
   * ItemFailure and the others are stored in one statement.
   */
  async insertEach(carrierId: string, receipts: readonly ReceiptEvent[]): Promise<(string | ItemFailure)[]> {
    const { ok, failures } = settleEach(receipts, (r) => ({ id: uuidv7(), doneAt: checkedReceipt(r) }));
    if (ok.length > 0) {
      const rows = ok.map((o) => o.item);
      await this.pool.query(
        `INSERT INTO receipts (id, carrier_id, carrier_message_id, outcome, carrier_status, network_error_code, done_at)
         SELECT u.id, $1, u.carrier_message_id, u.outcome, u.carrier_status, u.network_error_code, u.done_at
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
              AS u(id, carrier_message_id, outcome, carrier_status, network_error_code, done_at)`,
        [
          carrierId,
          ok.map((o) => o.value.id),
          rows.map((r) => r.carrierMessageId),
          rows.map((r) => r.outcome),
          rows.map((r) => r.carrierStatus),
          rows.map((r) => r.networkErrorCode ?? null),
          ok.map((o) => o.value.doneAt),
        ],
      );
    }
    const ids = new Map(ok.map((o) => [o.index, o.value.id]));
    return receipts.map((_, i) => failures.get(i) ?? ids.get(i)!);
  }

  async load(id: string): Promise<StoredReceipt | null> {
    return (await this.loadMany([id]))[0] ?? null;
  }

  /** Receipts by id in one query, in the order of `ids` (null for an unknown id). */
  async loadMany(ids: readonly string[]): Promise<(StoredReceipt | null)[]> {
    const result = await this.pool.query<{
      id: string;
      carrier_id: string;
      carrier_message_id: string;
      outcome: ReceiptOutcome;
      carrier_status: string;
      network_error_code: string | null;
      processed_at: Date | null;
    }>(
      `SELECT id, carrier_id, carrier_message_id, outcome, carrier_status, network_error_code, processed_at
       FROM receipts WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(
      result.rows.map((row) => [
        row.id,
        {
          id: row.id,
          carrierId: row.carrier_id,
          carrierMessageId: row.carrier_message_id,
          outcome: row.outcome,
          carrierStatus: row.carrier_status,
          networkErrorCode: row.network_error_code,
          processed: row.processed_at !== null,
        },
      ]),
    );
    return ids.map((id) => byId.get(id) ?? null);
  }

  async markProcessed(id: string, messageId: string | null): Promise<void> {
    await this.markManyProcessed([{ id, messageId }]);
  }

  /** Marks receipts applied (with the message each matched, if any) in one statement. */
  async markManyProcessed(rows: readonly { id: string; messageId: string | null }[]): Promise<void> {
    await this.pool.query(
      `UPDATE receipts r SET processed_at = now(), message_id = u.message_id
       FROM unnest($1::uuid[], $2::uuid[]) AS u(id, message_id)
       WHERE r.id = u.id AND r.processed_at IS NULL`,
      [rows.map((r) => r.id), rows.map((r) => r.messageId)],
    );
  }

  async findUnprocessed(olderThanMs: number, limit: number): Promise<{ id: string; carrierId: string }[]> {
    const result = await this.pool.query<{ id: string; carrier_id: string }>(
      `SELECT id, carrier_id FROM receipts
       WHERE processed_at IS NULL AND received_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY received_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return result.rows.map((r) => ({ id: r.id, carrierId: r.carrier_id }));
  }
}

/** A receipt PostgreSQL can store: its done date normalized to ISO 8601 (or null); throws otherwise. */
function checkedReceipt(r: ReceiptEvent): string | null {
  for (const [field, value] of [
    ['carrierMessageId', r.carrierMessageId],
    ['outcome', r.outcome],
    ['carrierStatus', r.carrierStatus],
    ['networkErrorCode', r.networkErrorCode ?? ''],
  ] as const) {
    if (typeof value !== 'string' || value.includes('\u0000')) throw invalidReceipt(field);
  }
  if (r.doneAt === undefined) return null;
  const time = Date.parse(r.doneAt);
  const year = new Date(time).getUTCFullYear();
  if (!Number.isFinite(time) || year < 1 || year > 9999) throw invalidReceipt('doneAt');
  return new Date(time).toISOString();
}

function invalidReceipt(field: string): MasklineError {
  return new MasklineError('invalid_request', {
    message: `The receipt cannot be stored: its ${field} is not valid.`,
    details: { field },
  });
}
