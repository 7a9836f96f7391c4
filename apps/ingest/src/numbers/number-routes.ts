import { carrierIdSchema, isUuid, MasklineError, parseE164 } from '@maskline/core';
import type { TenantNumber, TenantNumberRepository } from '@maskline/storage';
import type { FastifyInstance } from 'fastify';
import { tenantOf } from '../auth/api-key-auth.js';

export interface NumberRoutesDeps {
  numbers: TenantNumberRepository;
}

const KNOWN_FIELDS = new Set(['number', 'carrier', 'label']);

interface RegisterNumber {
  number: string;
  carrier: string | null;
  label: string | null;
}

/** Validates POST /v1/numbers. Errors name the field, never echo its value. */
export function parseRegisterNumber(input: unknown): RegisterNumber {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new MasklineError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new MasklineError('invalid_request', {
        message: `Unknown field: ${key.slice(0, 40)}.`,
        details: { field: key.slice(0, 40) },
      });
    }
  }
  const number = parseE164(record.number, 'number');
  const carrier = record.carrier ?? null;
  if (carrier !== null && !carrierIdSchema.safeParse(carrier).success) {
    throw new MasklineError('invalid_request', {
      message: 'carrier must be a carrier id (lower-case letters, digits, - and _).',
      details: { field: 'carrier' },
    });
  }
  const label = record.label ?? null;
  if (label !== null && (typeof label !== 'string' || label.length === 0 || label.length > 100)) {
    throw new MasklineError('invalid_request', {
      message: 'label must be a string of 1 to 100 characters.',
      details: { field: 'label' },
    });
  }
  return { number, carrier: carrier as string | null, label: label as string | null };
}

const view = (n: TenantNumber) => ({
  id: n.id,
  number: n.number,
  carrier: n.carrierId,
  label: n.label,
  createdAt: n.createdAt.toISOString(),
});

/**
 * The tenant's own numbers (docs/webhooks.md#messageinbound): an inbound message to one of
 * them is a `message.inbound` event for the tenant. Behind the API-key hook of the
 * enclosing scope: a key sees and changes only its tenant's numbers. The numbers are the
 * tenant's business lines, shown clear to their owner.
 */
export async function numberRoutes(app: FastifyInstance, deps: NumberRoutesDeps): Promise<void> {
  app.post('/v1/numbers', async (request, reply) => {
    const body = parseRegisterNumber(request.body);
    const added = await deps.numbers.add(tenantOf(request), body.number, body.carrier, body.label);
    void reply.status(201).header('location', `/v1/numbers/${added.id}`);
    return view(added);
  });

  app.get('/v1/numbers', async (request) => ({
    data: (await deps.numbers.list(tenantOf(request))).map(view),
  }));

  app.delete<{ Params: { id: string } }>('/v1/numbers/:id', async (request, reply) => {
    const id = request.params.id;
    if (!isUuid(id) || !(await deps.numbers.remove(tenantOf(request), id))) {
      throw new MasklineError('number_not_found');
    }
    return reply.status(204).send();
  });
}
