import {
  type CarrierAnswer,
  ItemFailure,
  itemFailure,
  type MasklineError,
  type Message,
  type MessageContent,
  predecessorsOf,
  type TenantVault,
  type TerminalStatus,
  toMasklineError,
  type Vault,
} from '@maskline/core';
import type pg from 'pg';
import { prepared } from '../prepared.js';
import {
  type InsertOutcome,
  insertAcceptedMessages,
  MESSAGE_SEALED_FIELDS,
  type NewMessage,
} from './message-inserts.js';
import { listMessagesOfTenant, type MessageListPage, type MessageListQuery } from './message-list.js';
import { markFinalIn, recordCarrierAnswerIn } from './message-outcomes.js';
import { applyReceiptsTo, type ReceiptApplication, type ReceiptMatch } from './message-receipts.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from './message-rows.js';
import { openSealedField } from './sealed-fields.js';
import {
  STATUS_CALLBACK_COLUMNS,
  type StatusWebhookRow,
  StatusWebhooks,
  statusWebhookCte,
} from './status-webhooks.js';

export type { ReceiptApplication, ReceiptMatch } from './message-receipts.js';

export type DeliveryRecord =
  | {
      message: Message;
      content: MessageContent;
      /** The recipient as a vault token (pn_…), for spans and logs. */
      recipientToken: string;
      traceContext: string | null;
    }
  /** The content could not be opened (its key was destroyed, or it failed its integrity check). */
  | { message: Message; content: null; contentError: MasklineError; traceContext: string | null };

export interface SubmittedUpdate {
  id: string;
  carrierMessageId: string;
  segments: number;
  traceContext: string | null;
  /** Every part's carrier id when the message went out in several parts (in order). */
  partIds?: readonly string[];
}

export interface PendingMessage {
  id: string;
  tenantId: string;
  carrierId: string;
  traceContext: string | null;
  /** The batch job it was added in (NULL: its own job, id = message id). */
  deliveryJobId: string | null;
}

interface ContentRow {
  to_sealed: Buffer | null;
  from_sealed: Buffer | null;
  body_sealed: Buffer | null;
  to_number: string | null;
  from_number: string | null;
  body: string | null;
}

/**
 * Messages in Postgres. Every status change is one UPDATE guarded by the state machine
 * (`status = ANY(predecessors)`), so transitions are atomic and monotonic. A statement that
 * finds its rows by id writes that guard as `(status = ANY(…)) IS TRUE` (the same test for a
 * NOT NULL column): PostgreSQL then cannot answer it from the partial index of waiting
 * messages, so the plan stays a primary-key lookup per id however many messages wait (see
 * docs/performance.md, "Plans that survive a backlog"; the receipts' `processed_at IS NULL`
 * and the webhook deliveries' `state = 'pending'` guards follow the same rule). Numbers and
 * body are stored sealed by the vault (bound to the message id) beside masked display
 * forms; they are opened only in loadManyForDelivery, just before the carrier call.
 */
export class MessageRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly vault: Vault,
    /** Where its status statements hand new message.status deliveries (one per process). */
    private readonly statusWebhooks: StatusWebhooks = new StatusWebhooks(),
  ) {}

  /** One accepted message; a failure of its own (e.g. `tenant_keys_destroyed`) is thrown. */
  async insertAccepted(m: NewMessage): Promise<InsertOutcome> {
    const [outcome] = await this.insertManyAccepted([m]);
    if (outcome instanceof ItemFailure) throw outcome.error;
    return outcome!;
  }

  /** Group commit (see insertAcceptedMessages): a message that fails alone is an ItemFailure. */
  insertManyAccepted(ms: readonly NewMessage[]): Promise<(InsertOutcome | ItemFailure)[]> {
    return insertAcceptedMessages(this.pool, this.vault, ms);
  }

  /** The tenant's message; with `sandbox` given, only if it is (not) a sandbox message. */
  async findForTenant(tenantId: string, id: string, sandbox?: boolean): Promise<Message | null> {
    const result = await this.pool.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE id = $1 AND tenant_id = $2 AND ($3::boolean IS NULL OR sandbox = $3)`,
      [id, tenantId, sandbox ?? null],
    );
    return result.rows[0] ? toMessage(result.rows[0]) : null;
  }

  /** One page of the tenant's messages, newest first (GET /v1/messages; see listMessagesOfTenant). */
  async listForTenant(tenantId: string, query: MessageListQuery): Promise<MessageListPage> {
    return listMessagesOfTenant(this.pool, tenantId, query);
  }

  /** Masked numbers for the API view, stored at insert: showing a message decrypts nothing. */
  async findMaskedNumbers(id: string): Promise<{ to: string; from: string } | null> {
    const result = await this.pool.query<{ to_masked: string | null; from_masked: string | null }>(
      `SELECT COALESCE(to_masked, '') AS to_masked, COALESCE(from_masked, '') AS from_masked
       FROM messages WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    return row ? { to: row.to_masked ?? '', from: row.from_masked ?? '' } : null;
  }

  /**
   * Real numbers of a tenant's message, for a reveal the caller has authorized and
   * audited. The body is never revealed.
   */
  async revealNumbers(tenantId: string, id: string): Promise<{ to: string; from: string } | null> {
    const result = await this.pool.query<
      Pick<ContentRow, 'to_sealed' | 'from_sealed' | 'to_number' | 'from_number'> & {
        tenant_id: string;
        key_version: number | null;
      }
    >(
      `SELECT tenant_id, to_sealed, from_sealed, to_number, from_number, key_version
       FROM messages WHERE id = $1 AND tenant_id = $2`,
      [id, tenantId],
    );
    const row = result.rows[0];
    if (!row) return null;
    const vault = (await this.vaultsFor([row])).get(tenantId)!;
    if (vault instanceof ItemFailure) throw vault.error;
    const [toField, fromField] = MESSAGE_SEALED_FIELDS;
    return {
      to: openSealedField(vault, id, row, toField) ?? '',
      from: openSealedField(vault, id, row, fromField) ?? '',
    };
  }

  /** The one read of clear content: by the delivery worker, just before the carrier call. */
  async loadForDelivery(id: string): Promise<DeliveryRecord | null> {
    return (await this.loadManyForDelivery([id]))[0] ?? null;
  }

  /**
   * loadForDelivery for many ids in one query; results in the order of `ids`. A message
   * whose tenant's keys cannot be loaded fails the whole call (see loadEachForDelivery).
   */
  async loadManyForDelivery(ids: readonly string[]): Promise<(DeliveryRecord | null)[]> {
    const each = await this.loadEachForDelivery(ids);
    const failed = each.find((r) => r instanceof ItemFailure);
    if (failed) throw failed.error;
    return each as (DeliveryRecord | null)[];
  }

  /**
   * loadManyForDelivery with failures kept per message, for batches of many tenants.
   * Loading a tenant's keys can fail for passing reasons (database, HSM, a KEK this
   * process cannot reach): that tenant's messages are ItemFailures (their jobs retry) and
   * the other tenants' messages load. A value that does not open is permanent and stays
   * with its row as contentError.
   */
  async loadEachForDelivery(ids: readonly string[]): Promise<(DeliveryRecord | null | ItemFailure)[]> {
    const result = await this.pool.query<
      MessageRow & ContentRow & { trace_context: string | null; key_version: number | null }
    >(
      prepared(
        `SELECT ${MESSAGE_COLUMNS}, to_sealed, from_sealed, body_sealed, to_number, from_number, body, trace_context,
              key_version
       FROM messages WHERE id = ANY($1::uuid[])`,
        [ids],
      ),
    );
    const vaults = await this.vaultsFor(result.rows);
    const byId = new Map(
      result.rows.map((row): [string, DeliveryRecord | ItemFailure] => {
        const vault = vaults.get(row.tenant_id)!;
        if (vault instanceof ItemFailure) return [row.id, vault];
        const message = toMessage(row);
        try {
          const content = openContent(vault, row.id, row);
          const recipientToken = vault.token('pn', content.to);
          return [row.id, { message, content, recipientToken, traceContext: row.trace_context }];
        } catch (error) {
          const contentError = toMasklineError(error, 'vault_unavailable');
          return [row.id, { message, content: null, contentError, traceContext: row.trace_context }];
        }
      }),
    );
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * Each tenant's keys, with the key versions its rows were sealed with (see
   * Vault.forTenant); a tenant whose keys fail to load is an ItemFailure, alone.
   */
  private async vaultsFor(
    rows: readonly { tenant_id: string; key_version?: number | null }[],
  ): Promise<Map<string, TenantVault | ItemFailure>> {
    const versions = new Map<string, Set<number | null>>();
    for (const row of rows) {
      const set = versions.get(row.tenant_id) ?? new Set();
      set.add(row.key_version ?? null);
      versions.set(row.tenant_id, set);
    }
    return new Map(
      await Promise.all(
        [...versions].map(
          async ([t, vs]) => [t, await this.vault.forTenant(t, vs).catch(itemFailure)] as const,
        ),
      ),
    );
  }

  async markSubmitted(
    id: string,
    carrierMessageId: string,
    segments: number,
    traceContext: string | null,
  ): Promise<boolean> {
    return (await this.markManySubmitted([{ id, carrierMessageId, segments, traceContext }]))[0] ?? false;
  }

  /** queued -> submitted for many messages in one statement; true for each row that moved. */
  async markManySubmitted(rows: readonly SubmittedUpdate[]): Promise<boolean[]> {
    // Parts of multipart messages go in with the same statement (one commit), carried on
    // their message's row (a JSON array), so the statement joins nothing to insert them.
    const parts = rows.map((r) => (r.partIds && r.partIds.length > 1 ? JSON.stringify(r.partIds) : null));
    const result = await this.pool.query<{ id: string } & StatusWebhookRow>(
      prepared(
        `WITH moved AS (
         UPDATE messages m SET status = 'submitted', carrier_message_id = u.carrier_message_id,
                segments = u.segments, trace_context = COALESCE(u.trace_context, m.trace_context),
                submitted_at = now(), updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $6::jsonb[])
              AS u(id, carrier_message_id, segments, trace_context, part_ids)
         WHERE m.id = u.id AND (m.status = ANY($5::text[])) IS TRUE
         RETURNING m.id, m.carrier_id, m.tenant_id, m.status, m.error_code, u.part_ids, ${STATUS_CALLBACK_COLUMNS}
       ), parts AS (
         INSERT INTO message_parts (carrier_id, carrier_message_id, message_id, part_index)
         SELECT moved.carrier_id, p.part_id, moved.id, (p.n - 1)::int
         FROM moved CROSS JOIN LATERAL jsonb_array_elements_text(moved.part_ids) WITH ORDINALITY AS p(part_id, n)
         WHERE moved.part_ids IS NOT NULL
         ON CONFLICT DO NOTHING
       ), ${statusWebhookCte('moved', '$7')}
       SELECT id, NULL::uuid[] AS delivery_ids FROM moved
       UNION ALL SELECT NULL, delivery_ids FROM hooks WHERE cardinality(delivery_ids) > 0`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.carrierMessageId),
          rows.map((r) => r.segments),
          rows.map((r) => r.traceContext),
          predecessorsOf('submitted'),
          parts,
          this.statusWebhooks.leaseMs,
        ],
      ),
    );
    const moved = new Set(this.statusWebhooks.pass(result.rows).map((r) => r.id));
    return rows.map((r) => moved.has(r.id));
  }

  /** See markFinalIn: `carrierStatus`, when given, replaces the carrier's last answer on the row. */
  markFinal(
    id: string,
    status: TerminalStatus,
    errorCode: string | null,
    carrierStatus?: CarrierAnswer,
  ): Promise<boolean> {
    return markFinalIn(this.pool, this.statusWebhooks, id, status, errorCode, carrierStatus);
  }

  /** See recordCarrierAnswerIn: the carrier's answer to a failed attempt, kept on the row. */
  recordCarrierAnswer(id: string, answer: CarrierAnswer): Promise<boolean> {
    return recordCarrierAnswerIn(this.pool, id, answer);
  }

  /**
   * Apply a final receipt to the message the carrier id names. Returns null when no
   * submitted message carries that id (yet). Duplicate receipts leave the row unchanged.
   */
  async applyReceipt(
    carrierId: string,
    carrierMessageId: string,
    status: TerminalStatus,
    errorCode: string | null,
  ): Promise<ReceiptMatch | null> {
    return (await this.applyReceipts([{ carrierId, carrierMessageId, status, errorCode }]))[0] ?? null;
  }

  /**
   * applyReceipt for many receipts: see applyReceiptsTo (receipts for parts of multipart
   * messages decide on all parts; others go in batched rounds, first receipt wins).
   */
  applyReceipts(items: readonly ReceiptApplication[]): Promise<(ReceiptMatch | null)[]> {
    return applyReceiptsTo(this.pool, this.statusWebhooks, items);
  }

  /**
   * Messages still waiting for a carrier (accepted/queued) created before the cutoff, in
   * id order after `afterId` (keyset paging over the `messages_pending` index): the
   * reconciler walks them page by page and writes nothing.
   */
  async findPending(olderThanMs: number, afterId: string | null, limit: number): Promise<PendingMessage[]> {
    const result = await this.pool.query<{
      id: string;
      tenant_id: string;
      carrier_id: string;
      trace_context: string | null;
      delivery_job_id: string | null;
    }>(
      `SELECT id, tenant_id, carrier_id, trace_context, delivery_job_id FROM messages
       WHERE status IN ('accepted', 'queued') AND id > $2::uuid
         AND created_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY id LIMIT $3`,
      [olderThanMs, afterId ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return result.rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      carrierId: r.carrier_id,
      traceContext: r.trace_context,
      deliveryJobId: r.delivery_job_id,
    }));
  }
}

/** Opens a message's sealed content; rows written before encryption still carry it in clear. */
function openContent(vault: TenantVault, id: string, row: ContentRow): MessageContent {
  const [to, from, body] = MESSAGE_SEALED_FIELDS.map((f) => openSealedField(vault, id, row, f));
  if (to == null || from == null || body == null) throw new Error(`message ${id} has no content`);
  return { to, from, body };
}
