import { uuidv7 } from '@maskline/core';
import type pg from 'pg';

/** Who a grant lets see real numbers: one API key or one signed-in user. */
export type RevealHolder = { apiKeyId: string } | { userId: string };

export type RevealGrantState = 'pending' | 'active' | 'denied';

export interface RevealGrant {
  id: string;
  tenantId: string;
  /** The holder: an API key (operator CLI grants and key requests) or a user. */
  apiKeyId: string | null;
  userId: string | null;
  state: RevealGrantState;
  reason: string;
  /** Who made it active: the operator (CLI), the approver, or the requester without four eyes. */
  grantedBy: string;
  /** The holder's principal when it was requested through the API; null for CLI grants. */
  requestedBy: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** Active: when it stops; pending: when the request lapses undecided. */
  expiresAt: Date;
  createdAt: Date;
  revokedAt: Date | null;
}

interface GrantRow {
  id: string;
  tenant_id: string;
  api_key_id: string | null;
  user_id: string | null;
  state: RevealGrantState;
  reason: string;
  granted_by: string;
  requested_by: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  expires_at: Date;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = `id, tenant_id, api_key_id, user_id, state, reason, granted_by, requested_by, decided_by,
  decided_at, expires_at, created_at, revoked_at`;

const toGrant = (r: GrantRow): RevealGrant => ({
  id: r.id,
  tenantId: r.tenant_id,
  apiKeyId: r.api_key_id,
  userId: r.user_id,
  state: r.state,
  reason: r.reason,
  grantedBy: r.granted_by,
  requestedBy: r.requested_by,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** How long a pending request waits for a decision before it lapses. */
export const PENDING_REVEAL_TTL_SECONDS = 86_400;

/** Time-bounded permissions for one API key or user to see real numbers. */
export class RevealGrantRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Grant `apiKeyId` reveals for `ttlMs` (operator CLI); the key's tenant is taken from the key itself. */
  async create(
    apiKeyId: string,
    reason: string,
    grantedBy: string,
    ttlMs: number,
  ): Promise<RevealGrant | null> {
    const result = await this.pool.query<GrantRow>(
      `INSERT INTO reveal_grants (id, tenant_id, api_key_id, reason, granted_by, expires_at)
       SELECT $1, k.tenant_id, k.id, $3, $4, now() + make_interval(secs => $5::float8 / 1000)
       FROM api_keys k WHERE k.id = $2 AND k.revoked_at IS NULL
       RETURNING ${COLUMNS}`,
      [uuidv7(), apiKeyId, reason, grantedBy, ttlMs],
    );
    return result.rows[0] ? toGrant(result.rows[0]) : null;
  }

  /**
   * A grant `requestedBy` asks for its own principal (`holder`) through the API: `pending`
   * (lapsing after PENDING_REVEAL_TTL_SECONDS) when the tenant wants a second person, else
   * active at once for `durationSeconds`.
   */
  async request(input: {
    tenantId: string;
    holder: RevealHolder;
    reason: string;
    durationSeconds: number;
    requestedBy: string;
    pending: boolean;
  }): Promise<RevealGrant> {
    const { tenantId, holder, reason, durationSeconds, requestedBy, pending } = input;
    const result = await this.pool.query<GrantRow>(
      `INSERT INTO reveal_grants (id, tenant_id, api_key_id, user_id, state, reason, granted_by, requested_by,
                                  duration_seconds, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, now() + make_interval(secs => $9))
       RETURNING ${COLUMNS}`,
      [
        uuidv7(),
        tenantId,
        'apiKeyId' in holder ? holder.apiKeyId : null,
        'userId' in holder ? holder.userId : null,
        pending ? 'pending' : 'active',
        reason,
        requestedBy,
        durationSeconds,
        pending ? PENDING_REVEAL_TTL_SECONDS : durationSeconds,
      ],
    );
    return toGrant(result.rows[0]!);
  }

  /** The holder's grant in force now, if any (the one that lasts longest). */
  async findActive(holder: RevealHolder | string): Promise<RevealGrant | null> {
    const by = typeof holder === 'string' ? { apiKeyId: holder } : holder;
    const column = 'apiKeyId' in by ? 'api_key_id' : 'user_id';
    const result = await this.pool.query<GrantRow>(
      `SELECT ${COLUMNS} FROM reveal_grants
       WHERE ${column} = $1 AND state = 'active' AND revoked_at IS NULL AND expires_at > now()
       ORDER BY expires_at DESC LIMIT 1`,
      ['apiKeyId' in by ? by.apiKeyId : by.userId],
    );
    return result.rows[0] ? toGrant(result.rows[0]) : null;
  }

  async get(tenantId: string, id: string): Promise<RevealGrant | null> {
    const result = await this.pool.query<GrantRow>(
      `SELECT ${COLUMNS} FROM reveal_grants WHERE id = $1 AND tenant_id = $2`,
      [id, tenantId],
    );
    return result.rows[0] ? toGrant(result.rows[0]) : null;
  }

  /** The tenant's grants, newest first (at most `limit`), optionally in one state. */
  async list(tenantId: string, state?: RevealGrantState, limit = 100): Promise<RevealGrant[]> {
    const result = await this.pool.query<GrantRow>(
      `SELECT ${COLUMNS} FROM reveal_grants
       WHERE tenant_id = $1 AND ($2::text IS NULL OR state = $2)
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [tenantId, state ?? null, limit],
    );
    return result.rows.map(toGrant);
  }

  /**
   * Decides a pending, unlapsed request (one conditional UPDATE: two approvers racing, one
   * wins): approved, it runs for its requested duration from now. Null when it is not
   * pending any more (decided, revoked or lapsed) or not the tenant's.
   */
  async decide(
    tenantId: string,
    id: string,
    approve: boolean,
    decidedBy: string,
  ): Promise<RevealGrant | null> {
    const result = await this.pool.query<GrantRow>(
      `UPDATE reveal_grants
       SET state = $3, decided_by = $4, decided_at = now(),
           granted_by = CASE WHEN $3 = 'active' THEN $4 ELSE granted_by END,
           expires_at = CASE WHEN $3 = 'active' THEN now() + make_interval(secs => duration_seconds)
                             ELSE expires_at END
       WHERE id = $1 AND tenant_id = $2 AND state = 'pending' AND revoked_at IS NULL AND expires_at > now()
       RETURNING ${COLUMNS}`,
      [id, tenantId, approve ? 'active' : 'denied', decidedBy],
    );
    return result.rows[0] ? toGrant(result.rows[0]) : null;
  }

  /** Ends a grant (any state) now; with `tenantId`, only that tenant's. */
  async revoke(id: string, tenantId?: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE reveal_grants SET revoked_at = now()
       WHERE id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

/** Per tenant: whether a reveal requested through the API needs a second person (default yes). */
export class RevealPolicyRepository {
  constructor(private readonly pool: pg.Pool) {}

  async fourEyes(tenantId: string): Promise<boolean> {
    const result = await this.pool.query<{ four_eyes: boolean }>(
      'SELECT four_eyes FROM reveal_policies WHERE tenant_id = $1',
      [tenantId],
    );
    return result.rows[0]?.four_eyes ?? true;
  }

  async setFourEyes(tenantId: string, fourEyes: boolean, updatedBy: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO reveal_policies (tenant_id, four_eyes, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET four_eyes = $2, updated_by = $3, updated_at = now()`,
      [tenantId, fourEyes, updatedBy],
    );
  }
}
