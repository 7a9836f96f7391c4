import { isUuid, MasklineError, MESSAGE_STATUSES, type MessageStatus } from '@maskline/core';
import type { MessageListKey, MessageListQuery } from '@maskline/storage';
import { z } from 'zod';
import { invalid } from '../http/request-body.js';
import { parseClientReference } from './message-request.js';

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 200;

/** ISO 8601 with a date and a time and an offset (Z or ±hh:mm), e.g. 2026-12-03T07:00:00Z. */
const timestamp = z.iso.datetime({ offset: true });

const listSchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(LIST_DEFAULT_LIMIT),
    cursor: z.string().min(1).max(200).optional(),
    status: z.enum(MESSAGE_STATUSES).optional(),
    created_after: timestamp.optional(),
    created_before: timestamp.optional(),
    client_reference: z.unknown().optional(),
  })
  .strict();

/**
 * GET /v1/messages query. Every refusal is 400 invalid_request naming the parameter in
 * details.field; values are never echoed.
 */
export function parseMessageListQuery(query: unknown): MessageListQuery {
  const parsed = listSchema.safeParse(query ?? {});
  if (!parsed.success) throw invalid(parsed.error);
  const { limit, cursor, status, created_after, created_before } = parsed.data;
  const createdAfter = created_after === undefined ? undefined : new Date(created_after);
  const createdBefore = created_before === undefined ? undefined : new Date(created_before);
  if (createdAfter && createdBefore && createdAfter >= createdBefore) {
    throw new MasklineError('invalid_request', {
      message: 'created_after must be before created_before.',
      details: { field: 'created_after' },
    });
  }
  return {
    limit,
    after: cursor === undefined ? null : decodeCursor(cursor),
    status: status as MessageStatus | undefined,
    createdAfter,
    createdBefore,
    clientReference: parseClientReference(parsed.data.client_reference, 'client_reference'),
  };
}

/**
 * The cursor is opaque to clients: base64url of `v1.<created µs>.<id>`. It says where the
 * previous page ended; the filters are sent again with it.
 */
export function encodeCursor(key: MessageListKey): string {
  return Buffer.from(`v1.${key.createdUs}.${key.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): MessageListKey {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^v1\.(\d{1,19})\.([0-9a-f-]{36})$/.exec(text);
  if (!match || !isUuid(match[2]!)) {
    throw new MasklineError('invalid_request', {
      message: 'cursor is not a cursor this API returned.',
      details: { field: 'cursor' },
    });
  }
  return { createdUs: match[1]!, id: match[2]! };
}
