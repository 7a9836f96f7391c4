import { MasklineError } from '@maskline/core';
import type pg from 'pg';
import type {
  Capability,
  InboxDelivery,
  MaskingMode,
  NonParticipantPolicy,
  NumberConstraints,
  NumberState,
  Page,
  SessionState,
  SessionView,
} from '../types.js';
import { MaskingEventStore } from './masking-events.js';
import {
  ALLOCATABLE,
  type ClosedSession,
  inTransaction,
  isUniqueViolation,
  type NewSession,
  namedStatement,
  type ReserveOutcome,
  type RouteRecord,
  SESSION_SELECT,
  type SealedParticipant,
  type SessionRow,
  toSessionView,
} from './masking-rows.js';
import { VirtualNumberStore } from './virtual-number-store.js';

export type {
  ClosedSession,
  ImportResult,
  NewSession,
  PoolStat,
  ReserveOutcome,
  RouteRecord,
  SealedParticipant,
} from './masking-rows.js';

/**
 * Masking sessions, participants and the virtual number pool in PostgreSQL. Allocation is
 * one `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)`, so concurrent reserves in
 * any number of processes never take the same number, and a unique partial index makes
 * "one active session per virtual number" hold even against a bug in this code.
 */
export class MaskingStore {
  constructor(private readonly pool: pg.Pool) {
    this.events = new MaskingEventStore(pool);
    this.numbers = new VirtualNumberStore(pool, this.events);
  }

  /** Events of sessions and of the pool (masking_events). */
  readonly events: MaskingEventStore;
  /** The virtual number pool: import, retire, stats, low-watermark alarms. */
  readonly numbers: VirtualNumberStore;

  private named(name: string) {
    return namedStatement(this.pool, name);
  }

  /** Takes one allocatable number matching the constraints, or null when none is left. */
  private async allocate(
    client: pg.PoolClient,
    tenantId: string,
    constraints: NumberConstraints,
  ): Promise<{ id: string; e164: string; country: string; carrier_id: string } | null> {
    const result = await client.query<{ id: string; e164: string; country: string; carrier_id: string }>(
      `UPDATE virtual_numbers v SET state = 'reserved', quarantined_until = NULL, state_changed_at = now()
       WHERE v.id = (
         SELECT id FROM virtual_numbers
         WHERE tenant_id = $1 AND ${ALLOCATABLE}
           AND ($2::text IS NULL OR country = $2) AND ($3::text IS NULL OR carrier_id = $3)
           AND capabilities @> $4::text[]
         ORDER BY state_changed_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING v.id, v.e164, v.country, v.carrier_id`,
      [tenantId, constraints.country, constraints.carrierId, constraints.capabilities],
    );
    return result.rows[0] ?? null;
  }

  async findByIdempotencyKey(
    tenantId: string,
    idempotencyKey: string,
  ): Promise<{ session: SessionView; requestDigest: Buffer | null } | null> {
    const result = await this.pool.query<{ id: string; request_digest: Buffer | null }>(
      'SELECT id, request_digest FROM masking_sessions WHERE tenant_id = $1 AND idempotency_key = $2',
      [tenantId, idempotencyKey],
    );
    const row = result.rows[0];
    const session = row ? await this.get(tenantId, row.id) : null;
    return row && session ? { session, requestDigest: row.request_digest } : null;
  }

  async reserve(s: NewSession): Promise<ReserveOutcome> {
    if (s.idempotencyKey) {
      const existing = await this.existing(s);
      if (existing) return existing;
    }
    try {
      // One statement: allocate the number, insert the session and its participants. All
      // or nothing, and one round trip (data-modifying CTEs always run to completion).
      const result = await this.named('masking_reserve').query<{
        id: string;
        country: string;
        carrier_id: string;
      }>(
        `WITH picked AS (
           UPDATE virtual_numbers v SET state = 'reserved', quarantined_until = NULL, state_changed_at = now()
           WHERE v.id = (
             SELECT id FROM virtual_numbers
             WHERE tenant_id = $2::uuid AND ${ALLOCATABLE}
               AND ($4::text IS NULL OR country = $4) AND ($5::text IS NULL OR carrier_id = $5)
               AND capabilities @> $6::text[]
             ORDER BY state_changed_at
             LIMIT 1
             FOR UPDATE SKIP LOCKED)
           RETURNING v.id, v.country, v.carrier_id
         ), session AS (
           INSERT INTO masking_sessions (id, tenant_id, mode, state, virtual_number_id, country, carrier_id,
               capabilities, non_participant_policy, auto_reply_text, inbox_delivery, idempotency_key,
               request_digest, expires_at)
           SELECT $1::uuid, $2::uuid, $3::text, 'active', picked.id, $4::text, $5::text, $6::text[], $7::text,
                  $8::text, $9::text, $10::text, $11::bytea, now() + make_interval(secs => $12::float8)
           FROM picked
           RETURNING id
         ), participants AS (
           INSERT INTO masking_participants (id, session_id, tenant_id, position, number_sealed, number_index,
                                             number_masked, key_version)
           SELECT u.id, session.id, $2::uuid, u.n - 1, u.sealed, u.idx, u.masked, u.version
           FROM session, unnest($13::uuid[], $14::bytea[], $15::bytea[], $16::text[], $17::int[])
                WITH ORDINALITY AS u(id, sealed, idx, masked, version, n)
           RETURNING 1
         )
         SELECT picked.id, picked.country, picked.carrier_id FROM picked`,
        [
          s.id,
          s.tenantId,
          s.mode,
          s.constraints.country,
          s.constraints.carrierId,
          s.constraints.capabilities,
          s.nonParticipantPolicy,
          s.autoReplyText,
          s.inboxDelivery,
          s.idempotencyKey,
          s.requestDigest,
          s.ttlSeconds,
          s.participants.map((p) => p.id),
          s.participants.map((p) => p.numberSealed),
          s.participants.map((p) => p.numberIndex),
          s.participants.map((p) => p.numberMasked),
          s.participants.map((p) => p.keyVersion),
        ],
      );
      const picked = result.rows[0];
      if (!picked) throw new MasklineError('pool_exhausted');
      const session = await this.get(s.tenantId, s.id);
      if (!session) throw new Error('reserved session vanished');
      return { kind: 'created', session, numberCountry: picked.country, numberCarrier: picked.carrier_id };
    } catch (error) {
      // A concurrent request with the same Idempotency-Key committed first.
      if (s.idempotencyKey && isUniqueViolation(error, 'masking_sessions_idempotency_key')) {
        const existing = await this.existing(s);
        if (existing) return existing;
      }
      if (isUniqueViolation(error, 'masking_participants_session_id_number_index_key')) {
        throw new MasklineError('masking_participants_invalid', {
          message: 'A participant number is listed twice.',
          details: { field: 'participants' },
        });
      }
      throw error;
    }
  }

  private async existing(s: NewSession): Promise<ReserveOutcome | null> {
    const found = await this.findByIdempotencyKey(s.tenantId, s.idempotencyKey!);
    if (!found) return null;
    const sameRequest =
      found.requestDigest !== null && s.requestDigest !== null && found.requestDigest.equals(s.requestDigest);
    return { kind: 'existing', session: found.session, sameRequest };
  }

  /** Locks an active, unexpired session of this tenant, or throws not_found / closed. */
  private async lockLive(
    client: pg.PoolClient,
    tenantId: string,
    id: string,
  ): Promise<{ virtualNumberId: string; row: LockedSession }> {
    const result = await client.query<LockedSession>(
      `SELECT id, mode, state, (expires_at <= now()) AS overdue, virtual_number_id, country, carrier_id, capabilities
       FROM masking_sessions WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
      [id, tenantId],
    );
    const row = result.rows[0];
    if (!row) throw new MasklineError('masking_session_not_found');
    if (row.state !== 'active' || row.overdue) throw new MasklineError('masking_session_closed');
    return { virtualNumberId: row.virtual_number_id, row };
  }

  /**
   * Adds participants to a live session in one statement: the session row is locked, the
   * mode's limit checked, and positions taken after the existing ones. (Two concurrent maps
   * that both read the old count collide on the unique position, and the second fails.)
   */
  async map(
    tenantId: string,
    id: string,
    participants: readonly SealedParticipant[],
    maxPerMode: Readonly<Record<MaskingMode, number>>,
  ): Promise<SessionView> {
    let result: pg.QueryResult<{ live: boolean; n: number; max: number; inserted: number }>;
    try {
      result = await this.named('masking_map').query(
        `WITH s AS (
           SELECT id, mode, (state = 'active' AND expires_at > now()) AS live
           FROM masking_sessions WHERE id = $1::uuid AND tenant_id = $2::uuid FOR UPDATE
         ), c AS (
           SELECT count(*)::int AS n FROM masking_participants WHERE session_id = $1::uuid
         ), m AS (
           SELECT s.live, c.n, ($3::jsonb ->> s.mode)::int AS max FROM s, c
         ), ins AS (
           INSERT INTO masking_participants (id, session_id, tenant_id, position, number_sealed, number_index,
                                             number_masked, key_version)
           SELECT u.id, $1::uuid, $2::uuid, m.n + u.k - 1, u.sealed, u.idx, u.masked, u.version
           FROM m, unnest($4::uuid[], $5::bytea[], $6::bytea[], $7::text[], $8::int[])
                WITH ORDINALITY AS u(id, sealed, idx, masked, version, k)
           WHERE m.live AND m.n + cardinality($4::uuid[]) <= m.max
           RETURNING 1
         )
         SELECT m.live, m.n, m.max, (SELECT count(*) FROM ins)::int AS inserted FROM m`,
        [
          id,
          tenantId,
          JSON.stringify(maxPerMode),
          participants.map((p) => p.id),
          participants.map((p) => p.numberSealed),
          participants.map((p) => p.numberIndex),
          participants.map((p) => p.numberMasked),
          participants.map((p) => p.keyVersion),
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new MasklineError('masking_participants_invalid', {
          message: 'A participant number is mapped to this session already.',
          details: { field: 'participants' },
        });
      }
      throw error;
    }
    const row = result.rows[0];
    if (!row) throw new MasklineError('masking_session_not_found');
    if (!row.live) throw new MasklineError('masking_session_closed');
    if (row.inserted === 0) {
      throw new MasklineError('masking_participants_invalid', {
        message: `This session binds at most ${row.max} participant(s).`,
        details: { field: 'participants' },
      });
    }
    return (await this.get(tenantId, id))!;
  }

  /**
   * Ends a session now (released) and quarantines its number until now + cool-off. One
   * statement, so the session and its number change together.
   */
  async release(tenantId: string, id: string, quarantineMs: number): Promise<SessionView> {
    const result = await this.named('masking_release').query<{ state: SessionState }>(
      `WITH closed AS (
         UPDATE masking_sessions
         SET state = CASE WHEN expires_at <= now() THEN 'expired' ELSE 'released' END,
             closed_at = now(), updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND state = 'active'
         RETURNING id, state, virtual_number_id
       ), quarantined AS (
         UPDATE virtual_numbers v
         SET state = 'quarantined', quarantined_until = now() + make_interval(secs => $3::float8 / 1000),
             state_changed_at = now()
         FROM closed WHERE v.id = closed.virtual_number_id AND v.state = 'reserved'
         RETURNING v.id
       )
       SELECT state FROM closed`,
      [id, tenantId, quarantineMs],
    );
    const state = result.rows[0]?.state;
    if (state !== 'released') {
      const current = await this.get(tenantId, id);
      throw new MasklineError(current ? 'masking_session_closed' : 'masking_session_not_found');
    }
    return (await this.get(tenantId, id))!;
  }

  /**
   * Expires active sessions past their TTL (at most `limit`, skipping rows another process
   * holds), quarantining their numbers. `ids` narrows it to given sessions (the delayed job).
   */
  async expireDue(
    quarantineMs: number,
    limit: number,
    ids: readonly string[] | null = null,
  ): Promise<ClosedSession[]> {
    const result = await this.pool.query<{
      id: string;
      tenant_id: string;
      state: SessionState;
      virtual_number_id: string;
    }>(
      `WITH due AS (
         SELECT id FROM masking_sessions
         WHERE state = 'active' AND expires_at <= now() AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[]))
         ORDER BY expires_at LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), closed AS (
         UPDATE masking_sessions s SET state = 'expired', closed_at = now(), updated_at = now()
         FROM due WHERE s.id = due.id
         RETURNING s.id, s.tenant_id, s.state, s.virtual_number_id
       ), quarantined AS (
         UPDATE virtual_numbers v
         SET state = 'quarantined', quarantined_until = now() + make_interval(secs => $1::float8 / 1000),
             state_changed_at = now()
         FROM closed WHERE v.id = closed.virtual_number_id AND v.state = 'reserved'
         RETURNING v.id
       )
       SELECT * FROM closed`,
      [quarantineMs, limit, ids],
    );
    return result.rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      state: r.state,
      virtualNumberId: r.virtual_number_id,
    }));
  }

  /**
   * Gives a live session a fresh number by its original constraints; the old number goes to
   * quarantine and a `session.rotated` event is recorded. Throws pool_exhausted (and changes
   * nothing) when no number is free.
   */
  async rotate(
    tenantId: string,
    id: string,
    quarantineMs: number,
  ): Promise<{ session: SessionView; numberCountry: string; numberCarrier: string }> {
    const fresh = await inTransaction(this.pool, async (client) => {
      const { row } = await this.lockLive(client, tenantId, id);
      const fresh = await this.allocate(client, tenantId, {
        country: row.country,
        carrierId: row.carrier_id,
        capabilities: row.capabilities,
      });
      if (!fresh) throw new MasklineError('pool_exhausted');
      const old = await client.query<{ e164: string }>(
        `UPDATE virtual_numbers SET state = 'quarantined', state_changed_at = now(),
                quarantined_until = now() + make_interval(secs => $2::float8 / 1000)
         WHERE id = $1 AND state = 'reserved' RETURNING e164`,
        [row.virtual_number_id, quarantineMs],
      );
      await client.query(
        'UPDATE masking_sessions SET virtual_number_id = $2, updated_at = now() WHERE id = $1',
        [id, fresh.id],
      );
      await this.events.recordEvent(client, tenantId, id, 'session.rotated', {
        sessionId: id,
        oldVirtualNumber: old.rows[0]?.e164 ?? null,
        newVirtualNumber: fresh.e164,
      });
      return fresh;
    });
    return {
      session: (await this.get(tenantId, id))!,
      numberCountry: fresh.country,
      numberCarrier: fresh.carrier_id,
    };
  }

  /**
   * A participant of a live session with the session's virtual number, for sending from
   * it. `participantId` null picks the only participant (error when there are several).
   */
  async participantForSend(
    tenantId: string,
    sessionId: string,
    participantId: string | null,
  ): Promise<{
    participantId: string;
    numberSealed: Buffer;
    numberMasked: string;
    from: string;
    carrierId: string;
    canSend: boolean;
  }> {
    const result = await this.pool.query<{
      state: SessionState;
      overdue: boolean;
      e164: string;
      carrier_id: string;
      capabilities: Capability[];
      participants: { id: string; sealed: string; masked: string }[];
    }>(
      `SELECT s.state, (s.expires_at <= now()) AS overdue, v.e164, v.carrier_id, v.capabilities,
              COALESCE((SELECT json_agg(json_build_object('id', p.id, 'sealed', encode(p.number_sealed, 'base64'),
                                                          'masked', p.number_masked) ORDER BY p.position)
                        FROM masking_participants p WHERE p.session_id = s.id), '[]'::json) AS participants
       FROM masking_sessions s JOIN virtual_numbers v ON v.id = s.virtual_number_id
       WHERE s.id = $1 AND s.tenant_id = $2`,
      [sessionId, tenantId],
    );
    const row = result.rows[0];
    if (!row) throw new MasklineError('masking_session_not_found');
    if (row.state !== 'active' || row.overdue) throw new MasklineError('masking_session_closed');
    const candidates = participantId
      ? row.participants.filter((p) => p.id === participantId)
      : row.participants;
    if (candidates.length !== 1) {
      throw new MasklineError('masking_participants_invalid', {
        message: participantId
          ? 'to names no participant of this session.'
          : 'Name the participant to send to (to), or map exactly one.',
        details: { field: 'to' },
      });
    }
    const p = candidates[0]!;
    return {
      participantId: p.id,
      numberSealed: Buffer.from(p.sealed, 'base64'),
      numberMasked: p.masked,
      from: row.e164,
      carrierId: row.carrier_id,
      canSend: row.capabilities.includes('sms-mt'),
    };
  }

  async get(tenantId: string, id: string): Promise<SessionView | null> {
    const result = await this.named('masking_get').query<SessionRow>(
      `${SESSION_SELECT} WHERE s.id = $1 AND s.tenant_id = $2`,
      [id, tenantId],
    );
    return result.rows[0] ? toSessionView(result.rows[0]) : null;
  }

  /** Newest first; the cursor is the last id of the previous page (ids are time-ordered). */
  async list(
    tenantId: string,
    options: { limit: number; cursor: string | null; state: SessionState | null },
  ): Promise<Page<SessionView>> {
    const stateFilter = `($3::text IS NULL OR
      (CASE WHEN s.state = 'active' AND s.expires_at <= now() THEN 'expired' ELSE s.state END) = $3)`;
    const result = await this.pool.query<SessionRow>(
      `${SESSION_SELECT}
       WHERE s.tenant_id = $1 AND ($2::uuid IS NULL OR s.id < $2) AND ${stateFilter}
       ORDER BY s.id DESC LIMIT $4`,
      [tenantId, options.cursor, options.state, options.limit + 1],
    );
    const rows = result.rows.slice(0, options.limit);
    const more = result.rows.length > options.limit;
    return { data: rows.map(toSessionView), nextCursor: more ? (rows.at(-1)?.id ?? null) : null };
  }

  /** The virtual number an inbound message reached, its live session and that session's participants. */
  async findRoute(e164: string): Promise<RouteRecord | null> {
    const result = await this.named('masking_route').query<{
      id: string;
      tenant_id: string;
      e164: string;
      carrier_id: string;
      state: NumberState;
      session_id: string | null;
      mode: MaskingMode | null;
      non_participant_policy: NonParticipantPolicy | null;
      auto_reply_text: string | null;
      inbox_delivery: InboxDelivery | null;
    }>(
      `SELECT v.id, v.tenant_id, v.e164, v.carrier_id, v.state, s.id AS session_id, s.mode,
              s.non_participant_policy, s.auto_reply_text, s.inbox_delivery
       FROM virtual_numbers v
       LEFT JOIN masking_sessions s ON s.virtual_number_id = v.id AND s.state = 'active' AND s.expires_at > now()
       WHERE v.e164 = $1`,
      [e164],
    );
    const row = result.rows[0];
    if (!row) return null;
    const number = {
      id: row.id,
      tenantId: row.tenant_id,
      e164: row.e164,
      carrierId: row.carrier_id,
      state: row.state,
    };
    if (!row.session_id) return { number, session: null };
    const participants = await this.named('masking_route_participants').query<{
      id: string;
      number_index: Buffer;
      number_sealed: Buffer;
    }>(
      'SELECT id, number_index, number_sealed FROM masking_participants WHERE session_id = $1 ORDER BY position',
      [row.session_id],
    );
    return {
      number,
      session: {
        id: row.session_id,
        mode: row.mode!,
        nonParticipantPolicy: row.non_participant_policy!,
        autoReplyText: row.auto_reply_text,
        inboxDelivery: row.inbox_delivery!,
        participants: participants.rows.map((p) => ({
          id: p.id,
          numberIndex: p.number_index,
          numberSealed: p.number_sealed,
        })),
      },
    };
  }
}

interface LockedSession {
  id: string;
  mode: MaskingMode;
  state: SessionState;
  overdue: boolean;
  virtual_number_id: string;
  country: string | null;
  carrier_id: string | null;
  capabilities: Capability[];
}
