import { MasklineError } from '@maskline/core';
import type pg from 'pg';
import {
  ALLOCATABLE,
  isUniqueViolation,
  type NewSession,
  namedStatement,
  type ReserveOutcome,
} from './masking-rows.js';
import type { SessionQueries } from './session-queries.js';

/**
 * Opens a session: takes a number from the pool and inserts the session and its participants
 * in one statement. Allocation is one `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP
 * LOCKED)`, so concurrent reserves in any number of processes never take the same number. A
 * repeated Idempotency-Key answers with the session it opened before.
 */
export class SessionReservation {
  constructor(
    private readonly pool: pg.Pool,
    private readonly sessions: SessionQueries,
  ) {}

  async reserve(s: NewSession): Promise<ReserveOutcome> {
    if (s.idempotencyKey) {
      const existing = await this.existing(s);
      if (existing) return existing;
    }
    try {
      // One statement: allocate the number, insert the session and its participants. All
      // or nothing, and one round trip (data-modifying CTEs always run to completion).
      const result = await namedStatement(this.pool, 'masking_reserve').query<{
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
      const session = await this.sessions.get(s.tenantId, s.id);
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
    const found = await this.sessions.findByIdempotencyKey(s.tenantId, s.idempotencyKey!);
    if (!found) return null;
    const sameRequest =
      found.requestDigest !== null && s.requestDigest !== null && found.requestDigest.equals(s.requestDigest);
    return { kind: 'existing', session: found.session, sameRequest };
  }
}
