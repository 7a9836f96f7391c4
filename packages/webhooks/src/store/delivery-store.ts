import { type KeysetPage, keysetPage } from '@maskline/core';
import { prepared } from '@maskline/storage';
import type pg from 'pg';

/** A pending delivery with what its POST needs (event envelope, endpoint settings). */
export interface LoadedDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  attempts: number;
  retryFrom: Date;
  endpoint: {
    /**
     * Where this delivery goes: the endpoint's URL, or the message's status callback URL
     * (same origin, migration 0019). May carry a credential: spans show its origin only.
     */
    url: string;
    /** The URL is a message's status callback, not the endpoint's own. */
    statusCallback: boolean;
    enabled: boolean;
    timeoutMs: number;
    maxConcurrency: number;
    includeInboundBody: boolean;
  };
  event: { id: string; type: string; createdAt: Date; sequence: string; data: Record<string, unknown> };
  /**
   * The W3C traceparent stored on the message the event is about (its subject is a message
   * of the same tenant), so the POST joins the message's trace; null for other events
   * (masking sessions, endpoints), whose POST starts a trace of its own.
   */
  traceContext: string | null;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'dead';

export interface AttemptResult {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  tenantId: string;
  attempt: number;
  outcome: DeliveryOutcome;
  statusCode: number | null;
  latencyMs: number;
  errorClass: string | null;
  /** For outcome 'retry'. */
  nextAttemptAt: Date | null;
  /** The answer means "this endpoint is gone" (410). */
  gone: boolean;
}

export interface AttemptView {
  id: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  errorClass: string | null;
  createdAt: string;
}

/**
 * webhook_deliveries and webhook_attempts. PostgreSQL is the schedule: a pending delivery
 * is due at next_attempt_at; claiming pushes that out by a lease before the job exists, so
 * a lost job (killed process, lost Redis) makes its deliveries due again after the lease.
 */
export class DeliveryStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Claims up to `limit` due deliveries for `leaseMs` (one statement) and returns their ids. */
  async claimDue(limit: number, leaseMs: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING d.id`,
      [limit, leaseMs],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The still-pending deliveries among `ids`, with their event and endpoint (one query).
   * Found by primary key only: `(state = 'pending') IS TRUE` keeps the partial index of
   * pending deliveries out of the plan, and the message is joined on its id alone (the tenant
   * compared in the select list), so no plan scans a backlog or a tenant's messages.
   */
  async load(ids: readonly string[]): Promise<LoadedDelivery[]> {
    const { rows } = await this.pool.query<{
      id: string;
      tenant_id: string;
      endpoint_id: string;
      attempts: number;
      retry_from: Date;
      url: string;
      status_callback: boolean;
      state: string;
      timeout_ms: number;
      max_concurrency: number;
      include_inbound_body: boolean;
      event_id: string;
      type: string;
      created_at: Date;
      sequence: string;
      data: Record<string, unknown>;
      trace_context: string | null;
    }>(
      prepared(
        `SELECT d.id, d.tenant_id, d.endpoint_id, d.attempts, d.retry_from, COALESCE(d.url, e.url) AS url,
              d.url IS NOT NULL AS status_callback, e.state,
              e.timeout_ms,
              e.max_concurrency, e.include_inbound_body, v.id AS event_id, v.type, v.created_at, v.sequence, v.data,
              CASE WHEN m.tenant_id = v.tenant_id THEN m.trace_context END AS trace_context
       FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id
       JOIN webhook_events v ON v.id = d.event_id
       LEFT JOIN messages m ON m.id = v.subject_id
       WHERE d.id = ANY($1::uuid[]) AND (d.state = 'pending') IS TRUE`,
        [ids],
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      endpointId: r.endpoint_id,
      attempts: r.attempts,
      retryFrom: r.retry_from,
      endpoint: {
        url: r.url,
        statusCallback: r.status_callback,
        enabled: r.state === 'enabled',
        timeoutMs: r.timeout_ms,
        maxConcurrency: r.max_concurrency,
        includeInboundBody: r.include_inbound_body,
      },
      event: { id: r.event_id, type: r.type, createdAt: r.created_at, sequence: r.sequence, data: r.data },
      traceContext: r.trace_context,
    }));
  }

  /** Marks deliveries of a disabled endpoint dead without an attempt (redeliverable later). */
  async abandon(ids: readonly string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      `UPDATE webhook_deliveries SET state = 'dead', last_error = $2, finished_at = now()
       WHERE id = ANY($1::uuid[]) AND (state = 'pending') IS TRUE`,
      [ids, reason],
    );
  }

  /** Writes a batch of attempts: the deliveries' new states and the attempt log, one statement. */
  async recordAttempts(results: readonly AttemptResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.pool.query(
      prepared(
        `WITH r AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::int[],
                              $8::int[], $9::text[], $10::timestamptz[])
           AS r(delivery_id, endpoint_id, event_id, tenant_id, attempt, outcome, status_code, latency_ms,
                error_class, next_attempt_at)
       ), updated AS (
         UPDATE webhook_deliveries d SET
           state = CASE r.outcome WHEN 'retry' THEN 'pending' ELSE r.outcome END,
           attempts = r.attempt,
           next_attempt_at = COALESCE(r.next_attempt_at, d.next_attempt_at),
           last_status = r.status_code,
           last_error = r.error_class,
           finished_at = CASE WHEN r.outcome = 'retry' THEN NULL ELSE now() END
         FROM r WHERE d.id = r.delivery_id
       )
       INSERT INTO webhook_attempts (delivery_id, endpoint_id, event_id, tenant_id, attempt, status_code,
                                     latency_ms, error_class)
       SELECT delivery_id, endpoint_id, event_id, tenant_id, attempt, status_code, latency_ms, error_class FROM r`,
        [
          results.map((r) => r.deliveryId),
          results.map((r) => r.endpointId),
          results.map((r) => r.eventId),
          results.map((r) => r.tenantId),
          results.map((r) => r.attempt),
          results.map((r) => r.outcome),
          results.map((r) => r.statusCode),
          results.map((r) => r.latencyMs),
          results.map((r) => r.errorClass),
          results.map((r) => r.nextAttemptAt),
        ],
      ),
    );
  }

  /**
   * Endpoint health after a batch: a success clears the failure clock, a failure starts it;
   * an endpoint that answered 410, or has failed for longer than `disableAfterMs`, is
   * disabled and a `webhook.endpoint_disabled` event recorded (for the tenant's other
   * endpoints subscribed to it). Writes nothing for an endpoint whose state stays as it is
   * (the common case: it keeps succeeding). Returns the endpoints disabled now.
   */
  async updateEndpointHealth(
    health: { endpointId: string; ok: boolean; gone: boolean }[],
    disableAfterMs: number,
  ): Promise<string[]> {
    if (health.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string }>(
      prepared(
        `WITH h AS (
         SELECT endpoint_id, bool_or(ok) AS ok, bool_or(gone) AS gone
         FROM unnest($1::uuid[], $2::boolean[], $3::boolean[]) AS h(endpoint_id, ok, gone) GROUP BY endpoint_id
       ), changed AS (
         UPDATE webhook_endpoints e SET
           failing_since = CASE WHEN h.ok THEN NULL ELSE COALESCE(e.failing_since, now()) END,
           state = CASE WHEN h.gone OR (NOT h.ok AND e.failing_since < now() - make_interval(secs => $4::double precision / 1000))
                        THEN 'disabled' ELSE e.state END,
           disabled_reason = CASE WHEN h.gone THEN 'gone'
                                  WHEN NOT h.ok AND e.failing_since < now() - make_interval(secs => $4::double precision / 1000)
                                  THEN 'failing' ELSE e.disabled_reason END,
           disabled_at = CASE WHEN h.gone OR (NOT h.ok AND e.failing_since < now() - make_interval(secs => $4::double precision / 1000))
                              THEN now() ELSE e.disabled_at END,
           updated_at = now()
         FROM h WHERE e.id = h.endpoint_id AND e.state = 'enabled'
           -- Only a change is written: a healthy endpoint's row is not rewritten by every batch.
           AND (h.gone OR (h.ok AND e.failing_since IS NOT NULL)
                OR (NOT h.ok AND (e.failing_since IS NULL
                     OR e.failing_since < now() - make_interval(secs => $4::double precision / 1000))))
         RETURNING e.id, e.tenant_id, e.state, e.disabled_reason
       )
       SELECT c.id FROM changed c,
         LATERAL (SELECT count(*) FROM webhook_emit(c.tenant_id, 'webhook.endpoint_disabled', c.id,
           jsonb_build_object('endpointId', c.id, 'reason', c.disabled_reason), NULL)) AS emitted
       WHERE c.state = 'disabled'`,
        [health.map((h) => h.endpointId), health.map((h) => h.ok), health.map((h) => h.gone), disableAfterMs],
      ),
    );
    return rows.map((r) => r.id);
  }

  async attempts(
    tenantId: string,
    endpointId: string,
    limit: number,
    cursor: string | null,
  ): Promise<KeysetPage<AttemptView>> {
    const { rows } = await this.pool.query<{
      id: string;
      delivery_id: string;
      event_id: string;
      type: string;
      attempt: number;
      status_code: number | null;
      latency_ms: number;
      error_class: string | null;
      created_at: Date;
    }>(
      `SELECT a.id::text, a.delivery_id, a.event_id, v.type, a.attempt, a.status_code, a.latency_ms, a.error_class,
              a.created_at
       FROM webhook_attempts a JOIN webhook_events v ON v.id = a.event_id
       WHERE a.tenant_id = $1 AND a.endpoint_id = $2 AND ($3::bigint IS NULL OR a.id < $3)
       ORDER BY a.id DESC LIMIT $4`,
      [tenantId, endpointId, cursor, limit + 1],
    );
    return keysetPage(
      rows,
      limit,
      (r) => ({
        id: r.id,
        deliveryId: r.delivery_id,
        eventId: r.event_id,
        eventType: r.type,
        attempt: r.attempt,
        statusCode: r.status_code,
        latencyMs: r.latency_ms,
        errorClass: r.error_class,
        createdAt: r.created_at.toISOString(),
      }),
      (r) => r.id,
    );
  }

  /** Makes one event's delivery to one endpoint pending and due now, with a fresh retry window. */
  async redeliver(tenantId: string, endpointId: string, eventId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), retry_from = now(),
         finished_at = NULL
       WHERE tenant_id = $1 AND endpoint_id = $2 AND event_id = $3 RETURNING id`,
      [tenantId, endpointId, eventId],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Makes up to `limit` of an endpoint's deliveries created in [from, to) whose state is one
   * of `states` pending and due now, with a fresh retry window (one statement), oldest first
   * and after `after` (keyset: created_at, id). Pending deliveries are never touched. Says
   * how many it scheduled, the last one's key and whether more remain after it.
   */
  async redeliverRange(range: RedeliverRange): Promise<RedeliveredRange> {
    const { rows } = await this.pool.query<{ scheduled: number; last: string | null; more: boolean }>(
      `WITH chosen AS (
         SELECT id, created_at FROM webhook_deliveries
         WHERE tenant_id = $1 AND endpoint_id = $2 AND state = ANY($3::text[])
           AND created_at >= $4 AND created_at < $5
           AND ($6::timestamptz IS NULL OR (created_at, id) > ($6::timestamptz, $7::uuid))
         ORDER BY created_at, id LIMIT $8 + 1
       ), picked AS (
         SELECT id, created_at FROM chosen ORDER BY created_at, id LIMIT $8
       ), updated AS (
         UPDATE webhook_deliveries d SET state = 'pending', next_attempt_at = now(), retry_from = now(),
           finished_at = NULL
         FROM picked WHERE d.id = picked.id AND d.state = ANY($3::text[])
         RETURNING d.id
       )
       SELECT (SELECT count(*) FROM updated)::int AS scheduled,
              (SELECT count(*) FROM chosen) > $8 AS more,
              (SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ' ' || id
               FROM picked ORDER BY created_at DESC, id DESC LIMIT 1) AS last`,
      [
        range.tenantId,
        range.endpointId,
        range.states,
        range.from,
        range.to,
        range.after?.createdAt ?? null,
        range.after?.id ?? null,
        range.limit,
      ],
    );
    const row = rows[0]!;
    const [createdAt, id] = row.last?.split(' ') ?? [];
    return {
      scheduled: row.scheduled,
      more: row.more,
      last: createdAt && id ? { createdAt, id } : null,
    };
  }
}

/** A delivery's place in keyset order: its created_at (ISO, microseconds, UTC) and id. */
export interface DeliveryKey {
  createdAt: string;
  id: string;
}

export interface RedeliverRange {
  tenantId: string;
  endpointId: string;
  from: Date;
  to: Date;
  states: readonly ('dead' | 'delivered')[];
  limit: number;
  after: DeliveryKey | null;
}

export interface RedeliveredRange {
  scheduled: number;
  /** The last delivery scheduled (null when none). */
  last: DeliveryKey | null;
  /** More deliveries of the range follow `last`. */
  more: boolean;
}
