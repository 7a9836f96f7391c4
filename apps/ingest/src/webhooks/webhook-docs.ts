import { dateTime, list, nullable, object, type RouteGroupDoc, ref, uuid } from '../openapi/operation-doc.js';

const TAG = 'Webhooks';
const endpoint = ref('WebhookEndpoint');
const props = {
  url: { type: 'string', minLength: 1, maxLength: 2048, description: 'https, a public host.' },
  eventTypes: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: 32 },
  includeInboundBody: { type: 'boolean', default: false },
  description: nullable({ type: 'string', maxLength: 200 }),
};

const PAGE = {
  limit: { schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, description: 'Page size.' },
  cursor: { schema: { type: 'string', maxLength: 40 }, description: 'nextCursor of the previous page.' },
};

/** /v1/webhooks and its endpoints' secrets, attempts and redeliveries (docs/webhooks.md). */
export const webhookDocs: RouteGroupDoc = {
  schemas: {
    WebhookEndpoint: {
      ...object({
        id: uuid,
        url: { type: 'string' },
        eventTypes: { type: 'array', items: { type: 'string' } },
        includeInboundBody: { type: 'boolean' },
        description: nullable({ type: 'string' }),
        state: { enum: ['enabled', 'disabled'] },
        disabledReason: nullable({ enum: ['api', 'gone', 'failing'] }),
        disabledAt: nullable(dateTime),
        failingSince: nullable(dateTime),
        maxConcurrency: { type: 'integer' },
        timeoutMs: { type: 'integer' },
        createdAt: dateTime,
        updatedAt: dateTime,
      }),
      description: 'A webhook endpoint (its secret is shown only when created or rotated).',
    },
  },
  operations: [
    {
      method: 'POST',
      path: '/v1/webhooks',
      operationId: 'createWebhook',
      summary: 'Create a webhook endpoint',
      tag: TAG,
      body: {
        ...object(
          {
            ...props,
            maxConcurrency: { type: 'integer', minimum: 1, maximum: 64, default: 4 },
            timeoutMs: { type: 'integer', minimum: 100, maximum: 30000, default: 10000 },
          },
          ['includeInboundBody', 'description', 'maxConcurrency', 'timeoutMs'],
        ),
        additionalProperties: false,
      },
      responses: {
        201: { description: 'Created, with its signing secret.', schema: endpoint, location: true },
      },
      errors: ['invalid_webhook_url', 'invalid_webhook_event_type'],
    },
    {
      method: 'GET',
      path: '/v1/webhooks',
      operationId: 'listWebhooks',
      summary: 'List webhook endpoints',
      tag: TAG,
      query: PAGE,
      responses: { 200: { description: 'One page.', schema: list(endpoint, true) } },
      errors: ['invalid_request'],
    },
    {
      method: 'GET',
      path: '/v1/webhooks/:id',
      operationId: 'getWebhook',
      summary: 'Get a webhook endpoint',
      tag: TAG,
      responses: { 200: { description: 'The endpoint.', schema: endpoint } },
      errors: ['webhook_not_found'],
    },
    {
      method: 'PATCH',
      path: '/v1/webhooks/:id',
      operationId: 'updateWebhook',
      summary: 'Change a webhook endpoint',
      tag: TAG,
      body: {
        type: 'object',
        properties: { ...props, enabled: { type: 'boolean' } },
        additionalProperties: false,
      },
      responses: { 200: { description: 'The endpoint as changed.', schema: endpoint } },
      errors: ['webhook_not_found', 'invalid_webhook_url', 'invalid_webhook_event_type'],
    },
    {
      method: 'DELETE',
      path: '/v1/webhooks/:id',
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook endpoint',
      tag: TAG,
      responses: { 204: { description: 'Deleted.' } },
      errors: ['webhook_not_found'],
    },
    {
      method: 'POST',
      path: '/v1/webhooks/:id/rotate-secret',
      operationId: 'rotateWebhookSecret',
      summary: "Rotate an endpoint's signing secret",
      tag: TAG,
      bodyOptional: true,
      body: {
        type: 'object',
        properties: {
          previousSecretValidSeconds: { type: 'integer', minimum: 0, maximum: 604800, default: 86400 },
        },
        additionalProperties: false,
      },
      responses: { 200: { description: 'The endpoint with its new secret.', schema: endpoint } },
      errors: ['webhook_not_found'],
    },
    {
      method: 'GET',
      path: '/v1/webhooks/:id/attempts',
      operationId: 'listWebhookAttempts',
      summary: "An endpoint's delivery attempts",
      tag: TAG,
      query: PAGE,
      responses: {
        200: {
          description: 'The attempts, newest first.',
          schema: list(
            object({
              id: { type: 'string' },
              deliveryId: { type: 'string' },
              eventId: { type: 'string' },
              eventType: { type: 'string' },
              attempt: { type: 'integer', minimum: 1 },
              statusCode: nullable({ type: 'integer' }),
              latencyMs: { type: 'integer', minimum: 0 },
              errorClass: nullable({ type: 'string' }),
              createdAt: dateTime,
            }),
            true,
          ),
        },
      },
      errors: ['webhook_not_found', 'invalid_request'],
    },
    {
      method: 'POST',
      path: '/v1/webhooks/:id/redeliver',
      operationId: 'redeliverWebhookRange',
      summary: "Redeliver an endpoint's events of a time range",
      tag: TAG,
      body: {
        ...object(
          {
            from: { type: 'string', maxLength: 64, description: 'ISO 8601.' },
            to: { type: 'string', maxLength: 64, description: 'ISO 8601.' },
            states: { type: 'array', items: { enum: ['dead', 'delivered'] }, minItems: 1, maxItems: 2 },
            limit: { type: 'integer', minimum: 1 },
            cursor: nullable({ type: 'string', maxLength: 200 }),
          },
          ['states', 'limit', 'cursor'],
        ),
        additionalProperties: false,
      },
      responses: {
        202: {
          description: 'Queued again; when truncated, call again with cursor: nextCursor.',
          schema: object({
            scheduled: { type: 'integer', minimum: 0 },
            truncated: { type: 'boolean' },
            nextCursor: nullable({ type: 'string' }),
            states: { type: 'array', items: { enum: ['dead', 'delivered'] } },
          }),
        },
      },
      errors: ['webhook_not_found', 'invalid_time_range'],
    },
    {
      method: 'POST',
      path: '/v1/webhooks/:id/events/:eventId/redeliver',
      operationId: 'redeliverWebhookEvent',
      summary: 'Redeliver one event',
      tag: TAG,
      responses: {
        202: {
          description: 'Queued again.',
          schema: object({
            deliveryId: { type: 'string' },
            eventId: { type: 'string' },
            state: { const: 'pending' },
          }),
        },
      },
      errors: ['webhook_not_found', 'webhook_event_not_found'],
    },
  ],
};
