import type { Message, MessageStatus } from '@maskline/core';
import type pg from 'pg';
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from './message-rows.js';

/** Where a page starts: after the message with this creation time (µs since the epoch) and id. */
export interface MessageListKey {
  createdUs: string;
  id: string;
}

export interface MessageListQuery {
  limit: number;
  after: MessageListKey | null;
  status?: MessageStatus | undefined;
  /** Created at or after this time. */
  createdAfter?: Date | undefined;
  /** Created strictly before this time. */
  createdBefore?: Date | undefined;
  clientReference?: string | undefined;
  /** Sandbox (ml_test_) messages only, or live ones only (absent: live only). */
  sandbox?: boolean | undefined;
}

export interface ListedMessage {
  message: Message;
  masked: { to: string; from: string };
  key: MessageListKey;
}

export interface MessageListPage {
  items: ListedMessage[];
  /** The key of the last item when another page follows, else null. */
  next: MessageListKey | null;
}

/**
 * One page of a tenant's messages, newest first in a stable order: created_at, then id
 * (one group-commit INSERT gives its rows the same created_at). Keyset paging on
 * (created_at, id) through messages_tenant_created_id (or the client_reference index): a
 * page costs `limit + 1` index rows whatever its depth. The key keeps created_at to the
 * microsecond (a JS Date would drop them and skip or repeat rows).
 */
export async function listMessagesOfTenant(
  pool: pg.Pool,
  tenantId: string,
  query: MessageListQuery,
): Promise<MessageListPage> {
  const params: unknown[] = [tenantId];
  // Live and sandbox traffic are listed apart (a partial index serves the sandbox side).
  const where = ['tenant_id = $1', query.sandbox ? 'sandbox' : 'NOT sandbox'];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (query.status !== undefined) add((n) => `status = ${n}`, query.status);
  if (query.createdAfter !== undefined) add((n) => `created_at >= ${n}`, query.createdAfter);
  if (query.createdBefore !== undefined) add((n) => `created_at < ${n}`, query.createdBefore);
  if (query.clientReference !== undefined) add((n) => `client_reference = ${n}`, query.clientReference);
  if (query.after) {
    params.push(query.after.createdUs, query.after.id);
    const us = `$${params.length - 1}`;
    const id = `$${params.length}`;
    where.push(
      `(created_at, id) < (timestamptz 'epoch' + ${us}::bigint * interval '1 microsecond', ${id}::uuid)`,
    );
  }
  params.push(query.limit + 1);
  const result = await pool.query<
    MessageRow & { to_masked: string | null; from_masked: string | null; created_us: string }
  >(
    `SELECT ${MESSAGE_COLUMNS}, to_masked, from_masked,
            (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us
     FROM messages WHERE ${where.join(' AND ')}
     ORDER BY created_at DESC, id DESC
     LIMIT $${params.length}`,
    params,
  );
  const rows = result.rows;
  const items = rows.slice(0, query.limit).map((row) => ({
    message: toMessage(row),
    masked: { to: row.to_masked ?? '', from: row.from_masked ?? '' },
    key: { createdUs: row.created_us, id: row.id },
  }));
  const last = items.at(-1);
  return { items, next: rows.length > query.limit && last ? last.key : null };
}
