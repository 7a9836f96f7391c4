import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { type AuditEntry, type AuditEvent, ChainVerifier, chainHash, GENESIS_HASH } from './audit-chain.js';

const LOCK_KEY = 7_245_002; // "maskline audit append"

interface AuditRow {
  seq: string;
  at: Date;
  tenant_id: string | null;
  actor: string;
  action: string;
  subject: string | null;
  details: AuditEvent['details'];
  prev_hash: Buffer;
  hash: Buffer;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  seq: Number(r.seq),
  at: r.at,
  tenantId: r.tenant_id,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  details: r.details,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface AuditVerification {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string };
  problems: ChainVerifier['problems'];
}

/**
 * The append-only audit log. Appends are serialized by an advisory lock, so the chain is
 * one line even with many processes appending; the table itself refuses UPDATE and DELETE
 * (trigger, and no privilege for the apps' role).
 */
export class AuditLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly chainKey: () => Promise<KeyObject>,
  ) {}

  async append(...events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const key = await this.chainKey();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const last = await client.query<{ seq: string; hash: Buffer }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      );
      let seq = Number(last.rows[0]?.seq ?? 0);
      let prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
      const entries: AuditEntry[] = [];
      for (const event of events) {
        seq += 1;
        const base = { ...event, seq, at: new Date() };
        const hash = chainHash(key, prevHash, base);
        entries.push({ ...base, prevHash, hash });
        prevHash = hash;
      }
      await client.query(
        `INSERT INTO audit_log (seq, at, tenant_id, actor, action, subject, details, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                              $7::jsonb[], $8::bytea[], $9::bytea[])`,
        [
          entries.map((e) => e.seq),
          entries.map((e) => e.at),
          entries.map((e) => e.tenantId),
          entries.map((e) => e.actor),
          entries.map((e) => e.action),
          entries.map((e) => e.subject),
          entries.map((e) => JSON.stringify(e.details)),
          entries.map((e) => e.prevHash),
          entries.map((e) => e.hash),
        ],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** Entries oldest first, optionally of one tenant and action, after sequence number `afterSeq`. */
  async list(
    filter: { tenantId?: string; action?: string; limit?: number; afterSeq?: number } = {},
  ): Promise<AuditEntry[]> {
    const result = await this.pool.query<AuditRow>(
      `SELECT * FROM audit_log WHERE ($1::uuid IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR action = $2)
         AND seq > $4
       ORDER BY seq LIMIT $3`,
      [filter.tenantId ?? null, filter.action ?? null, filter.limit ?? 1000, filter.afterSeq ?? 0],
    );
    return result.rows.map(toEntry);
  }

  /** Re-computes the whole chain, page by page, and names every entry that does not fit. */
  async verify(pageSize = 5000): Promise<AuditVerification> {
    const verifier = new ChainVerifier(await this.chainKey());
    let after = 0;
    for (;;) {
      const page = await this.pool.query<AuditRow>(
        'SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, pageSize],
      );
      for (const row of page.rows) verifier.add(toEntry(row));
      if (page.rows.length < pageSize) break;
      after = Number(page.rows.at(-1)!.seq);
    }
    return {
      ok: verifier.problems.length === 0,
      checked: verifier.checked,
      head: verifier.head(),
      problems: verifier.problems,
    };
  }
}
