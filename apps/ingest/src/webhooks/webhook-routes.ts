import { isUuid, MasklineError } from '@maskline/core';
import type { DeliveryStore, EndpointService, RangeRedelivery } from '@maskline/webhooks';
import type { FastifyInstance } from 'fastify';
import { tenantOf } from '../auth/api-key-auth.js';
import {
  endpointId,
  parseCreateEndpoint,
  parseList,
  parseRedeliverRange,
  parseRotate,
  parseUpdateEndpoint,
} from './webhook-requests.js';

export interface WebhookRoutesDeps {
  endpoints: EndpointService;
  deliveries: DeliveryStore;
  rangeRedelivery: RangeRedelivery;
}

/**
 * The webhook API (docs/webhooks.md). Behind the API-key hook of the enclosing scope: a key
 * sees and changes only its tenant's endpoints. A signing secret is in the answer of create
 * and rotate only.
 */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookRoutesDeps): Promise<void> {
  const { endpoints, deliveries, rangeRedelivery } = deps;

  app.post('/v1/webhooks', async (request, reply) => {
    const { endpoint, secret } = await endpoints.create(tenantOf(request), parseCreateEndpoint(request.body));
    void reply.status(201).header('location', `/v1/webhooks/${endpoint.id}`);
    return { ...endpoint, secret };
  });

  app.get('/v1/webhooks', async (request) => endpoints.list(tenantOf(request), parseList(request.query)));

  app.get<{ Params: { id: string } }>('/v1/webhooks/:id', async (request) =>
    endpoints.get(tenantOf(request), endpointId(request.params.id)),
  );

  app.patch<{ Params: { id: string } }>('/v1/webhooks/:id', async (request) =>
    endpoints.update(tenantOf(request), endpointId(request.params.id), parseUpdateEndpoint(request.body)),
  );

  app.delete<{ Params: { id: string } }>('/v1/webhooks/:id', async (request, reply) => {
    await endpoints.delete(tenantOf(request), endpointId(request.params.id));
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string } }>('/v1/webhooks/:id/rotate-secret', async (request) =>
    endpoints.rotateSecret(tenantOf(request), endpointId(request.params.id), parseRotate(request.body)),
  );

  app.get<{ Params: { id: string } }>('/v1/webhooks/:id/attempts', async (request) => {
    const tenantId = tenantOf(request);
    const id = endpointId(request.params.id);
    await endpoints.get(tenantId, id);
    const { limit, cursor } = parseList(request.query);
    if (cursor !== null && !/^\d{1,19}$/.test(cursor)) {
      throw new MasklineError('invalid_request', {
        message: 'cursor is invalid.',
        details: { field: 'cursor' },
      });
    }
    return deliveries.attempts(tenantId, id, limit, cursor);
  });

  app.post<{ Params: { id: string; eventId: string } }>(
    '/v1/webhooks/:id/events/:eventId/redeliver',
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const id = endpointId(request.params.id);
      await endpoints.get(tenantId, id);
      const { eventId } = request.params;
      const deliveryId = isUuid(eventId) ? await deliveries.redeliver(tenantId, id, eventId) : null;
      if (!deliveryId) throw new MasklineError('webhook_event_not_found');
      return reply.status(202).send({ deliveryId, eventId, state: 'pending' });
    },
  );

  app.post<{ Params: { id: string } }>('/v1/webhooks/:id/redeliver', async (request, reply) => {
    const answer = await rangeRedelivery.redeliver(
      tenantOf(request),
      endpointId(request.params.id),
      parseRedeliverRange(request.body),
    );
    return reply.status(202).send(answer);
  });
}
