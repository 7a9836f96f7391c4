import { maskAddress, type Vault } from '@maskline/core';
import type pg from 'pg';
import { inTransaction } from '../transaction.js';

/** The sealed columns of a verification and the binding field names they are sealed under. */
export const VERIFICATION_SEALED_FIELDS = [
  { column: 'to_sealed', field: 'to_number' },
  { column: 'from_sealed', field: 'from_number' },
] as const;

export type StoredVerificationStatus = 'pending' | 'approved' | 'expired' | 'locked' | 'canceled';

/** A verification as stored, without its sealed numbers or its code hash. */
export interface VerificationRecord {
  id: string;
  tenantId: string;
  toMasked: string;
  brand: string;
  locale: string;
  template: string | null;
  codeLength: number;
  ttlSeconds: number;
  attempts: number;
  maxAttempts: number;
  status: StoredVerificationStatus;
  expiresAt: Date;
  lastSentAt: Date;
  sendCount: number;
  messageId: string | null;
  /** The masking session whose virtual number sends the codes; null for a plain sender. */
  sessionId: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Computed by the database clock when read: expires_at has passed. */
  expired: boolean;
  /** Computed by the database clock: how long until a resend is allowed (0: now). */
  resendWaitMs: number;
}

export interface NewVerification {
  id: string;
  tenantId: string;
  to: string;
  from: string;
  brand: string;
  locale: string;
  template: string | null;
  codeLength: number;
  ttlSeconds: number;
  codeHash: Buffer;
  maxAttempts: number;
  messageId: string;
  /** The masking session of a verification sent from a virtual number, else null. */
  sessionId: string | null;
}

/** The outcome of a counted check (decided by the caller from the stored hash). */
export type CheckDecision = 'approved' | 'failed' | 'locked';

export type CheckResult =
  /** The check was counted: attempts includes it. */
  | { kind: 'counted'; outcome: CheckDecision; record: VerificationRecord }
  /** Not counted: not pending (approved, locked, canceled), expired, or no such verification. */
  | { kind: 'refused'; record: VerificationRecord | null };

export type ResendClaim =
  | { kind: 'claimed'; record: VerificationRecord }
  | { kind: 'refused'; record: VerificationRecord | null };

const COLUMNS = `id, tenant_id, to_masked, brand, locale, template, code_length, ttl_seconds, attempts,
  max_attempts, status, expires_at, last_sent_at, send_count, message_id, session_id, created_at, updated_at,
  expires_at <= now() AS expired,
  GREATEST(0, ceil(extract(epoch FROM (last_sent_at + make_interval(secs => $RESEND_COOLDOWN) - now())) * 1000))::int
    AS resend_wait_ms`;

interface VerificationRow {
  id: string;
  tenant_id: string;
  to_masked: string;
  brand: string;
  locale: string;
  template: string | null;
  code_length: number;
  ttl_seconds: number;
  attempts: number;
  max_attempts: number;
  status: StoredVerificationStatus;
  expires_at: Date;
  last_sent_at: Date;
  send_count: number;
  message_id: string | null;
  session_id: string | null;
  created_at: Date;
  updated_at: Date;
  expired: boolean;
  resend_wait_ms: number;
}

function toRecord(row: VerificationRow): VerificationRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    toMasked: row.to_masked,
    brand: row.brand,
    locale: row.locale,
    template: row.template,
    codeLength: row.code_length,
    ttlSeconds: row.ttl_seconds,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    status: row.status,
    expiresAt: row.expires_at,
    lastSentAt: row.last_sent_at,
    sendCount: row.send_count,
    messageId: row.message_id,
    sessionId: row.session_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expired: row.expired,
    resendWaitMs: row.resend_wait_ms,
  };
}

/**
 * Verifications (docs/verifications.md). Each state change is one transaction that also
 * records its `verification.*` webhook event (webhook_emit: written only when an enabled
 * endpoint of the tenant subscribes). Event data carry ids, counts and the masked number:
 * never the code or the real number.
 */
export class VerificationRepository {
  private readonly columns: string;
  private readonly cooldownSeconds: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly vault: Vault,
    /** The resend cool-down (a number from configuration, written into the statements). */
    resendCooldownMs: number,
  ) {
    this.cooldownSeconds = resendCooldownMs / 1000;
    this.columns = COLUMNS.replace('$RESEND_COOLDOWN', String(this.cooldownSeconds));
  }

  /** Stores a verification whose first message was just accepted; numbers sealed, code hashed. */
  async insert(v: NewVerification): Promise<VerificationRecord> {
    const tv = await this.vault.forTenant(v.tenantId);
    const [toSealed, fromSealed] = VERIFICATION_SEALED_FIELDS.map((f, i) =>
      tv.seal({ recordId: v.id, field: f.field }, [v.to, v.from][i]!),
    );
    const result = await this.pool.query<VerificationRow>(
      `INSERT INTO verifications (id, tenant_id, to_sealed, from_sealed, key_version, to_masked, brand, locale,
                                  template, code_length, ttl_seconds, code_hash, max_attempts, expires_at, message_id,
                                  session_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::int, $12, $13, now() + make_interval(secs => $11::int), $14,
               $15)
       RETURNING ${this.columns}`,
      [
        v.id,
        v.tenantId,
        toSealed,
        fromSealed,
        tv.activeVersion,
        maskAddress(v.to),
        v.brand,
        v.locale,
        v.template,
        v.codeLength,
        v.ttlSeconds,
        v.codeHash,
        v.maxAttempts,
        v.messageId,
        v.sessionId,
      ],
    );
    return toRecord(result.rows[0]!);
  }

  async find(tenantId: string, id: string): Promise<VerificationRecord | null> {
    const result = await this.pool.query<VerificationRow>(
      `SELECT ${this.columns} FROM verifications WHERE id = $1 AND tenant_id = $2`,
      [id, tenantId],
    );
    const row = result.rows[0];
    return row ? toRecord(row) : null;
  }

  /**
   * One check, in one transaction. The attempt is counted first by a single UPDATE that
   * only matches a pending, unexpired verification with attempts left; PostgreSQL
   * re-evaluates that condition on the locked row, so concurrent checks can never count
   * more than max_attempts. The row stays locked until the decision (`decide`, given the
   * stored hash and the attempt count) is written: approved once, locked at the last miss.
   * A pending verification found expired is marked expired (its event emitted once).
   */
  async check(
    tenantId: string,
    id: string,
    decide: (codeHash: Buffer, attempts: number, maxAttempts: number) => CheckDecision,
  ): Promise<CheckResult> {
    return inTransaction(this.pool, async (client) => {
      const counted = await client.query<VerificationRow & { code_hash: Buffer }>(
        `UPDATE verifications SET attempts = attempts + 1, updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND status = 'pending' AND expires_at > now()
           AND attempts < max_attempts
         RETURNING ${this.columns}, code_hash`,
        [id, tenantId],
      );
      const row = counted.rows[0];
      if (!row) return { kind: 'refused', record: await this.expireIfDue(client, tenantId, id) };
      const outcome = decide(row.code_hash, row.attempts, row.max_attempts);
      if (outcome === 'failed') {
        const record = toRecord(row);
        await emit(client, record, 'failed');
        return { kind: 'counted', outcome, record };
      }
      const updated = await client.query<VerificationRow>(
        `UPDATE verifications SET status = $3, updated_at = now() WHERE id = $1 AND tenant_id = $2
         RETURNING ${this.columns}`,
        [id, tenantId, outcome],
      );
      const record = toRecord(updated.rows[0]!);
      await emit(client, record, outcome);
      return { kind: 'counted', outcome, record };
    });
  }

  /**
   * Claims a resend: one UPDATE that rotates the code hash, counts the send, restarts the
   * validity and the cool-down, only for a pending, unexpired verification whose cool-down
   * has passed and that has sends left (concurrent resends: one wins).
   */
  async claimResend(tenantId: string, id: string, codeHash: Buffer, maxSends: number): Promise<ResendClaim> {
    return inTransaction(this.pool, async (client) => {
      const result = await client.query<VerificationRow>(
        `UPDATE verifications
         SET code_hash = $3, send_count = send_count + 1, last_sent_at = now(), message_id = NULL,
             expires_at = now() + make_interval(secs => ttl_seconds), updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND status = 'pending' AND expires_at > now()
           AND send_count < $4 AND last_sent_at <= now() - make_interval(secs => $5)
         RETURNING ${this.columns}`,
        [id, tenantId, codeHash, maxSends, this.cooldownSeconds],
      );
      const row = result.rows[0];
      if (!row) return { kind: 'refused', record: await this.expireIfDue(client, tenantId, id) };
      return { kind: 'claimed', record: toRecord(row) };
    });
  }

  /** The verification's destination and sender, opened by the vault (to send a resend). */
  async openNumbers(tenantId: string, id: string): Promise<{ to: string; from: string } | null> {
    const result = await this.pool.query<{
      to_sealed: Buffer;
      from_sealed: Buffer;
      key_version: number | null;
    }>('SELECT to_sealed, from_sealed, key_version FROM verifications WHERE id = $1 AND tenant_id = $2', [
      id,
      tenantId,
    ]);
    const row = result.rows[0];
    if (!row) return null;
    const tv = await this.vault.forTenant(tenantId, [row.key_version]);
    const [to, from] = VERIFICATION_SEALED_FIELDS.map((f) =>
      tv.open({ recordId: id, field: f.field }, row[f.column]),
    );
    return { to: to!, from: from! };
  }

  /** Notes the message that carries the current code. */
  async setMessage(tenantId: string, id: string, messageId: string): Promise<void> {
    await this.pool.query(
      'UPDATE verifications SET message_id = $3, updated_at = now() WHERE id = $1 AND tenant_id = $2',
      [id, tenantId, messageId],
    );
  }

  /** Reads the row for a refusal; a pending one past its expiry becomes expired (event once). */
  private async expireIfDue(
    client: pg.PoolClient,
    tenantId: string,
    id: string,
  ): Promise<VerificationRecord | null> {
    const expired = await client.query<VerificationRow>(
      `UPDATE verifications SET status = 'expired', updated_at = now()
       WHERE id = $1 AND tenant_id = $2 AND status = 'pending' AND expires_at <= now()
       RETURNING ${this.columns}`,
      [id, tenantId],
    );
    if (expired.rows[0]) {
      const record = toRecord(expired.rows[0]);
      await emit(client, record, 'expired');
      return record;
    }
    const found = await client.query<VerificationRow>(
      `SELECT ${this.columns} FROM verifications WHERE id = $1 AND tenant_id = $2`,
      [id, tenantId],
    );
    return found.rows[0] ? toRecord(found.rows[0]) : null;
  }
}

/** The `verification.<outcome>` webhook event, once per (verification, outcome, attempt). */
async function emit(
  client: pg.PoolClient,
  record: VerificationRecord,
  outcome: 'approved' | 'failed' | 'locked' | 'expired',
): Promise<void> {
  const data = {
    verificationId: record.id,
    status: record.status,
    to: record.toMasked,
    attempts: record.attempts,
    maxAttempts: record.maxAttempts,
    sendCount: record.sendCount,
    messageId: record.messageId,
  };
  await client.query('SELECT webhook_emit($1, $2, $3, $4::jsonb, $5)', [
    record.tenantId,
    `verification.${outcome}`,
    record.id,
    JSON.stringify(data),
    `verification:${record.id}:${outcome}:${record.attempts}`,
  ]);
}
