import { predecessorsOf, RECEIPT_OUTCOMES, type ReceiptOutcome, receiptEffect } from '@maskline/core';
import type pg from 'pg';
import { prepared } from '../prepared.js';
import { applyReceiptsTo, type ReceiptMatch } from './message-receipts.js';
import {
  STATUS_CALLBACK_COLUMNS,
  type StatusWebhookRow,
  type StatusWebhooks,
  statusWebhookCte,
} from './status-webhooks.js';

/** The fields of a stored receipt its processing reports (carrier ids, no content). */
export interface BatchReceipt {
  id: string;
  carrierId: string;
  carrierMessageId: string;
  outcome: ReceiptOutcome;
}

/**
 * What applying a batch did with one of its receipts:
 *  - `duplicate`: unknown id, already processed, or given twice (nothing done);
 *  - `intermediate`: no effect on its message (enroute, unknown); marked processed;
 *  - `matched`: applied to the message its carrier id names (`match.applied` false when the
 *    status did not move: a late or second receipt); marked processed;
 *  - `unmatched`: names no message (yet); left unprocessed, to be retried.
 */
export type BatchReceiptResult =
  | { kind: 'duplicate'; id: string }
  | { kind: 'intermediate'; receipt: BatchReceipt }
  | { kind: 'unmatched'; receipt: BatchReceipt }
  | { kind: 'matched'; receipt: BatchReceipt; match: ReceiptMatch };

/** The statement's answer: `part` names a part of a multipart message, left for the multipart path. */
type StatementResult = BatchReceiptResult | { kind: 'part'; receipt: BatchReceipt };

/** Each final outcome's status and error code, as the statement's lookup table. */
const EFFECTS = RECEIPT_OUTCOMES.flatMap((outcome) => {
  const effect = receiptEffect(outcome);
  return effect ? [{ outcome, status: effect.status, errorCode: effect.errorCode }] : [];
});

/**
 * Applies a batch of receipts (applyBatchStatement: one statement). Receipts naming a part
 * of a multipart message then take the per-part path (rare: a few statements each, since
 * each part's receipt decides on all parts) and are marked processed when they matched.
 */
export async function applyReceiptBatch(
  pool: pg.Pool,
  hooks: StatusWebhooks,
  receiptIds: readonly string[],
  markProcessed: (rows: { id: string; messageId: string }[]) => Promise<void>,
): Promise<BatchReceiptResult[]> {
  const results = await applyBatchStatement(pool, hooks, receiptIds);
  const parts = results.flatMap((r, i) => (r.kind === 'part' ? [{ receipt: r.receipt, i }] : []));
  if (parts.length === 0) return results as BatchReceiptResult[];
  const matches = await applyReceiptsTo(
    pool,
    hooks,
    parts.map(({ receipt }) => ({ ...receipt, ...receiptEffect(receipt.outcome)! })),
  );
  await markProcessed(
    parts.flatMap(({ receipt }, k) => {
      const match = matches[k];
      return match ? [{ id: receipt.id, messageId: match.messageId }] : [];
    }),
  );
  parts.forEach(({ receipt, i }, k) => {
    const match = matches[k];
    results[i] = match ? { kind: 'matched', receipt, match } : { kind: 'unmatched', receipt };
  });
  return results as BatchReceiptResult[];
}

/**
 * Loads a batch of receipts, applies the final ones to their messages and marks them
 * processed, in ONE statement (data-modifying CTE), with the semantics of applying them one
 * by one in the order given:
 *  - a processed receipt is skipped, and `marked` only touches rows still unprocessed; an
 *    id given twice counts at its first place;
 *  - the status update is guarded by the state machine (monotonic; a concurrent copy of the
 *    same receipt re-checks the guard under the row lock and changes nothing);
 *  - of two final receipts for one message, only the first in the batch is applied (one
 *    UPDATE touches a row once); the later one is matched but not applied, as it would be
 *    after the first had made the status final;
 *  - intermediate receipts are marked processed without a message;
 *  - receipts naming a multipart message's part, or no message, are left unprocessed.
 * The guards are written `(…) IS TRUE` so the receipts and messages are found by primary
 * key, never by scanning the partial indexes of waiting rows (see MessageRepository).
 */
async function applyBatchStatement(
  pool: pg.Pool,
  hooks: StatusWebhooks,
  receiptIds: readonly string[],
): Promise<StatementResult[]> {
  if (receiptIds.length === 0) return [];
  const result = await pool.query<
    {
      // 'r': one per receipt of the batch; 'u': one per message the statement moved; 'h': the
      // status webhooks' row (delivery_ids), taken by hooks.pass before the rows are read.
      kind: 'r' | 'u' | 'h';
      id: string;
      carrier_id: string;
      carrier_message_id: string;
      outcome: ReceiptOutcome;
      final: boolean;
      is_part: boolean;
      message_id: string | null;
      trace_context: string | null;
      status: ReceiptMatch['status'] | null;
      created_at: Date | null;
      submitted_at: Date | null;
    } & StatusWebhookRow
  >(
    prepared(
      `WITH effect AS (
       SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) AS e(outcome, status, error_code)
     ), batch AS (
       SELECT r.id, r.carrier_id, r.carrier_message_id, r.outcome, r.carrier_status, u.n, e.status, e.error_code
       FROM (SELECT id, min(n) AS n FROM unnest($1::uuid[]) WITH ORDINALITY AS i(id, n) GROUP BY id) u
       JOIN receipts r ON r.id = u.id
       LEFT JOIN effect e ON e.outcome = r.outcome
       WHERE (r.processed_at IS NULL) IS TRUE
     ), target AS (
       SELECT b.*, p.is_part, CASE WHEN NOT p.is_part THEN m.id END AS message_id
       FROM batch b
       CROSS JOIN LATERAL (SELECT b.status IS NOT NULL AND EXISTS (
         SELECT 1 FROM message_parts mp
         WHERE mp.carrier_id = b.carrier_id AND mp.carrier_message_id = b.carrier_message_id) AS is_part) p
       LEFT JOIN LATERAL (
         SELECT m.id FROM messages m
         WHERE b.status IS NOT NULL AND m.carrier_id = b.carrier_id AND m.carrier_message_id = b.carrier_message_id
         ORDER BY m.submitted_at DESC NULLS LAST LIMIT 1) m ON true
     ), first_per_message AS (
       SELECT DISTINCT ON (message_id) * FROM target WHERE message_id IS NOT NULL ORDER BY message_id, n
     ), updated AS (
       UPDATE messages m
       SET status = f.status, error_code = f.error_code, done_at = now(), updated_at = now()
       FROM first_per_message f
       WHERE m.id = f.message_id AND (m.status = ANY($5::text[])) IS TRUE
       RETURNING m.id, m.status, f.id AS receipt_id, m.tenant_id, m.error_code, f.carrier_status, ${STATUS_CALLBACK_COLUMNS}
     ), marked AS (
       UPDATE receipts r SET processed_at = now(), message_id = t.message_id
       FROM target t
       WHERE r.id = t.id AND (t.message_id IS NOT NULL OR t.status IS NULL)
         AND (r.processed_at IS NULL) IS TRUE
     ), ${statusWebhookCte('updated', '$6', 'carrier_status')}
     SELECT 'r' AS kind, t.id, t.carrier_id, t.carrier_message_id, t.outcome, (t.status IS NOT NULL) AS final,
            t.is_part, t.message_id, m.trace_context, m.status, m.created_at, m.submitted_at,
            NULL::uuid[] AS delivery_ids
     FROM target t LEFT JOIN messages m ON m.id = t.message_id
     UNION ALL SELECT 'u', receipt_id, NULL, NULL, NULL, NULL, NULL, id, NULL, status, NULL, NULL, NULL
     FROM updated
     UNION ALL SELECT 'h', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, delivery_ids
     FROM hooks WHERE cardinality(delivery_ids) > 0`,
      [
        receiptIds,
        EFFECTS.map((e) => e.outcome),
        EFFECTS.map((e) => e.status),
        EFFECTS.map((e) => e.errorCode),
        predecessorsOf('delivered'),
        hooks.leaseMs,
      ],
    ),
  );
  // The statement returns its parts as separate rows, joined here by id: a join of its CTEs
  // in SQL is planned from estimates that a batch of hundreds can make quadratic.
  const byId = new Map<string, (typeof result.rows)[number]>();
  // Each moved message: its new status and the receipt that moved it.
  const moved = new Map<string, { status: ReceiptMatch['status']; receiptId: string }>();
  for (const row of hooks.pass(result.rows)) {
    if (row.kind === 'u') moved.set(row.message_id!, { status: row.status!, receiptId: row.id });
    else byId.set(row.id, row);
  }
  const seen = new Set<string>();
  return receiptIds.map((id): StatementResult => {
    const row = byId.get(id);
    // An id given twice (copies of one receipt) is processed once: the later one is a duplicate.
    if (!row || seen.has(id)) return { kind: 'duplicate', id };
    seen.add(id);
    const receipt = {
      id: row.id,
      carrierId: row.carrier_id,
      carrierMessageId: row.carrier_message_id,
      outcome: row.outcome,
    };
    if (!row.final) return { kind: 'intermediate', receipt };
    if (row.is_part) return { kind: 'part', receipt };
    if (!row.message_id || !row.status) return { kind: 'unmatched', receipt };
    // A later receipt of a message the batch moved sees the status the first one set.
    const move = moved.get(row.message_id);
    const match = {
      messageId: row.message_id,
      traceContext: row.trace_context,
      applied: move?.receiptId === id,
      status: move?.status ?? row.status,
      ...(row.created_at ? { acceptedAt: row.created_at } : {}),
      submittedAt: row.submitted_at,
    };
    return { kind: 'matched', receipt, match };
  });
}
