import { carrierIdSchema, isUuid, MasklineError } from '@maskline/core';
import { MESSAGE_KINDS, ROUTE_STRATEGIES, SENDER_TYPES } from '@maskline/routing';
import type { NewRoute } from '@maskline/storage';
import { z } from 'zod';
import { invalid, object } from '../http/request-body.js';

const regionSchema = z.string().regex(/^[a-z0-9-]{1,32}$/);

/** A route's fields as the API and the CLI take them (tenant set by the caller). */
export const routeBodySchema = z
  .object({
    prefix: z
      .string()
      .regex(/^\+?[0-9]{1,15}$/)
      .nullable()
      .default(null),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .nullable()
      .default(null),
    kind: z.enum(MESSAGE_KINDS).nullable().default(null),
    senderType: z.enum(SENDER_TYPES).nullable().default(null),
    carrier: carrierIdSchema,
    priority: z.number().int().min(0).max(1_000_000).default(100),
    weight: z.number().int().min(0).max(1_000_000).default(1),
    strategy: z.enum(ROUTE_STRATEGIES).default('priority'),
    enabled: z.boolean().default(true),
  })
  .strict();

export const priceBodySchema = z
  .object({
    carrier: carrierIdSchema,
    prefix: z
      .string()
      .regex(/^\+?[0-9]{0,15}$/)
      .default(''),
    priceMicros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
  .strict();

const residencySchema = z.object({ allowedRegions: z.array(regionSchema).min(1).max(32) }).strict();

/** Validates a route body; `carriers` (when known) are the ids a route may name. */
export function parseRouteBody(
  input: unknown,
  tenantId: string | null,
  carriers: ReadonlySet<string>,
): NewRoute {
  const parsed = routeBodySchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  const r = parsed.data;
  if (carriers.size > 0 && !carriers.has(r.carrier)) {
    throw new MasklineError('invalid_request', {
      message: 'carrier names no configured carrier.',
      details: { field: 'carrier' },
    });
  }
  return {
    tenantId,
    prefix: r.prefix?.replace(/^\+/, '') ?? null,
    country: r.country?.toUpperCase() ?? null,
    kind: r.kind,
    senderType: r.senderType,
    carrierId: r.carrier,
    priority: r.priority,
    weight: r.weight,
    strategy: r.strategy,
    enabled: r.enabled,
  };
}

export function parseResidency(input: unknown): string[] {
  const parsed = residencySchema.safeParse(object(input));
  if (!parsed.success) throw invalid(parsed.error);
  return [...new Set(parsed.data.allowedRegions)];
}

export function routeId(id: string): string {
  if (!isUuid(id)) throw new MasklineError('route_not_found');
  return id;
}
