import { MasklineError } from '@maskline/core';
import type pg from 'pg';
import type { MaskingMode, SessionView } from '../types.js';
import { isUniqueViolation, namedStatement, type SealedParticipant } from './masking-rows.js';
import type { SessionQueries } from './session-queries.js';

/** Adds participants to a live session. */
export class SessionMapping {
  constructor(
    private readonly pool: pg.Pool,
    private readonly sessions: SessionQueries,
  ) {}

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
      result = await namedStatement(this.pool, 'masking_map').query(
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
    return (await this.sessions.get(tenantId, id))!;
  }
}
