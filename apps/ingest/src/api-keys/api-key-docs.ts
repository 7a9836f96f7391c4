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
  allowedCidrs: nullable({ type: 'array', items: { type: 'string' } }),
  clientCertificateSha256: nullable({ type: 'string', pattern: '^[0-9a-f]{64}$' }),
};

/** SHA-256 fingerprint of a TLS client certificate (colons allowed), or null: no binding. */
const clientCertificateSha256 = nullable({
  type: 'string',
  pattern: '^([0-9a-fA-F]{64}|[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){31})$',
});

/** null: any address; else 1 to 100 IPv4/IPv6 CIDRs (bare address: one host). */
const allowedCidrs = nullable({
  type: 'array',
  items: { type: 'string', maxLength: 64, examples: ['192.0.2.0/24', '2001:db8::/32'] },
  minItems: 1,
  maxItems: 100,
});

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
            allowedCidrs,
            clientCertificateSha256,
          },
          ['environment', 'expiresInDays', 'allowedCidrs', 'clientCertificateSha256'],
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
      errors: ['invalid_cidr'],
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
      method: 'PATCH',
      path: '/v1/api-keys/:id',
      operationId: 'updateApiKey',
      summary: "Replace an API key's IP allowlist and/or client certificate binding (null lifts either)",
      tag: 'API keys',
      body: {
        ...object({ allowedCidrs, clientCertificateSha256 }, ['allowedCidrs', 'clientCertificateSha256']),
        minProperties: 1,
        additionalProperties: false,
      },
      responses: { 200: { description: 'The key as changed.', schema: ref('ApiKey') } },
      errors: ['invalid_cidr', 'api_key_not_found', 'api_key_self_lockout'],
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
