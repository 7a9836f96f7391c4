import { MasklineError } from '@maskline/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyAuthenticator } from './api-key-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    tenantId?: string;
    apiKeyId?: string;
    /** The scopes of the request's API key (see route-scopes.ts). */
    apiKeyScopes?: readonly string[];
  }
}

/** `Authorization: Bearer <api key>`; sets request.tenantId, apiKeyId and apiKeyScopes. */
export function apiKeyAuth(apiKeys: ApiKeyAuthenticator) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new MasklineError('unauthorized');
    const key = await apiKeys.authenticate(match[1]);
    if (!key) throw new MasklineError('unauthorized');
    request.tenantId = key.tenantId;
    request.apiKeyId = key.keyId;
    request.apiKeyScopes = key.scopes;
  };
}

export function tenantOf(request: FastifyRequest): string {
  if (!request.tenantId) throw new MasklineError('unauthorized');
  return request.tenantId;
}
