import type pg from 'pg';
import type { MaskingMode, Page, SessionState, SessionView } from '../types.js';
import { MaskingEventStore } from './masking-events.js';
import type {
  ClosedSession,
  NewSession,
  ReserveOutcome,
  RouteRecord,
  SealedParticipant,
} from './masking-rows.js';
import { RouteLookup } from './route-lookup.js';
import { SessionClosing } from './session-closing.js';
import { SessionMapping } from './session-mapping.js';
import { SessionQueries } from './session-queries.js';
import { SessionReservation } from './session-reservation.js';
import { SessionRotation } from './session-rotation.js';
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
 * Masking sessions, participants and the virtual number pool in PostgreSQL: the one object
 * callers hold, delegating each concern to a small store beside it (reads in
 * session-queries.ts, opening in session-reservation.ts, participants in session-mapping.ts,
 * release and expiry in session-closing.ts, rotation in session-rotation.ts, the inbound
 * relay's lookup in route-lookup.ts). Allocation is one `UPDATE ... WHERE id = (SELECT ...
 * FOR UPDATE SKIP LOCKED)`, so concurrent reserves in any number of processes never take the
 * same number, and a unique partial index makes "one active session per virtual number" hold
 * even against a bug in this code.
 */
export class MaskingStore {
  constructor(pool: pg.Pool) {
    this.events = new MaskingEventStore(pool);
    this.numbers = new VirtualNumberStore(pool, this.events);
    this.sessions = new SessionQueries(pool);
    this.reservation = new SessionReservation(pool, this.sessions);
    this.mapping = new SessionMapping(pool, this.sessions);
    this.closing = new SessionClosing(pool, this.sessions);
    this.rotation = new SessionRotation(pool, this.sessions, this.events);
    this.routes = new RouteLookup(pool);
  }

  /** Events of sessions and of the pool (masking_events). */
  readonly events: MaskingEventStore;
  /** The virtual number pool: import, retire, stats, low-watermark alarms. */
  readonly numbers: VirtualNumberStore;
  private readonly sessions: SessionQueries;
  private readonly reservation: SessionReservation;
  private readonly mapping: SessionMapping;
  private readonly closing: SessionClosing;
  private readonly rotation: SessionRotation;
  private readonly routes: RouteLookup;

  findByIdempotencyKey(
    tenantId: string,
    idempotencyKey: string,
  ): Promise<{ session: SessionView; requestDigest: Buffer | null } | null> {
    return this.sessions.findByIdempotencyKey(tenantId, idempotencyKey);
  }

  reserve(s: NewSession): Promise<ReserveOutcome> {
    return this.reservation.reserve(s);
  }

  map(
    tenantId: string,
    id: string,
    participants: readonly SealedParticipant[],
    maxPerMode: Readonly<Record<MaskingMode, number>>,
  ): Promise<SessionView> {
    return this.mapping.map(tenantId, id, participants, maxPerMode);
  }

  release(tenantId: string, id: string, quarantineMs: number): Promise<SessionView> {
    return this.closing.release(tenantId, id, quarantineMs);
  }

  expireDue(
    quarantineMs: number,
    limit: number,
    ids: readonly string[] | null = null,
  ): Promise<ClosedSession[]> {
    return this.closing.expireDue(quarantineMs, limit, ids);
  }

  rotate(
    tenantId: string,
    id: string,
    quarantineMs: number,
  ): Promise<{ session: SessionView; numberCountry: string; numberCarrier: string }> {
    return this.rotation.rotate(tenantId, id, quarantineMs);
  }

  participantForSend(tenantId: string, sessionId: string, participantId: string | null) {
    return this.sessions.participantForSend(tenantId, sessionId, participantId);
  }

  get(tenantId: string, id: string): Promise<SessionView | null> {
    return this.sessions.get(tenantId, id);
  }

  list(
    tenantId: string,
    options: { limit: number; cursor: string | null; state: SessionState | null },
  ): Promise<Page<SessionView>> {
    return this.sessions.list(tenantId, options);
  }

  findRoute(e164: string): Promise<RouteRecord | null> {
    return this.routes.findRoute(e164);
  }
}
