import {
  ItemFailure,
  itemFailure,
  type Message,
  maskAddress,
  settleEach,
  type TenantVault,
  type Vault,
} from '@maskline/core';
import type pg from 'pg';
import { prepared } from '../prepared.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from './message-rows.js';

export interface NewMessage {
  id: string;
  tenantId: string;
  carrierId: string;
  to: string;
  from: string;
  body: string;
  segments: number;
  idempotencyKey: string | null;
  /** Digest of the request, to tell a retry from a conflicting reuse of the key. */
  requestDigest: Buffer | null;
  /**
   * The same request's digest under the key used before the idempotency secret was split
   * from the API-key pepper: a row written then with this digest is the same request too.
   */
  legacyRequestDigest?: Buffer | null;
  /** The client's own reference (POST /v1/messages clientReference), validated by the ingest. */
  clientReference?: string | null;
  traceContext: string | null;
  /** The batch deliver job that will carry it (job id), or none when it gets its own job. */
  deliveryJobId?: string | null;
  /**
   * The request's statusCallback, resolved to the tenant's webhook endpoint it lies under
   * (docs/webhooks.md#statuscallback). The URL may carry a credential: never log it.
   */
  statusCallback?: { endpointId: string; url: string } | null;
  /** otp | transactional | marketing | masking_relay (default transactional). */
  kind?: string;
  /** The routing decision; absent when the default carrier serves without a route. */
  route?: { id: string; price: { micros: number; currency: string } | null } | null;
  /** Sent with an ml_test_ key: routed to the sandbox carrier, listed apart, purged sooner. */
  sandbox?: boolean;
}

export type InsertOutcome =
  | { kind: 'created'; message: Message }
  | { kind: 'existing'; message: Message; sameRequest: boolean; deliveryJobId: string | null };

/** The sealed columns of a message and the binding field names they are sealed under. */
export const MESSAGE_SEALED_FIELDS = [
  { column: 'to_sealed', field: 'to_number', legacyClearColumn: 'to_number' },
  { column: 'from_sealed', field: 'from_number', legacyClearColumn: 'from_number' },
  { column: 'body_sealed', field: 'body', legacyClearColumn: 'body' },
] as const;

/**
 * Group commit of accepted messages: one INSERT (one WAL flush) for the whole batch.
 * Everything that can fail for one message alone happens per message first: loading its
 * tenant's keys and sealing (a shredded tenant throws `tenant_keys_destroyed`). Such a
 * message's outcome is an ItemFailure and the others still commit; only a failure of the
 * shared statement (the database) fails them all. A message whose (tenant,
 * Idempotency-Key) already exists is not inserted: its outcome names the existing message.
 *
 * Rows are written `queued` (the outbox): from its commit on, the message is in the
 * delivery pipeline, its job added right after by the ingest or, if that is lost, by the
 * reconciler. No second statement moves it accepted -> queued.
 */
export async function insertAcceptedMessages(
  pool: pg.Pool,
  vault: Vault,
  ms: readonly NewMessage[],
): Promise<(InsertOutcome | ItemFailure)[]> {
  const vaults = await tenantVaults(vault, ms);
  const { ok, failures } = settleEach(ms, (m) => {
    const tv = vaults.get(m.tenantId)!;
    if (tv instanceof ItemFailure) throw tv.error;
    const [to, from, body] = MESSAGE_SEALED_FIELDS.map((f, i) =>
      tv.seal({ recordId: m.id, field: f.field }, [m.to, m.from, m.body][i]!),
    );
    return { to, from, body, version: tv.activeVersion };
  });
  const created = new Map<string, Message>();
  if (ok.length > 0) {
    const rows = ok.map((o) => o.item);
    const sealed = ok.map((o) => o.value);
    const inserted = await pool.query<MessageRow>(
      prepared(
        `INSERT INTO messages (id, tenant_id, carrier_id, status, to_sealed, from_sealed, body_sealed, key_version,
                             to_masked, from_masked, segments, idempotency_key, request_digest, trace_context,
                             delivery_job_id, status_callback_endpoint, status_callback_url, queued_at,
                             kind, route_id, price_micros, price_currency, carriers_tried, client_reference, sandbox)
       SELECT u.id, u.tenant_id, u.carrier_id, 'queued', u.to_sealed, u.from_sealed, u.body_sealed, u.key_version,
              u.to_masked, u.from_masked, u.segments, u.idempotency_key, u.request_digest, u.trace_context,
              u.delivery_job_id, u.status_callback_endpoint, u.status_callback_url, now(),
              u.kind, u.route_id, u.price_micros, u.price_currency, ARRAY[u.carrier_id], u.client_reference, u.sandbox
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::bytea[], $6::bytea[], $7::int[],
                   $8::text[], $9::text[], $10::int[], $11::text[], $12::bytea[], $13::text[], $14::uuid[],
                   $15::uuid[], $16::text[], $17::text[], $18::uuid[], $19::bigint[], $20::text[], $21::text[],
                   $22::bool[])
            AS u(id, tenant_id, carrier_id, to_sealed, from_sealed, body_sealed, key_version,
                 to_masked, from_masked, segments, idempotency_key, request_digest, trace_context,
                 delivery_job_id, status_callback_endpoint, status_callback_url,
                 kind, route_id, price_micros, price_currency, client_reference, sandbox)
       ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${MESSAGE_COLUMNS}`,
        [
          rows.map((m) => m.id),
          rows.map((m) => m.tenantId),
          rows.map((m) => m.carrierId),
          sealed.map((s) => s.to),
          sealed.map((s) => s.from),
          sealed.map((s) => s.body),
          sealed.map((s) => s.version),
          rows.map((m) => maskAddress(m.to)),
          rows.map((m) => maskAddress(m.from)),
          rows.map((m) => m.segments),
          rows.map((m) => m.idempotencyKey),
          rows.map((m) => m.requestDigest),
          rows.map((m) => m.traceContext),
          rows.map((m) => m.deliveryJobId ?? null),
          rows.map((m) => m.statusCallback?.endpointId ?? null),
          rows.map((m) => m.statusCallback?.url ?? null),
          rows.map((m) => m.kind ?? 'transactional'),
          rows.map((m) => m.route?.id ?? null),
          rows.map((m) => m.route?.price?.micros ?? null),
          rows.map((m) => m.route?.price?.currency ?? null),
          rows.map((m) => m.clientReference ?? null),
          rows.map((m) => m.sandbox === true),
        ],
      ),
    );
    for (const row of inserted.rows) created.set(row.id, toMessage(row));
  }
  return Promise.all(
    ms.map(async (m, index): Promise<InsertOutcome | ItemFailure> => {
      const failure = failures.get(index);
      if (failure) return failure;
      const message = created.get(m.id);
      if (message) return { kind: 'created', message };
      return existingFor(pool, m).catch(itemFailure);
    }),
  );
}

/** Each tenant's keys, loaded once per tenant; a tenant whose keys fail to load fails alone. */
async function tenantVaults(
  vault: Vault,
  ms: readonly NewMessage[],
): Promise<Map<string, TenantVault | ItemFailure>> {
  const tenants = [...new Set(ms.map((m) => m.tenantId))];
  return new Map(
    await Promise.all(tenants.map(async (t) => [t, await vault.forTenant(t).catch(itemFailure)] as const)),
  );
}

async function existingFor(pool: pg.Pool, m: NewMessage): Promise<InsertOutcome> {
  const existing = await pool.query<
    MessageRow & { request_digest: Buffer | null; delivery_job_id: string | null }
  >(
    `SELECT ${MESSAGE_COLUMNS}, request_digest, delivery_job_id FROM messages WHERE tenant_id = $1 AND idempotency_key = $2`,
    [m.tenantId, m.idempotencyKey],
  );
  const row = existing.rows[0];
  if (!row) throw new Error('idempotency conflict row vanished');
  const stored = row.request_digest;
  const sameRequest =
    stored !== null &&
    ((m.requestDigest !== null && stored.equals(m.requestDigest)) ||
      (m.legacyRequestDigest != null && stored.equals(m.legacyRequestDigest)));
  return { kind: 'existing', message: toMessage(row), sameRequest, deliveryJobId: row.delivery_job_id };
}
