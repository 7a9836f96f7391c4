import type pg from 'pg';
import { type RetentionPolicy, RetentionPolicyRepository } from './retention-policy-repository.js';
import { purgeWebhookEvents } from './webhook-purge.js';

/** What one purge did for one tenant (counts only: the audit log records it). */
export interface PurgeReport {
  tenantId: string;
  bodiesAnonymised: number;
  messagesDeleted: number;
  receiptsDeleted: number;
  mappingsPurged: number;
  /** Webhook events deleted with their deliveries and attempts (option `webhookDays`). */
  webhookEventsPurged: number;
  /** Sandbox (ml_test_) messages deleted with their receipts (option `sandboxHours`). */
  sandboxMessagesDeleted: number;
}

/**
 * Extra purge for data other packages own (e.g. masking mappings): given the tenant and
 * the cutoff, removes what is older and returns how many records it touched.
 */
export type MappingPurge = (client: pg.Pool, tenantId: string, olderThan: Date) => Promise<number>;

const emptyReport = (tenantId: string): PurgeReport => ({
  tenantId,
  bodiesAnonymised: 0,
  messagesDeleted: 0,
  receiptsDeleted: 0,
  mappingsPurged: 0,
  webhookEventsPurged: 0,
  sandboxMessagesDeleted: 0,
});

const FINAL = ['delivered', 'undeliverable', 'expired', 'rejected', 'failed'];

/**
 * Applies every tenant's retention policy. Only messages in a final status are touched,
 * so nothing in flight loses its content. Works in batches (short transactions, no long
 * locks); safe to run from several processes at once (each batch is one statement).
 */
export class RetentionPurger {
  private readonly policies: RetentionPolicyRepository;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: {
      batchSize?: number;
      mappingPurges?: readonly MappingPurge[];
      /**
       * Webhook events (with deliveries and attempts) of every tenant are deleted after this
       * many days, except those with a delivery still pending; undefined = kept.
       */
      webhookDays?: number;
      /** Sandbox messages in a final status are deleted this many hours after creation; undefined = by policy only. */
      sandboxHours?: number;
      now?: () => Date;
      /** Called with each tenant's report (e.g. to append an audit event). */
      onPurged?: (report: PurgeReport) => Promise<void>;
    } = {},
  ) {
    this.policies = new RetentionPolicyRepository(pool);
  }

  async run(): Promise<PurgeReport[]> {
    const webhookEvents =
      this.options.webhookDays === undefined
        ? new Map<string, number>()
        : await purgeWebhookEvents(this.pool, this.cutoff(this.options.webhookDays), this.batchSize());
    const sandbox =
      this.options.sandboxHours === undefined
        ? new Map<string, { messages: number; receipts: number }>()
        : await this.purgeSandbox(new Date(this.now().getTime() - this.options.sandboxHours * 3_600_000));
    const policies = new Map((await this.policies.all()).map((p) => [p.tenantId, p]));
    const reports: PurgeReport[] = [];
    for (const tenantId of new Set([...policies.keys(), ...webhookEvents.keys(), ...sandbox.keys()])) {
      const policy = policies.get(tenantId);
      const report = policy ? await this.purgeTenant(policy) : emptyReport(tenantId);
      report.webhookEventsPurged = webhookEvents.get(tenantId) ?? 0;
      report.sandboxMessagesDeleted = sandbox.get(tenantId)?.messages ?? 0;
      report.receiptsDeleted += sandbox.get(tenantId)?.receipts ?? 0;
      const touched =
        report.bodiesAnonymised +
        report.messagesDeleted +
        report.receiptsDeleted +
        report.mappingsPurged +
        report.webhookEventsPurged +
        report.sandboxMessagesDeleted;
      if (touched > 0) {
        await this.options.onPurged?.(report);
        reports.push(report);
      }
    }
    return reports;
  }

  private async purgeTenant(policy: RetentionPolicy): Promise<PurgeReport> {
    const report = emptyReport(policy.tenantId);
    const batch = this.batchSize();
    if (policy.metadataDays !== null) {
      const cutoff = this.cutoff(policy.metadataDays);
      for (;;) {
        const result = await this.pool.query<{ messages: string; receipts: string }>(
          `WITH doomed AS (
             SELECT id FROM messages
             WHERE tenant_id = $1 AND status = ANY($2::text[]) AND created_at < $3
             ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED
           ), gone_receipts AS (
             DELETE FROM receipts r USING doomed d WHERE r.message_id = d.id RETURNING r.id
           ), gone AS (
             DELETE FROM messages m USING doomed d WHERE m.id = d.id RETURNING m.id
           )
           SELECT (SELECT count(*) FROM gone) AS messages, (SELECT count(*) FROM gone_receipts) AS receipts`,
          [policy.tenantId, FINAL, cutoff, batch],
        );
        const row = result.rows[0]!;
        report.messagesDeleted += Number(row.messages);
        report.receiptsDeleted += Number(row.receipts);
        if (Number(row.messages) < batch) break;
      }
    }
    if (policy.bodyDays !== null) {
      const cutoff = this.cutoff(policy.bodyDays);
      for (;;) {
        const result = await this.pool.query(
          `UPDATE messages SET body_sealed = NULL, body = NULL
           WHERE id IN (
             SELECT id FROM messages
             WHERE tenant_id = $1 AND status = ANY($2::text[]) AND created_at < $3
               AND (body_sealed IS NOT NULL OR body IS NOT NULL)
             LIMIT $4 FOR UPDATE SKIP LOCKED)`,
          [policy.tenantId, FINAL, cutoff, batch],
        );
        report.bodiesAnonymised += result.rowCount ?? 0;
        if ((result.rowCount ?? 0) < batch) break;
      }
    }
    if (policy.mappingDays !== null) {
      const cutoff = this.cutoff(policy.mappingDays);
      for (const purge of [purgeMaskingParticipants, ...(this.options.mappingPurges ?? [])]) {
        report.mappingsPurged += await purge(this.pool, policy.tenantId, cutoff);
      }
    }
    return report;
  }

  /** Every tenant's sandbox messages in a final status created before `cutoff`, in batches. */
  private async purgeSandbox(cutoff: Date): Promise<Map<string, { messages: number; receipts: number }>> {
    const counts = new Map<string, { messages: number; receipts: number }>();
    const batch = this.batchSize();
    for (;;) {
      const result = await this.pool.query<{ tenant_id: string; messages: string; receipts: string }>(
        `WITH doomed AS (
           SELECT id, tenant_id FROM messages
           WHERE sandbox AND status = ANY($1::text[]) AND created_at < $2
           LIMIT $3 FOR UPDATE SKIP LOCKED
         ), gone_receipts AS (
           DELETE FROM receipts r USING doomed d WHERE r.message_id = d.id RETURNING d.tenant_id
         ), gone AS (
           DELETE FROM messages m USING doomed d WHERE m.id = d.id RETURNING m.tenant_id
         )
         SELECT g.tenant_id, count(*) AS messages,
                (SELECT count(*) FROM gone_receipts r WHERE r.tenant_id = g.tenant_id) AS receipts
         FROM gone g GROUP BY g.tenant_id`,
        [FINAL, cutoff, batch],
      );
      let deleted = 0;
      for (const row of result.rows) {
        const count = counts.get(row.tenant_id) ?? { messages: 0, receipts: 0 };
        count.messages += Number(row.messages);
        count.receipts += Number(row.receipts);
        counts.set(row.tenant_id, count);
        deleted += Number(row.messages);
      }
      if (deleted < batch) return counts;
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private batchSize(): number {
    return this.options.batchSize ?? 1000;
  }

  private cutoff(days: number): Date {
    return new Date(this.now().getTime() - days * 86_400_000);
  }
}

/**
 * Masking mappings: the participants (sealed real numbers, blind indexes, masked forms)
 * of sessions that closed before the cutoff. Sessions, virtual numbers and events stay,
 * without anyone's number.
 */
export const purgeMaskingParticipants: MappingPurge = async (pool, tenantId, olderThan) => {
  const result = await pool.query(
    `DELETE FROM masking_participants p USING masking_sessions s
     WHERE p.session_id = s.id AND s.tenant_id = $1 AND s.state <> 'active' AND s.closed_at < $2`,
    [tenantId, olderThan],
  );
  return result.rowCount ?? 0;
};
