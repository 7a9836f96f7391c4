import type pg from 'pg';

/** How many rows lost their masked forms (and leftovers) in one shred; counts only. */
export interface BlankedForms {
  messages: number;
  participants: number;
  events: number;
  inbound: number;
  verifications: number;
  /** SMS-pumping blocks deleted (their number-range prefixes). */
  verificationBlocks: number;
}

/**
 * Crypto-shredding destroys the keys, but masked display forms (`+49157****0000`: country
 * code, prefix and last four digits) are stored beside the sealed values and would survive
 * it. This blanks every one of a tenant's masked forms, and the clear legacy columns, in
 * the caller's transaction, so they disappear in the same commit as the keys:
 *
 * - messages: to_masked, from_masked (and to_number, from_number, body, never written now),
 *   and request_digest (a keyed digest of to/from/body kept for Idempotency-Key checks: with
 *   the server pepper it would confirm a guessed message), and client_reference (the
 *   client's own reference: refused when it looks like a number, but still the tenant's);
 * - masking_participants: number_masked (the sealed number and blind index are unreadable);
 * - masking_events: every payload field whose name contains "masked";
 * - verifications: to_masked (the sealed destination and sender are unreadable);
 * - verification_blocks: deleted (each names a number-range prefix in clear);
 * - inbound_messages routed to the tenant (sent to one of its virtual numbers, or named by
 *   one of its events): from_masked, and the sender and body sealed under the system scope,
 *   which the tenant's shred would not otherwise reach.
 */
export async function blankShreddedTenantForms(
  db: pg.Pool | pg.PoolClient,
  tenantId: string,
): Promise<BlankedForms> {
  const count = async (sql: string) =>
    Number((await db.query<{ n: string }>(sql, [tenantId])).rows[0]?.n ?? 0);
  // Inbound first: it finds its rows through the events whose payloads are blanked below.
  const inbound = await count(
    `WITH gone AS (
       UPDATE inbound_messages i
       SET from_masked = NULL, from_sealed = NULL, body_sealed = NULL, from_number = NULL, body = NULL
       WHERE (i.to_number IN (SELECT e164 FROM virtual_numbers WHERE tenant_id = $1)
              OR i.id IN (SELECT (payload->>'inboundId')::uuid FROM masking_events
                          WHERE tenant_id = $1
                            AND payload->>'inboundId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
         AND (from_masked IS NOT NULL OR from_sealed IS NOT NULL OR body_sealed IS NOT NULL
              OR from_number IS NOT NULL OR body IS NOT NULL)
       RETURNING 1)
     SELECT count(*) AS n FROM gone`,
  );
  const messages = await count(
    `WITH gone AS (
       UPDATE messages SET to_masked = NULL, from_masked = NULL, to_number = NULL, from_number = NULL, body = NULL,
                           request_digest = NULL, client_reference = NULL
       WHERE tenant_id = $1
         AND (to_masked IS NOT NULL OR from_masked IS NOT NULL OR to_number IS NOT NULL
              OR from_number IS NOT NULL OR body IS NOT NULL OR request_digest IS NOT NULL
              OR client_reference IS NOT NULL)
       RETURNING 1)
     SELECT count(*) AS n FROM gone`,
  );
  const participants = await count(
    `WITH gone AS (
       UPDATE masking_participants SET number_masked = '' WHERE tenant_id = $1 AND number_masked <> ''
       RETURNING 1)
     SELECT count(*) AS n FROM gone`,
  );
  const events = await count(
    `WITH gone AS (
       UPDATE masking_events SET payload = (
         SELECT COALESCE(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(payload) AS f(k, v)
         WHERE k !~* 'masked')
       WHERE tenant_id = $1 AND EXISTS (SELECT 1 FROM jsonb_object_keys(payload) AS k WHERE k ~* 'masked')
       RETURNING 1)
     SELECT count(*) AS n FROM gone`,
  );
  const verifications = await count(
    `WITH gone AS (
       UPDATE verifications SET to_masked = '' WHERE tenant_id = $1 AND to_masked <> ''
       RETURNING 1)
     SELECT count(*) AS n FROM gone`,
  );
  const verificationBlocks = await count(
    `WITH gone AS (DELETE FROM verification_blocks WHERE tenant_id = $1 RETURNING 1)
     SELECT count(*) AS n FROM gone`,
  );
  return { messages, participants, events, inbound, verifications, verificationBlocks };
}
