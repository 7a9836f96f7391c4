import { isUuid, MasklineError } from '@maskline/core';
import {
  CAPABILITIES,
  INBOX_DELIVERIES,
  MASKING_MODES,
  NON_PARTICIPANT_POLICIES,
  type ReserveRequest,
  type SessionState,
} from '@maskline/masking';
import { z } from 'zod';
import { invalid, object } from '../http/request-body.js';

/** Longest and shortest session TTL: one minute to thirty days. Default one hour. */
export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 30 * 24 * 3_600;

const participants = z.array(z.unknown()).max(2);

export const reserveSchema = z
  .object({
    mode: z.enum(MASKING_MODES).default('pair'),
    ttlSeconds: z.number().int().min(MIN_TTL_SECONDS).max(MAX_TTL_SECONDS).default(3_600),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .transform((c) => c.toUpperCase())
      .optional(),
    carrier: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
      .optional(),
    capabilities: z.array(z.enum(CAPABILITIES)).min(1).max(2).default(['sms-mt', 'sms-mo']),
    nonParticipantPolicy: z.enum(NON_PARTICIPANT_POLICIES).default('drop'),
    autoReplyText: z.string().min(1).max(320).optional(),
    inboxDelivery: z.enum(INBOX_DELIVERIES).default('participant'),
    participants: participants.default([]),
  })
  .strict();

export function parseReserveRequest(input: unknown): ReserveRequest {
  const parsed = reserveSchema.safeParse(object(input ?? {}));
  if (!parsed.success) throw invalid(parsed.error);
  const r = parsed.data;
  if (r.autoReplyText !== undefined && r.nonParticipantPolicy !== 'auto_reply') {
    throw new MasklineError('invalid_request', {
      message: 'autoReplyText needs nonParticipantPolicy auto_reply.',
      details: { field: 'autoReplyText' },
    });
  }
  return {
    mode: r.mode,
    ttlSeconds: r.ttlSeconds,
    constraints: {
      country: r.country ?? null,
      carrierId: r.carrier ?? null,
      capabilities: [...new Set(r.capabilities)],
    },
    nonParticipantPolicy: r.nonParticipantPolicy,
    autoReplyText: r.autoReplyText ?? null,
    inboxDelivery: r.inboxDelivery,
    participants: r.participants as string[],
  };
}

export const mapSchema = z.object({ participants: participants.min(1) }).strict();

export function parseMapRequest(input: unknown): string[] {
  const parsed = mapSchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data.participants as string[];
}

const listSchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().refine(isUuid).optional(),
    state: z.enum(['active', 'released', 'expired']).optional(),
    type: z
      .string()
      .regex(/^[a-z_.]{1,64}$/)
      .optional(),
  })
  .strict();

export function parseListQuery(query: unknown): {
  limit: number;
  cursor: string | null;
  state: SessionState | null;
  type: string | null;
} {
  const parsed = listSchema.safeParse(query ?? {});
  if (!parsed.success) throw invalid(parsed.error);
  return {
    limit: parsed.data.limit,
    cursor: parsed.data.cursor ?? null,
    state: parsed.data.state ?? null,
    type: parsed.data.type ?? null,
  };
}

const sendSchema = z.object({ to: z.string().refine(isUuid).optional(), body: z.unknown() }).strict();

/** POST /v1/masking/sessions/{id}/messages: `to` is a participant id, never a number. */
export function parseSessionMessage(
  input: unknown,
  maxBodyChars: number,
): { to: string | null; body: string } {
  const parsed = sendSchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  const { body } = parsed.data;
  if (typeof body !== 'string' || body.length === 0 || [...body].length > maxBodyChars) {
    throw new MasklineError('message_body_invalid', {
      message: `body must be a non-empty string of at most ${maxBodyChars} characters.`,
      details: { field: 'body' },
    });
  }
  return { to: parsed.data.to ?? null, body };
}

const carrierSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/);

export function parseCarrier(value: unknown): string {
  const parsed = carrierSchema.safeParse(value);
  if (!parsed.success) {
    throw new MasklineError('invalid_request', {
      message: 'carrier must be a carrier id (lowercase letters, digits, - and _).',
      details: { field: 'carrier' },
    });
  }
  return parsed.data;
}

const importSchema = z.object({ carrier: z.unknown(), numbers: z.array(z.unknown()).min(1) }).strict();

export function parseJsonImport(input: unknown): { carrier: string; numbers: unknown[] } {
  const parsed = importSchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  return { carrier: parseCarrier(parsed.data.carrier), numbers: parsed.data.numbers };
}
