import { type CarrierAnswer, predecessorsOf, type TerminalStatus } from '@maskline/core';
import type pg from 'pg';
import {
  STATUS_CALLBACK_COLUMNS,
  type StatusWebhookRow,
  type StatusWebhooks,
  statusWebhookCte,
} from './status-webhooks.js';

/**
 * Moves a message to a final status with its error code, guarded by the state machine.
 * `carrierStatus`, when given, replaces the carrier's last answer kept on the row;
 * otherwise the one an earlier attempt recorded stays (it is still the carrier's last word).
 */
export async function markFinalIn(
  pool: pg.Pool,
  hooks: StatusWebhooks,
  id: string,
  status: TerminalStatus,
  errorCode: string | null,
  carrierStatus?: CarrierAnswer,
): Promise<boolean> {
  const result = await pool.query<{ id: string } & StatusWebhookRow>(
    `WITH moved AS (
       UPDATE messages SET status = $2, error_code = $3, done_at = now(), updated_at = now(),
              carrier_status_code = CASE WHEN $5::boolean THEN $6 ELSE carrier_status_code END,
              carrier_status_name = CASE WHEN $5::boolean THEN $7 ELSE carrier_status_name END
       WHERE id = $1 AND (status = ANY($4::text[])) IS TRUE
       RETURNING id, tenant_id, status, error_code, carrier_status_code, ${STATUS_CALLBACK_COLUMNS}
     ), ${statusWebhookCte('moved', '$8', 'carrier_status_code')}
     SELECT id, NULL::uuid[] AS delivery_ids FROM moved
     UNION ALL SELECT NULL, delivery_ids FROM hooks WHERE cardinality(delivery_ids) > 0`,
    [
      id,
      status,
      errorCode,
      predecessorsOf(status),
      carrierStatus !== undefined,
      carrierStatus?.code ?? null,
      carrierStatus?.name ?? null,
      hooks.leaseMs,
    ],
  );
  return hooks.pass(result.rows).length > 0;
}

/**
 * Keeps the carrier's answer to a failed submit attempt on a message still waiting for its
 * carrier, so the last answer survives however the message ends. Leaves updated_at alone:
 * the reconciler reads it to find stuck messages.
 */
export async function recordCarrierAnswerIn(
  pool: pg.Pool,
  id: string,
  answer: CarrierAnswer,
): Promise<boolean> {
  const result = await pool.query(
    `UPDATE messages SET carrier_status_code = $2, carrier_status_name = $3
     WHERE id = $1 AND (status IN ('accepted', 'queued')) IS TRUE`,
    [id, answer.code, answer.name ?? null],
  );
  return (result.rowCount ?? 0) > 0;
}
