import type pg from 'pg';
import { inTransaction } from '../transaction.js';

/** An SMS-pumping block (docs/verifications.md#sms-pumping). */
export interface VerificationBlock {
  id: string;
  tenantId: string;
  /** The number range: an E.164 number without its last digits. */
  rangePrefix: string;
  country: string | null;
  reason: 'low_completion_rate';
  sends: number;
  approvals: number;
  createdAt: Date;
  expiresAt: Date;
  liftedAt: Date | null;
  liftedBy: string | null;
  /** Computed by the database clock: not lifted and not expired. */
  active: boolean;
}

export interface NewVerificationBlock {
  tenantId: string;
  rangePrefix: string;
  country: string | null;
  sends: number;
  approvals: number;
  blockMs: number;
  /** Data of the `security.alert` webhook event written with the block (no number in clear). */
  alert: Record<string, unknown>;
}

/** Rows are deleted this long after their block ended (the prefix is kept no longer). */
export const ENDED_BLOCK_RETENTION = '1 day';

const COLUMNS = `id, tenant_id, range_prefix, country, reason, sends, approvals, created_at, expires_at,
  lifted_at, lifted_by, (lifted_at IS NULL AND expires_at > now()) AS active`;

interface BlockRow {
  id: string;
  tenant_id: string;
  range_prefix: string;
  country: string | null;
  reason: 'low_completion_rate';
  sends: number;
  approvals: number;
  created_at: Date;
  expires_at: Date;
  lifted_at: Date | null;
  lifted_by: string | null;
  active: boolean;
}

function toBlock(row: BlockRow): VerificationBlock {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    rangePrefix: row.range_prefix,
    country: row.country,
    reason: row.reason,
    sends: row.sends,
    approvals: row.approvals,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    liftedAt: row.lifted_at,
    liftedBy: row.lifted_by,
    active: row.active,
  };
}

/**
 * The SMS-pumping blocks of verification ranges, per tenant. A block and its `security.alert`
 * webhook event are written in one transaction; concurrent detections of the same range
 * (several sends, several ingest processes) serialise on an advisory lock, so a range has
 * at most one active block.
 */
export class VerificationBlockRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The active block of a range, if any: asked by every verification send. */
  async findActive(tenantId: string, rangePrefix: string): Promise<VerificationBlock | null> {
    const result = await this.pool.query<BlockRow>(
      `SELECT ${COLUMNS} FROM verification_blocks
       WHERE tenant_id = $1 AND range_prefix = $2 AND lifted_at IS NULL AND expires_at > now()
       ORDER BY expires_at DESC LIMIT 1`,
      [tenantId, rangePrefix],
    );
    return result.rows[0] ? toBlock(result.rows[0]) : null;
  }

  /**
   * Blocks a range unless it already is: returns the new block, or null when another
   * detection got there first. Also deletes the tenant's blocks that ended more than a day ago.
   */
  async create(b: NewVerificationBlock): Promise<VerificationBlock | null> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 27))', [
        `verification_block:${b.tenantId}:${b.rangePrefix}`,
      ]);
      const existing = await client.query(
        `SELECT 1 FROM verification_blocks
         WHERE tenant_id = $1 AND range_prefix = $2 AND lifted_at IS NULL AND expires_at > now()`,
        [b.tenantId, b.rangePrefix],
      );
      if (existing.rowCount) return null;
      await purgeEnded(client, b.tenantId);
      const inserted = await client.query<BlockRow>(
        `INSERT INTO verification_blocks (tenant_id, range_prefix, country, reason, sends, approvals, expires_at)
         VALUES ($1, $2, $3, 'low_completion_rate', $4, $5, now() + make_interval(secs => $6::double precision))
         RETURNING ${COLUMNS}`,
        [b.tenantId, b.rangePrefix, b.country, b.sends, b.approvals, b.blockMs / 1000],
      );
      const block = toBlock(inserted.rows[0]!);
      await client.query('SELECT webhook_emit($1, $2, $3, $4::jsonb, $5)', [
        b.tenantId,
        'security.alert',
        block.id,
        JSON.stringify({ ...b.alert, blockId: block.id, expiresAt: block.expiresAt.toISOString() }),
        `verification_block:${block.id}`,
      ]);
      return block;
    });
  }

  /** The tenant's blocks, newest first: active ones and those that ended within a day. */
  async list(tenantId: string): Promise<VerificationBlock[]> {
    await purgeEnded(this.pool, tenantId);
    const result = await this.pool.query<BlockRow>(
      `SELECT ${COLUMNS} FROM verification_blocks WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1000`,
      [tenantId],
    );
    return result.rows.map(toBlock);
  }

  async find(tenantId: string, id: string): Promise<VerificationBlock | null> {
    const result = await this.pool.query<BlockRow>(
      `SELECT ${COLUMNS} FROM verification_blocks WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toBlock(result.rows[0]) : null;
  }

  /**
   * Lifts an active block: the lifted block, or null when there is no such block or it had
   * already ended (lifted or expired).
   */
  async lift(tenantId: string, id: string, liftedBy: string): Promise<VerificationBlock | null> {
    const result = await this.pool.query<BlockRow>(
      `UPDATE verification_blocks SET lifted_at = now(), lifted_by = $3
       WHERE tenant_id = $1 AND id = $2 AND lifted_at IS NULL AND expires_at > now()
       RETURNING ${COLUMNS}`,
      [tenantId, id, liftedBy],
    );
    return result.rows[0] ? toBlock(result.rows[0]) : null;
  }
}

async function purgeEnded(db: pg.Pool | pg.PoolClient, tenantId: string): Promise<void> {
  await db.query(
    `DELETE FROM verification_blocks
     WHERE tenant_id = $1 AND COALESCE(lifted_at, expires_at) < now() - interval '${ENDED_BLOCK_RETENTION}'`,
    [tenantId],
  );
}
