import type { UserRole } from '@maskline/core';
import type pg from 'pg';

/** A user as listed and as the sign-in needs it: never its email in clear, hash or secret. */
export interface UserRecord {
  id: string;
  tenantId: string;
  emailMasked: string;
  role: UserRole;
  /** Setup finished: a password is set and TOTP confirmed. */
  active: boolean;
  lockedUntil: Date | null;
  lastSignInAt: Date | null;
  createdBy: string;
  createdAt: Date;
  disabledAt: Date | null;
}

/** What the password and second-factor checks read (only inside the sign-in). */
export interface UserCredentials extends UserRecord {
  passwordHash: string | null;
  totpSealed: Buffer | null;
  totpKeyVersion: number | null;
  totpLastStep: number;
  recoveryDigests: Buffer[];
  failedAttempts: number;
  /** Computed by the database clock: locked_until is in the future. */
  locked: boolean;
}

export interface NewUser {
  id: string;
  tenantId: string;
  emailDigest: Buffer;
  emailMasked: string;
  role: UserRole;
  setupDigest: Buffer;
  setupTtlSeconds: number;
  createdBy: string;
}

export interface SessionPrincipal {
  sessionId: string;
  userId: string;
  tenantId: string;
  role: UserRole;
  expiresAt: Date;
}

const COLUMNS = `id, tenant_id, email_masked, role, (password_hash IS NOT NULL AND totp_confirmed_at IS NOT NULL) AS active,
  locked_until, last_sign_in_at, created_by, created_at, disabled_at`;
const CREDENTIALS = `${COLUMNS}, password_hash, totp_sealed, totp_key_version, totp_last_step, recovery_digests,
  failed_attempts, coalesce(locked_until > now(), false) AS locked`;

interface UserRow {
  id: string;
  tenant_id: string;
  email_masked: string;
  role: UserRole;
  active: boolean;
  locked_until: Date | null;
  last_sign_in_at: Date | null;
  created_by: string;
  created_at: Date;
  disabled_at: Date | null;
}

interface CredentialRow extends UserRow {
  password_hash: string | null;
  totp_sealed: Buffer | null;
  totp_key_version: number | null;
  totp_last_step: string;
  recovery_digests: Buffer[];
  failed_attempts: number;
  locked: boolean;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    emailMasked: row.email_masked,
    role: row.role,
    active: row.active,
    lockedUntil: row.locked_until,
    lastSignInAt: row.last_sign_in_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

function toCredentials(row: CredentialRow): UserCredentials {
  return {
    ...toUser(row),
    passwordHash: row.password_hash,
    totpSealed: row.totp_sealed,
    totpKeyVersion: row.totp_key_version,
    totpLastStep: Number(row.totp_last_step),
    recoveryDigests: row.recovery_digests,
    failedAttempts: row.failed_attempts,
    locked: row.locked,
  };
}

/**
 * Users and their short-lived tokens (docs/guides/users.md). Tokens, setup tokens, recovery
 * codes and emails are stored only as keyed digests computed by the caller.
 */
export class UserRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** A new user; null when the email is taken (by any tenant: an email signs in to one). */
  async create(u: NewUser): Promise<UserRecord | null> {
    const result = await this.pool.query<UserRow>(
      `INSERT INTO users (id, tenant_id, email_digest, email_masked, role, setup_digest, setup_expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::int), $8)
       ON CONFLICT (email_digest) DO NOTHING RETURNING ${COLUMNS}`,
      [u.id, u.tenantId, u.emailDigest, u.emailMasked, u.role, u.setupDigest, u.setupTtlSeconds, u.createdBy],
    );
    return result.rows[0] ? toUser(result.rows[0]) : null;
  }

  async list(tenantId: string): Promise<UserRecord[]> {
    const result = await this.pool.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY created_at, id`,
      [tenantId],
    );
    return result.rows.map(toUser);
  }

  async find(tenantId: string, id: string): Promise<UserRecord | null> {
    const result = await this.pool.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toUser(result.rows[0]) : null;
  }

  /** The enabled user with this email digest, for the password check. */
  async credentialsByEmail(emailDigest: Buffer): Promise<UserCredentials | null> {
    const result = await this.pool.query<CredentialRow>(
      `SELECT ${CREDENTIALS} FROM users WHERE email_digest = $1 AND disabled_at IS NULL`,
      [emailDigest],
    );
    return result.rows[0] ? toCredentials(result.rows[0]) : null;
  }

  async credentials(id: string): Promise<UserCredentials | null> {
    const result = await this.pool.query<CredentialRow>(
      `SELECT ${CREDENTIALS} FROM users WHERE id = $1 AND disabled_at IS NULL`,
      [id],
    );
    return result.rows[0] ? toCredentials(result.rows[0]) : null;
  }

  /** The user a live setup token belongs to (enabled, token unexpired). */
  async credentialsBySetup(setupDigest: Buffer): Promise<UserCredentials | null> {
    const result = await this.pool.query<CredentialRow>(
      `SELECT ${CREDENTIALS} FROM users
       WHERE setup_digest = $1 AND setup_expires_at > now() AND disabled_at IS NULL`,
      [setupDigest],
    );
    return result.rows[0] ? toCredentials(result.rows[0]) : null;
  }

  /** Setup, step one: the password hash, the sealed TOTP secret (unconfirmed), recovery codes. */
  async storeSetup(
    id: string,
    setup: {
      passwordHash: string;
      totpSealed: Buffer;
      totpKeyVersion: number | null;
      recoveryDigests: Buffer[];
    },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE users SET password_hash = $2, totp_sealed = $3, totp_key_version = $4, recovery_digests = $5,
         totp_confirmed_at = NULL
       WHERE id = $1`,
      [id, setup.passwordHash, setup.totpSealed, setup.totpKeyVersion, setup.recoveryDigests],
    );
  }

  /** Setup, step two: TOTP confirmed at `step`; the setup token is spent. */
  async confirmSetup(id: string, step: number): Promise<void> {
    await this.pool.query(
      `UPDATE users SET totp_confirmed_at = now(), totp_last_step = $2, setup_digest = NULL, setup_expires_at = NULL,
         failed_attempts = 0, locked_until = NULL
       WHERE id = $1`,
      [id, step],
    );
  }

  /**
   * Counts a failed password or second factor; the `maxFailures`th in a row locks the user
   * for `lockSeconds`. Returns whether the user is now locked.
   */
  async recordFailure(id: string, maxFailures: number, lockSeconds: number): Promise<boolean> {
    const result = await this.pool.query<{ locked: boolean }>(
      `UPDATE users SET failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
         locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(secs => $3::int)
                             ELSE locked_until END
       WHERE id = $1 RETURNING coalesce(locked_until > now(), false) AS locked`,
      [id, maxFailures, lockSeconds],
    );
    return result.rows[0]?.locked ?? false;
  }

  /**
   * Accepts a TOTP step once: only if it is later than the last one accepted (a code seen
   * over a shoulder cannot be replayed in its window). False when it was already used.
   */
  async acceptStep(id: string, step: number): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2',
      [id, step],
    );
    return result.rowCount === 1;
  }

  /** Spends one recovery code (by digest); false when it is not (or no longer) there. */
  async spendRecoveryCode(id: string, digest: Buffer): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE users SET recovery_digests = array_remove(recovery_digests, $2::bytea)
       WHERE id = $1 AND $2::bytea = ANY (recovery_digests)`,
      [id, digest],
    );
    return result.rowCount === 1;
  }

  async recordSignIn(id: string): Promise<void> {
    await this.pool.query(
      'UPDATE users SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = now() WHERE id = $1',
      [id],
    );
  }

  /** Disables a user of the tenant and revokes its tokens; false when there is no such enabled user. */
  async disable(tenantId: string, id: string): Promise<boolean> {
    const result = await this.pool.query<{ n: number }>(
      `WITH disabled AS (
         UPDATE users SET disabled_at = now() WHERE tenant_id = $1 AND id = $2 AND disabled_at IS NULL RETURNING id
       ), revoked AS (
         UPDATE user_sessions SET revoked_at = now()
         WHERE user_id IN (SELECT id FROM disabled) AND revoked_at IS NULL RETURNING id
       )
       SELECT count(*)::int AS n FROM disabled`,
      [tenantId, id],
    );
    return (result.rows[0]?.n ?? 0) > 0;
  }

  async createToken(t: {
    userId: string;
    tenantId: string;
    kind: 'mfa' | 'session';
    digest: Buffer;
    ttlSeconds: number;
  }): Promise<Date> {
    const result = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO user_sessions (user_id, tenant_id, kind, token_digest, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::int)) RETURNING expires_at`,
      [t.userId, t.tenantId, t.kind, t.digest, t.ttlSeconds],
    );
    return result.rows[0]!.expires_at;
  }

  /** The live token of this kind (unexpired, unrevoked, user enabled). */
  async token(kind: 'mfa' | 'session', digest: Buffer): Promise<SessionPrincipal | null> {
    const result = await this.pool.query<{
      id: string;
      user_id: string;
      tenant_id: string;
      role: UserRole;
      expires_at: Date;
    }>(
      `SELECT s.id, s.user_id, s.tenant_id, u.role, s.expires_at FROM user_sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_digest = $1 AND s.kind = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
         AND u.disabled_at IS NULL`,
      [digest, kind],
    );
    const row = result.rows[0];
    return row
      ? {
          sessionId: row.id,
          userId: row.user_id,
          tenantId: row.tenant_id,
          role: row.role,
          expiresAt: row.expires_at,
        }
      : null;
  }

  async revokeToken(sessionId: string): Promise<void> {
    await this.pool.query(
      'UPDATE user_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [sessionId],
    );
  }
}
