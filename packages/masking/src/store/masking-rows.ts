import type pg from 'pg';
import type {
  Capability,
  InboxDelivery,
  MaskingMode,
  NonParticipantPolicy,
  NumberConstraints,
  NumberState,
  SessionState,
  SessionView,
  VirtualNumberView,
} from '../types.js';

/**
 * Row shapes, SQL fragments and small helpers of the masking store (masking-store.ts and the
 * session-*.ts, route-lookup.ts and virtual-number-store.ts it delegates to), kept apart so
 * each store reads as its operations.
 */
/** A participant row ready to insert: sealed, indexed and masked by the caller (the vault). */
export interface SealedParticipant {
  id: string;
  numberSealed: Buffer;
  numberIndex: Buffer;
  numberMasked: string;
  keyVersion: number | null;
}

export interface NewSession {
  id: string;
  tenantId: string;
  mode: MaskingMode;
  ttlSeconds: number;
  constraints: NumberConstraints;
  nonParticipantPolicy: NonParticipantPolicy;
  autoReplyText: string | null;
  inboxDelivery: InboxDelivery;
  idempotencyKey: string | null;
  requestDigest: Buffer | null;
  participants: readonly SealedParticipant[];
}

export type ReserveOutcome =
  | { kind: 'created'; session: SessionView; numberCountry: string; numberCarrier: string }
  | { kind: 'existing'; session: SessionView; sameRequest: boolean };

export interface ClosedSession {
  id: string;
  tenantId: string;
  state: SessionState;
  virtualNumberId: string;
}

/** What the relay needs about a virtual number and its live session. */
export interface RouteRecord {
  number: { id: string; tenantId: string; e164: string; carrierId: string; state: NumberState };
  session: {
    id: string;
    mode: MaskingMode;
    nonParticipantPolicy: NonParticipantPolicy;
    autoReplyText: string | null;
    inboxDelivery: InboxDelivery;
    participants: { id: string; numberIndex: Buffer; numberSealed: Buffer }[];
  } | null;
}

export interface PoolStat {
  country: string;
  carrier: string;
  state: NumberState;
  count: number;
}

export interface ImportResult {
  inserted: { row: number; id: string; e164: string }[];
  /** Rows whose number is already in some pool. */
  existing: number[];
}

export interface SessionRow {
  id: string;
  mode: MaskingMode;
  state: SessionState;
  e164: string;
  country: string | null;
  carrier_id: string | null;
  capabilities: Capability[];
  non_participant_policy: NonParticipantPolicy;
  inbox_delivery: InboxDelivery;
  participants: { id: string; number: string }[];
  expires_at: Date;
  created_at: Date;
  closed_at: Date | null;
}

/** The effective state: an active session past its expiry is expired even before the sweep. */
export const SESSION_SELECT = `
  SELECT s.id, s.mode,
         CASE WHEN s.state = 'active' AND s.expires_at <= now() THEN 'expired' ELSE s.state END AS state,
         v.e164, s.country, s.carrier_id, s.capabilities, s.non_participant_policy, s.inbox_delivery,
         COALESCE((SELECT json_agg(json_build_object('id', p.id, 'number', p.number_masked) ORDER BY p.position)
                   FROM masking_participants p WHERE p.session_id = s.id), '[]'::json) AS participants,
         s.expires_at, s.created_at, s.closed_at
  FROM masking_sessions s JOIN virtual_numbers v ON v.id = s.virtual_number_id`;

/** A number is allocatable when available, or quarantined with its cool-off over. */
export const ALLOCATABLE = `(state = 'available' OR (state = 'quarantined' AND quarantined_until <= now()))`;

export function toSessionView(row: SessionRow): SessionView {
  return {
    id: row.id,
    mode: row.mode,
    state: row.state,
    virtualNumber: row.e164,
    country: row.country,
    carrier: row.carrier_id,
    capabilities: row.capabilities,
    nonParticipantPolicy: row.non_participant_policy,
    inboxDelivery: row.inbox_delivery,
    participants: row.participants,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
  };
}

export interface NumberRow {
  id: string;
  e164: string;
  country: string;
  carrier_id: string;
  capabilities: Capability[];
  region: string | null;
  state: NumberState;
  quarantined_until: Date | null;
}

export function toNumberView(row: NumberRow): VirtualNumberView {
  return {
    id: row.id,
    number: row.e164,
    country: row.country,
    carrier: row.carrier_id,
    capabilities: row.capabilities,
    region: row.region,
    state: row.state,
    quarantinedUntil: row.quarantined_until?.toISOString() ?? null,
  };
}

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
}

export { inTransaction } from '@maskline/storage';

/** A hot statement as a named prepared statement: parsed and planned once per connection. */
export function namedStatement(pool: pg.Pool, name: string) {
  return {
    query: <R extends pg.QueryResultRow>(text: string, values: unknown[]) =>
      pool.query<R>({ name, text, values }),
  };
}
