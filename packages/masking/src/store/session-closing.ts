import { MasklineError } from '@maskline/core';
import type pg from 'pg';
import type { SessionState, SessionView } from '../types.js';
import { type ClosedSession, namedStatement } from './masking-rows.js';
import type { SessionQueries } from './session-queries.js';

/**
 * The CTE (`quarantined`) that quarantines the numbers of the sessions a statement's `closed`
 * CTE returns (column virtual_number_id), for the quarantine in ms given as `msParam`: a
 * closed session's number rests before the pool gives it out again.
 */
function quarantineClosed(msParam: string): string {
  return `quarantined AS (
         UPDATE virtual_numbers v
         SET state = 'quarantined', quarantined_until = now() + make_interval(secs => ${msParam}::float8 / 1000),
             state_changed_at = now()
         FROM closed WHERE v.id = closed.virtual_number_id AND v.state = 'reserved'
         RETURNING v.id
       )`;
}

/**
 * Ends sessions, by request (release) or past their TTL (expiry), and sends their numbers to
 * quarantine in the same statement.
 */
export class SessionClosing {
  constructor(
    private readonly pool: pg.Pool,
    private readonly sessions: SessionQueries,
  ) {}

  /**
   * Ends a session now (released) and quarantines its number until now + cool-off. One
   * statement, so the session and its number change together.
   */
  async release(tenantId: string, id: string, quarantineMs: number): Promise<SessionView> {
    const result = await namedStatement(this.pool, 'masking_release').query<{ state: SessionState }>(
      `WITH closed AS (
         UPDATE masking_sessions
         SET state = CASE WHEN expires_at <= now() THEN 'expired' ELSE 'released' END,
             closed_at = now(), updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND state = 'active'
         RETURNING id, state, virtual_number_id
       ), ${quarantineClosed('$3')}
       SELECT state FROM closed`,
      [id, tenantId, quarantineMs],
    );
    const state = result.rows[0]?.state;
    if (state !== 'released') {
      const current = await this.sessions.get(tenantId, id);
      throw new MasklineError(current ? 'masking_session_closed' : 'masking_session_not_found');
    }
    return (await this.sessions.get(tenantId, id))!;
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
       ), ${quarantineClosed('$1')}
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
}
