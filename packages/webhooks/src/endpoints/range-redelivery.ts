import { isUuid, MasklineError } from '@maskline/core';
import type { DeliveryKey, DeliveryStore } from '../store/delivery-store.js';
import type { EndpointService } from './endpoint-service.js';

/** The widest range one request may redeliver. */
export const REDELIVER_MAX_SPAN_MS = 31 * 86_400_000;
/** The most deliveries one request schedules; the answer's `nextCursor` continues. */
export const REDELIVER_MAX_PER_CALL = 10_000;

export type RedeliverState = 'dead' | 'delivered';

export interface RangeRedeliverRequest {
  /** ISO 8601 with a zone; events recorded at or after it. */
  from: string;
  /** ISO 8601 with a zone; events recorded before it. */
  to: string;
  /** Which finished deliveries to send again (default: the dead ones). Pending ones are never touched. */
  states?: readonly RedeliverState[];
  /** At most this many in this call (default and maximum REDELIVER_MAX_PER_CALL). */
  limit?: number;
  /** `nextCursor` of the previous answer for the same range. */
  cursor?: string | null;
}

export interface RangeRedeliverAnswer {
  scheduled: number;
  /** More deliveries of the range remain: call again with `cursor: nextCursor`. */
  truncated: boolean;
  nextCursor: string | null;
  states: RedeliverState[];
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const KEY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function timeRangeError(field: 'from' | 'to', reason: string): MasklineError {
  return new MasklineError('invalid_time_range', { details: { field, reason } });
}

function parseTime(value: string, field: 'from' | 'to'): Date {
  const ms = ISO.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw timeRangeError(field, 'not_iso_8601');
  return new Date(ms);
}

/** The checked range: ISO times with a zone, from < to, from not in the future, at most 31 days. */
export function checkTimeRange(from: string, to: string, now: number): { from: Date; to: Date } {
  const range = { from: parseTime(from, 'from'), to: parseTime(to, 'to') };
  if (range.to.getTime() <= range.from.getTime()) throw timeRangeError('to', 'not_after_from');
  if (range.from.getTime() > now) throw timeRangeError('from', 'in_future');
  if (range.to.getTime() - range.from.getTime() > REDELIVER_MAX_SPAN_MS)
    throw timeRangeError('to', 'span_too_long');
  return range;
}

export function encodeCursor(key: DeliveryKey): string {
  return Buffer.from(`${key.createdAt} ${key.id}`).toString('base64url');
}

function decodeCursor(cursor: string): DeliveryKey {
  const [createdAt = '', id = '', ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(' ');
  if (rest.length > 0 || !KEY_TIME.test(createdAt) || !isUuid(id)) {
    throw new MasklineError('invalid_request', {
      message: 'cursor is invalid.',
      details: { field: 'cursor' },
    });
  }
  return { createdAt, id };
}

/**
 * "Send again what failed since ...": one endpoint's finished deliveries of events recorded
 * in a time range become pending and due now with a fresh retry window, at most
 * REDELIVER_MAX_PER_CALL per call (one statement each); the dispatcher's sweep sends them.
 */
export class RangeRedelivery {
  constructor(
    private readonly endpoints: Pick<EndpointService, 'get'>,
    private readonly deliveries: Pick<DeliveryStore, 'redeliverRange'>,
    private readonly now: () => number = Date.now,
  ) {}

  async redeliver(
    tenantId: string,
    endpointId: string,
    request: RangeRedeliverRequest,
  ): Promise<RangeRedeliverAnswer> {
    await this.endpoints.get(tenantId, endpointId);
    const { from, to } = checkTimeRange(request.from, request.to, this.now());
    const states = [...new Set(request.states ?? ['dead'])].sort() as RedeliverState[];
    const limit = Math.min(REDELIVER_MAX_PER_CALL, Math.max(1, request.limit ?? REDELIVER_MAX_PER_CALL));
    const after = request.cursor ? decodeCursor(request.cursor) : null;
    const result = await this.deliveries.redeliverRange({
      tenantId,
      endpointId,
      from,
      to,
      states,
      limit,
      after,
    });
    return {
      scheduled: result.scheduled,
      truncated: result.more,
      nextCursor: result.more && result.last ? encodeCursor(result.last) : null,
      states,
    };
  }
}
