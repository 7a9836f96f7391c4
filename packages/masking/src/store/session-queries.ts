import { MasklineError } from '@maskline/core';
import type pg from 'pg';
import type { Capability, Page, SessionState, SessionView } from '../types.js';
import { namedStatement, SESSION_SELECT, type SessionRow, toSessionView } from './masking-rows.js';

/** Reads of masking sessions: one by id, pages of them, by Idempotency-Key, and a participant to send to. */
export class SessionQueries {
  constructor(private readonly pool: pg.Pool) {}

  async get(tenantId: string, id: string): Promise<SessionView | null> {
    const result = await namedStatement(this.pool, 'masking_get').query<SessionRow>(
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
}
