import { API_KEY_SCOPES } from '@maskline/core';
import { dateTime, list, nullable, object, type RouteGroupDoc, ref, uuid } from '../openapi/operation-doc.js';

const apiKey = {
  id: uuid,
  name: { type: 'string' },
  prefix: { type: 'string' },
  scopes: { type: 'array', items: { enum: [...API_KEY_SCOPES] } },
  createdAt: dateTime,
  lastUsedAt: nullable(dateTime),
  expiresAt: nullable(dateTime),
  revokedAt: nullable(dateTime),
};

/** /v1/api-keys: the tenant's own keys (docs/guides/api-keys.md). */
export const apiKeyDocs: RouteGroupDoc = {
  schemas: { ApiKey: object(apiKey) },
  operations: [
    {
      method: 'POST',
      path: '/v1/api-keys',
      operationId: 'createApiKey',
      summary: 'Create an API key (only with scopes the calling key holds)',
      tag: 'API keys',
      body: {
        ...object(
          {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: { type: 'array', items: { enum: [...API_KEY_SCOPES] } },
            environment: { enum: ['live', 'test'], default: 'live' },
            expiresInDays: nullable({ type: 'integer', minimum: 1 }),
          },
          ['environment', 'expiresInDays'],
        ),
        additionalProperties: false,
      },
      responses: {
        201: {
          description: 'Created; `key` is shown this once.',
          schema: object({ ...apiKey, key: { type: 'string' } }),
          location: true,
        },
      },
      errors: [],
    },
    {
      method: 'GET',
      path: '/v1/api-keys',
      operationId: 'listApiKeys',
      summary: "List the tenant's API keys",
      tag: 'API keys',
      responses: { 200: { description: 'Every key (never a secret).', schema: list(ref('ApiKey')) } },
      errors: [],
    },
    {
      method: 'DELETE',
      path: '/v1/api-keys/:id',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      tag: 'API keys',
      responses: { 204: { description: 'Revoked.' } },
      errors: ['api_key_not_found', 'api_key_self_revoke'],
    },
  ],
};
