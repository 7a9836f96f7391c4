import { isUuid, MasklineError } from '@maskline/core';
import {
  type EndpointPatch,
  type NewEndpoint,
  type RangeRedeliverRequest,
  REDELIVER_MAX_PER_CALL,
} from '@maskline/webhooks';
import { z } from 'zod';
import { invalid, object } from '../http/request-body.js';

const url = z.string().min(1).max(2_048);
const eventTypes = z.array(z.string().max(64)).min(1).max(32);

const createSchema = z
  .object({
    url,
    eventTypes,
    includeInboundBody: z.boolean().default(false),
    description: z.string().max(200).nullable().optional(),
    maxConcurrency: z.number().int().min(1).max(64).default(4),
    timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
  })
  .strict();

const updateSchema = z
  .object({
    url: url.optional(),
    eventTypes: eventTypes.optional(),
    includeInboundBody: z.boolean().optional(),
    description: z.string().max(200).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const rotateSchema = z
  .object({
    /** How long the previous secret keeps signing (0 = stop now; at most 7 days). */
    previousSecretValidSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(86_400),
  })
  .strict();

const redeliverSchema = z
  .object({
    from: z.string().max(64),
    to: z.string().max(64),
    states: z
      .array(z.enum(['dead', 'delivered']))
      .min(1)
      .max(2)
      .optional(),
    limit: z.number().int().min(1).max(REDELIVER_MAX_PER_CALL).optional(),
    cursor: z.string().max(200).nullable().optional(),
  })
  .strict();

const listSchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(40).optional(),
  })
  .strict();

export function parseCreateEndpoint(input: unknown): NewEndpoint {
  const parsed = createSchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

export function parseUpdateEndpoint(input: unknown): EndpointPatch {
  const parsed = updateSchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

export function parseRotate(input: unknown): number {
  const parsed = rotateSchema.safeParse(object(input ?? {}));
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data.previousSecretValidSeconds * 1_000;
}

export function parseRedeliverRange(input: unknown): RangeRedeliverRequest {
  const parsed = redeliverSchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

export function parseList(query: unknown): { limit: number; cursor: string | null } {
  const parsed = listSchema.safeParse(query ?? {});
  if (!parsed.success) throw invalid(parsed.error);
  return { limit: parsed.data.limit, cursor: parsed.data.cursor ?? null };
}

export function endpointId(value: string): string {
  if (!isUuid(value)) throw new MasklineError('webhook_not_found');
  return value;
}
