import {
  type ErrorCode,
  type MessageStatus,
  multipartEffect,
  predecessorsOf,
  type TerminalStatus,
} from '@maskline/core';
import type pg from 'pg';
import {
  STATUS_CALLBACK_COLUMNS,
  type StatusWebhookRow,
  type StatusWebhooks,
  statusWebhookCte,
} from './status-webhooks.js';

/**
 * Applying carrier receipts to messages. A receipt names a message by its carrier id,
 * or one part of a multipart message (message_parts); every status change is one
 * UPDATE guarded by the state machine, so duplicates and late receipts change nothing.
 */
export interface ReceiptApplication {
  carrierId: string;
  carrierMessageId: string;
  status: TerminalStatus;
  errorCode: string | null;
}

export interface ReceiptMatch {
  messageId: string;
  traceContext: string | null;
  /** False when the status did not move (duplicate or late receipt). */
  applied: boolean;
  status: MessageStatus;
  /** When the message was accepted and submitted (for latency metrics), where the statement read them. */
  acceptedAt?: Date;
  submittedAt?: Date | null;
}

/**
 * Apply final receipts to the messages their carrier ids name, in order; null where no
 * submitted message carries that id (yet). Receipts naming the same message go in
 * separate rounds, so the first one wins as it would one by one.
 */
export async function applyReceiptsTo(
  pool: pg.Pool,
  hooks: StatusWebhooks,
  items: readonly ReceiptApplication[],
): Promise<(ReceiptMatch | null)[]> {
  const results: (ReceiptMatch | null)[] = new Array(items.length).fill(null);
  const partOf = await findParts(pool, items);
  // Receipts for parts of multipart messages, one by one (rare, and each decides on
  // all parts); every other receipt in batched rounds.
  for (const [index, item] of items.entries()) {
    const messageId = partOf.get(partKey(item));
    if (messageId) results[index] = await applyPartReceipt(pool, hooks, messageId, item);
  }
  let remaining = items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => !partOf.has(partKey(item)));
  while (remaining.length > 0) {
    const seen = new Set<string>();
    const round: typeof remaining = [];
    const later: typeof remaining = [];
    for (const entry of remaining) {
      const key = partKey(entry.item);
      (seen.has(key) ? later : round).push(entry);
      seen.add(key);
    }
    const matches = await applyReceiptRound(
      pool,
      hooks,
      round.map((e) => e.item),
    );
    round.forEach((entry, i) => {
      results[entry.index] = matches[i] ?? null;
    });
    remaining = later;
  }
  return results;
}

async function findParts(pool: pg.Pool, items: readonly ReceiptApplication[]): Promise<Map<string, string>> {
  if (items.length === 0) return new Map();
  const result = await pool.query<{
    carrier_id: string;
    carrier_message_id: string;
    message_id: string;
  }>(
    `SELECT p.carrier_id, p.carrier_message_id, p.message_id FROM message_parts p
     JOIN unnest($1::text[], $2::text[]) AS i(carrier_id, carrier_message_id)
       ON p.carrier_id = i.carrier_id AND p.carrier_message_id = i.carrier_message_id`,
    [items.map((i) => i.carrierId), items.map((i) => i.carrierMessageId)],
  );
  return new Map(
    result.rows.map((r) => [
      partKey({ carrierId: r.carrier_id, carrierMessageId: r.carrier_message_id }),
      r.message_id,
    ]),
  );
}

/**
 * Records a part's receipt (the first one per part counts), then decides the message
 * from all of its parts. Each step commits before the next reads, so of two parts'
 * receipts processed at once the later one always sees both.
 */
async function applyPartReceipt(
  pool: pg.Pool,
  hooks: StatusWebhooks,
  messageId: string,
  item: ReceiptApplication,
): Promise<ReceiptMatch> {
  await pool.query(
    `UPDATE message_parts SET status = $3, error_code = $4, done_at = now()
     WHERE carrier_id = $1 AND carrier_message_id = $2 AND status IS NULL`,
    [item.carrierId, item.carrierMessageId, item.status, item.errorCode],
  );
  const parts = await pool.query<{
    part_index: number;
    status: TerminalStatus | null;
    error_code: string | null;
  }>('SELECT part_index, status, error_code FROM message_parts WHERE message_id = $1', [messageId]);
  const effect = multipartEffect(
    parts.rows.map((p) => ({
      index: p.part_index,
      effect: p.status ? { status: p.status, errorCode: p.error_code as ErrorCode | null } : null,
    })),
  );
  const result = await pool.query<
    {
      status: MessageStatus;
      trace_context: string | null;
      applied: boolean;
    } & StatusWebhookRow
  >(
    `WITH updated AS (
       UPDATE messages SET status = $2, error_code = $3, done_at = now(), updated_at = now()
       WHERE id = $1 AND $2::text IS NOT NULL AND (status = ANY($4::text[])) IS TRUE
       RETURNING id, status, tenant_id, error_code, ${STATUS_CALLBACK_COLUMNS}
     ), ${statusWebhookCte('updated', '$5')}
     SELECT COALESCE(u.status, m.status) AS status, m.trace_context, (u.id IS NOT NULL) AS applied,
            NULL::uuid[] AS delivery_ids
     FROM messages m LEFT JOIN updated u ON u.id = m.id WHERE m.id = $1
     UNION ALL SELECT NULL, NULL, NULL, delivery_ids FROM hooks WHERE cardinality(delivery_ids) > 0`,
    [
      messageId,
      effect?.status ?? null,
      effect?.errorCode ?? null,
      predecessorsOf('delivered'),
      hooks.leaseMs,
    ],
  );
  const row = hooks.pass(result.rows)[0]!;
  return { messageId, traceContext: row.trace_context, applied: row.applied, status: row.status };
}

async function applyReceiptRound(
  pool: pg.Pool,
  hooks: StatusWebhooks,
  items: readonly ReceiptApplication[],
): Promise<(ReceiptMatch | null)[]> {
  // Every terminal status has the same predecessors (accepted, queued, submitted).
  const predecessors = predecessorsOf('delivered');
  const result = await pool.query<
    {
      n: string;
      id: string;
      trace_context: string | null;
      status: MessageStatus;
      applied: boolean;
    } & StatusWebhookRow
  >(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         WITH ORDINALITY AS u(carrier_id, carrier_message_id, status, error_code, n)
     ), target AS (
       SELECT DISTINCT ON (i.n) i.n, m.id FROM input i
       JOIN messages m ON m.carrier_id = i.carrier_id AND m.carrier_message_id = i.carrier_message_id
       ORDER BY i.n, m.submitted_at DESC NULLS LAST
     ), updated AS (
       UPDATE messages m SET status = i.status, error_code = i.error_code, done_at = now(), updated_at = now()
       FROM target t JOIN input i ON i.n = t.n
       WHERE m.id = t.id AND (m.status = ANY($5::text[])) IS TRUE
       RETURNING m.id, m.status, m.tenant_id, m.error_code, ${STATUS_CALLBACK_COLUMNS}
     ), ${statusWebhookCte('updated', '$6')}
     SELECT t.n, m.id, m.trace_context, COALESCE(u.status, m.status) AS status, (u.id IS NOT NULL) AS applied,
            NULL::uuid[] AS delivery_ids
     FROM target t JOIN messages m ON m.id = t.id LEFT JOIN updated u ON u.id = m.id
     UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, delivery_ids FROM hooks WHERE cardinality(delivery_ids) > 0`,
    [
      items.map((i) => i.carrierId),
      items.map((i) => i.carrierMessageId),
      items.map((i) => i.status),
      items.map((i) => i.errorCode),
      predecessors,
      hooks.leaseMs,
    ],
  );
  const byOrdinal = new Map(hooks.pass(result.rows).map((row) => [Number(row.n), row]));
  return items.map((_, i) => {
    const row = byOrdinal.get(i + 1);
    return row
      ? { messageId: row.id, traceContext: row.trace_context, applied: row.applied, status: row.status }
      : null;
  });
}

/**
 * Messages whose final receipt never came: every message `submitted` before the deadline
 * moves to `expired` with error code `receipt_timeout` (a receipt arriving later finds a
 * final status and changes nothing). One guarded UPDATE on the messages_awaiting_receipt
 * index, at most `limit` rows; returns how many moved.
 */
export async function expireAwaitingReceipts(
  pool: pg.Pool,
  hooks: StatusWebhooks,
  olderThanMs: number,
  limit: number,
): Promise<number> {
  const result = await pool.query<{ id: string } & StatusWebhookRow>(
    `WITH expired AS (
       UPDATE messages SET status = $3, error_code = $4, done_at = now(), updated_at = now()
       WHERE id IN (
         SELECT id FROM messages
         WHERE status = 'submitted' AND submitted_at < now() - make_interval(secs => $1::float8 / 1000)
         ORDER BY submitted_at LIMIT $2
         FOR UPDATE SKIP LOCKED)
       AND status = 'submitted'
       RETURNING id, tenant_id, status, error_code, ${STATUS_CALLBACK_COLUMNS}
     ), ${statusWebhookCte('expired', '$5')}
     SELECT id, NULL::uuid[] AS delivery_ids FROM expired
     UNION ALL SELECT NULL, delivery_ids FROM hooks WHERE cardinality(delivery_ids) > 0`,
    [olderThanMs, limit, RECEIPT_TIMEOUT.status, RECEIPT_TIMEOUT.errorCode, hooks.leaseMs],
  );
  return hooks.pass(result.rows).length;
}

const RECEIPT_TIMEOUT: { status: TerminalStatus; errorCode: ErrorCode } = {
  status: 'expired',
  errorCode: 'receipt_timeout',
};

function partKey(item: { carrierId: string; carrierMessageId: string }): string {
  return `${item.carrierId}\u0000${item.carrierMessageId}`;
}
