import type pg from 'pg';
import type { InboxDelivery, MaskingMode, NonParticipantPolicy, NumberState } from '../types.js';
import { namedStatement, type RouteRecord } from './masking-rows.js';

/** Inbound relay lookups: which number a message reached, and its live session's participants. */
export class RouteLookup {
  constructor(private readonly pool: pg.Pool) {}

  /** The virtual number an inbound message reached, its live session and that session's participants. */
  async findRoute(e164: string): Promise<RouteRecord | null> {
    const result = await namedStatement(this.pool, 'masking_route').query<{
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
    const participants = await namedStatement(this.pool, 'masking_route_participants').query<{
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
