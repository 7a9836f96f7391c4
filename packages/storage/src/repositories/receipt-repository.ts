import {
  ItemFailure,
  MasklineError,
  type ReceiptEvent,
  type ReceiptOutcome,
  receiptEffect,
  settleEach,
  uuidv7,
} from '@maskline/core';
import type pg from 'pg';
import { prepared } from '../prepared.js';
import { applyReceiptsTo, expireAwaitingReceipts } from './message-receipts.js';
import { applyReceiptBatch, type BatchReceiptResult } from './receipt-batch.js';
import { StatusWebhooks } from './status-webhooks.js';
import { type UnprocessedEvent, unprocessedAfter } from './unprocessed-events.js';

export interface StoredReceipt {
  id: string;
  carrierId: string;
  carrierMessageId: string;
  outcome: ReceiptOutcome;
  carrierStatus: string;
  networkErrorCode: string | null;
  processed: boolean;
}

/** A receipt parked as unmatched: processed without a message (see parkUnmatched). */
export interface UnmatchedReceipt {
  id: string;
  carrierId: string;
  carrierMessageId: string;
  carrierStatus: string;
  receivedAt: Date;
  unmatchedAt: Date;
}

/** What replaying a parked receipt did. */
export type ReplayOutcome =
  | { outcome: 'applied' | 'unchanged'; messageId: string; status: string }
  | { outcome: 'not_found' | 'not_parked' | 'intermediate' | 'still_unmatched' };

/**
 * Receipts as received. The delivery worker inserts one before acknowledging the carrier;
 * the receipt processor applies it and marks it processed; a sweep re-enqueues any left
 * unprocessed (e.g. after Redis lost its queue) and parks those that match no message.
 * A receipt is stored once (unique on carrier, carrier message id, status word and done
 * date): a carrier's redelivered copy inserts nothing and resolves to the stored row.
 */
export class ReceiptRepository {
  constructor(
    private readonly pool: pg.Pool,
    /** Where its status statements hand new message.status deliveries (one per process). */
    private readonly statusWebhooks: StatusWebhooks = new StatusWebhooks(),
  ) {}

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
   * ItemFailure and the others are stored in one statement. A receipt already stored (a
   * carrier's redelivery, or a copy in the same batch) inserts nothing and gets the id of
   * the stored row, so its caller may acknowledge and enqueue it as usual.
   */
  async insertEach(
    carrierId: string,
    receipts: readonly ReceiptEvent[],
    /** The id of the carrier-events job that will carry these receipts, stored on each new row. */
    jobId: string | null = null,
  ): Promise<(string | ItemFailure)[]> {
    const { ok, failures } = settleEach(receipts, (r): ReceiptEvent => {
      const doneAt = checkedReceipt(r);
      return doneAt === null ? r : { ...r, doneAt };
    });
    const ids =
      ok.length > 0
        ? await this.insertValid(
            carrierId,
            ok.map((o) => o.value),
            jobId,
          )
        : [];
    const byIndex = new Map(ok.map((o, k) => [o.index, ids[k]!]));
    return receipts.map((_, i) => failures.get(i) ?? byIndex.get(i)!);
  }

  private async insertValid(
    carrierId: string,
    receipts: readonly ReceiptEvent[],
    jobId: string | null,
  ): Promise<string[]> {
    const ids = receipts.map(() => uuidv7());
    const columns = [
      receipts.map((r) => r.carrierMessageId),
      receipts.map((r) => r.outcome),
      receipts.map((r) => r.carrierStatus),
      receipts.map((r) => r.networkErrorCode ?? null),
      receipts.map((r) => r.doneAt ?? null),
    ];
    const inserted = await this.pool.query<{ id: string }>(
      prepared(
        `INSERT INTO receipts (id, carrier_id, carrier_message_id, outcome, carrier_status, network_error_code, done_at, job_id)
       SELECT u.id, $1, u.carrier_message_id, u.outcome, u.carrier_status, u.network_error_code, u.done_at, $8::uuid
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
            AS u(id, carrier_message_id, outcome, carrier_status, network_error_code, done_at)
       ON CONFLICT DO NOTHING RETURNING id`,
        [carrierId, ids, ...columns, jobId],
      ),
    );
    if (inserted.rows.length === ids.length) return ids;
    return this.storedIdsOf(carrierId, receipts, ids, new Set(inserted.rows.map((r) => r.id)));
  }

  /** For the receipts not inserted (copies), the id of the row that holds each. */
  private async storedIdsOf(
    carrierId: string,
    receipts: readonly ReceiptEvent[],
    ids: readonly string[],
    inserted: ReadonlySet<string>,
  ): Promise<string[]> {
    const copies = receipts.flatMap((r, i) => (inserted.has(ids[i]!) ? [] : [{ r, i }]));
    // One receipts_once probe per copy (a join was planned as a scan of the whole table).
    const result = await this.pool.query<{ n: string; id: string | null }>(
      `SELECT u.n, (SELECT r.id FROM receipts r
                    WHERE r.carrier_id = $1 AND r.carrier_message_id = u.carrier_message_id
                      AND r.carrier_status = u.carrier_status
                      AND COALESCE(r.done_at, '-infinity'::timestamptz) = COALESCE(u.done_at, '-infinity'::timestamptz)
                   ) AS id
       FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::int[])
         AS u(carrier_message_id, carrier_status, done_at, n)`,
      [
        carrierId,
        copies.map(({ r }) => r.carrierMessageId),
        copies.map(({ r }) => r.carrierStatus),
        copies.map(({ r }) => r.doneAt ?? null),
        copies.map(({ i }) => i),
      ],
    );
    const stored = new Map(result.rows.flatMap((row) => (row.id ? [[Number(row.n), row.id] as const] : [])));
    // A copy whose stored row vanished since (retention) keeps its own id: its job finds
    // no row and completes as a duplicate.
    return ids.map((id, i) => stored.get(i) ?? id);
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
       WHERE r.id = u.id AND (r.processed_at IS NULL) IS TRUE`,
      [rows.map((r) => r.id), rows.map((r) => r.messageId)],
    );
  }

  /** Applies a batch of receipts: one statement, plus a few per multipart part (applyReceiptBatch). */
  applyBatch(ids: readonly string[]): Promise<BatchReceiptResult[]> {
    return applyReceiptBatch(this.pool, this.statusWebhooks, ids, (rows) => this.markManyProcessed(rows));
  }

  /** Parks receipts the processor gave up on (no message carries their carrier id). */
  async markManyUnmatched(ids: readonly string[]): Promise<void> {
    await this.pool.query(
      `UPDATE receipts SET processed_at = now(), unmatched_at = now()
       WHERE id = ANY($1::uuid[]) AND (processed_at IS NULL) IS TRUE`,
      [ids],
    );
  }

  /**
   * Parks unprocessed receipts older than the window whose carrier id names no message
   * (nor a part of one): processed, unmatched_at set, so no sweep re-enqueues them again.
   * One statement: the oldest `limit` unprocessed rows (receipts_unprocessed index), each
   * probed by carrier id (messages_carrier_message_id, message_parts' key), so it never
   * scans messages. Returns how many were parked.
   */
  async parkUnmatched(olderThanMs: number, limit: number): Promise<number> {
    const result = await this.pool.query(
      `WITH candidates AS (
         SELECT id, carrier_id, carrier_message_id FROM receipts
         WHERE processed_at IS NULL AND received_at < now() - make_interval(secs => $1::float8 / 1000)
         ORDER BY received_at LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE receipts r SET processed_at = now(), unmatched_at = now()
       FROM candidates c
       WHERE r.id = c.id
         AND NOT EXISTS (SELECT 1 FROM messages m
                         WHERE m.carrier_id = c.carrier_id AND m.carrier_message_id = c.carrier_message_id)
         AND NOT EXISTS (SELECT 1 FROM message_parts p
                         WHERE p.carrier_id = c.carrier_id AND p.carrier_message_id = c.carrier_message_id)`,
      [olderThanMs, limit],
    );
    return result.rowCount ?? 0;
  }

  /** How many receipts are parked as unmatched, and the newest parked ones (for operators). */
  async unmatched(limit: number): Promise<{ total: number; latest: UnmatchedReceipt[] }> {
    const [count, rows] = await Promise.all([
      this.pool.query<{ total: string }>(
        'SELECT count(*) AS total FROM receipts WHERE unmatched_at IS NOT NULL',
      ),
      this.pool.query<{
        id: string;
        carrier_id: string;
        carrier_message_id: string;
        carrier_status: string;
        received_at: Date;
        unmatched_at: Date;
      }>(
        `SELECT id, carrier_id, carrier_message_id, carrier_status, received_at, unmatched_at FROM receipts
         WHERE unmatched_at IS NOT NULL ORDER BY unmatched_at DESC LIMIT $1`,
        [limit],
      ),
    ]);
    return {
      total: Number(count.rows[0]?.total ?? 0),
      latest: rows.rows.map((r) => ({
        id: r.id,
        carrierId: r.carrier_id,
        carrierMessageId: r.carrier_message_id,
        carrierStatus: r.carrier_status,
        receivedAt: r.received_at,
        unmatchedAt: r.unmatched_at,
      })),
    };
  }

  /**
   * An operator's replay of a parked receipt (the sweep never applies one by itself): if a
   * message now carries its carrier id, the receipt is applied through the same guarded
   * update as any receipt (a final status does not move) and the row is un-parked.
   */
  async replayUnmatched(id: string): Promise<ReplayOutcome> {
    const found = await this.pool.query<{
      carrier_id: string;
      carrier_message_id: string;
      outcome: ReceiptOutcome;
      unmatched_at: Date | null;
    }>('SELECT carrier_id, carrier_message_id, outcome, unmatched_at FROM receipts WHERE id = $1', [id]);
    const row = found.rows[0];
    if (!row) return { outcome: 'not_found' };
    if (!row.unmatched_at) return { outcome: 'not_parked' };
    const effect = receiptEffect(row.outcome);
    if (!effect) return { outcome: 'intermediate' };
    const [match] = await applyReceiptsTo(this.pool, this.statusWebhooks, [
      { carrierId: row.carrier_id, carrierMessageId: row.carrier_message_id, ...effect },
    ]);
    if (!match) return { outcome: 'still_unmatched' };
    await this.pool.query(
      'UPDATE receipts SET unmatched_at = NULL, message_id = $2, processed_at = now() WHERE id = $1',
      [id, match.messageId],
    );
    return {
      outcome: match.applied ? 'applied' : 'unchanged',
      messageId: match.messageId,
      status: match.status,
    };
  }

  /**
   * Ends messages whose final receipt never came: `submitted` for longer than the
   * deadline becomes `expired` with `receipt_timeout`. See expireAwaitingReceipts.
   */
  expireOverdueMessages(olderThanMs: number, limit: number): Promise<number> {
    return expireAwaitingReceipts(this.pool, this.statusWebhooks, olderThanMs, limit);
  }

  /**
   * Every unprocessed row, whatever its age, in id order after `afterId` (keyset paging):
   * for re-enqueueing them all at once after Redis lost its data.
   */
  findAllUnprocessed(afterId: string | null, limit: number): Promise<UnprocessedEvent[]> {
    return unprocessedAfter(this.pool, 'receipts', afterId, limit);
  }

  /** Unprocessed receipts older than the window, oldest first, with the job each was enqueued in. */
  async findUnprocessed(olderThanMs: number, limit: number): Promise<UnprocessedEvent[]> {
    const result = await this.pool.query<{ id: string; carrier_id: string; job_id: string | null }>(
      `SELECT id, carrier_id, job_id FROM receipts
       WHERE processed_at IS NULL AND received_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY received_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return result.rows.map((r) => ({ id: r.id, carrierId: r.carrier_id, jobId: r.job_id }));
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
