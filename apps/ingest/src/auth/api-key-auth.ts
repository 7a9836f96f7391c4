import { MasklineError, type UserRole } from '@maskline/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ApiKeyAuthenticator, allowlistOf } from './api-key-cache.js';
import { verifiedClientCertificateSha256 } from './client-certificate.js';

declare module 'fastify' {
  interface FastifyRequest {
    tenantId?: string;
    /** The API key of the request; absent when a signed-in user makes it. */
    apiKeyId?: string;
    /** What the request may do: its API key's scopes, or its user's role's (see route-scopes.ts). */
    apiKeyScopes?: readonly string[];
    /** Who acts, as audit entries name it: `api_key:<id>` or `user:<id>`. */
    principal?: string;
    /** A signed-in user's role (absent for API keys). */
    userRole?: UserRole;
    /** Made with an ml_test_ key: sandbox traffic (docs/guides/sandbox.md). */
    sandbox?: boolean;
  }
}

/** Authenticates the management sessions of users (`ml_sess_…`), see users/user-service.ts. */
export interface SessionAuthenticator {
  authenticate(token: string): Promise<{
    sessionId: string;
    userId: string;
    tenantId: string;
    role: UserRole;
    scopes: readonly string[];
  } | null>;
}

const SESSION_PREFIX = 'ml_sess_';

/**
 * `Authorization: Bearer <api key>` (or a user's `ml_sess_…` session token); sets
 * request.tenantId, the scopes and the principal. A key with an IP allowlist is refused
 * (403 ip_not_allowed) from a client address (request.ip, see TRUST_PROXY) outside it.
 * A key bound to a client certificate is refused (403 client_certificate_mismatch) unless
 * the connection presented that certificate, verified (mutual TLS).
 * User sessions carry no allowlist: they are bound to a signed-in person, not a host.
 */
export function apiKeyAuth(apiKeys: ApiKeyAuthenticator, sessions?: SessionAuthenticator) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const token = match?.[1];
    if (!token) throw new MasklineError('unauthorized');
    if (sessions && token.startsWith(SESSION_PREFIX)) {
      const user = await sessions.authenticate(token);
      if (!user) throw new MasklineError('unauthorized');
      request.tenantId = user.tenantId;
      request.apiKeyScopes = user.scopes;
      request.principal = `user:${user.userId}`;
      request.userRole = user.role;
      return;
    }
    const key = await apiKeys.authenticate(token);
    if (!key) throw new MasklineError('unauthorized');
    // The key is right but not from here: 403, not 401 (it is no guess to throttle).
    const allowlist = allowlistOf(key);
    if (allowlist && !allowlist.allows(request.ip)) throw new MasklineError('ip_not_allowed');
    if (key.clientCertSha256 && verifiedClientCertificateSha256(request) !== key.clientCertSha256) {
      throw new MasklineError('client_certificate_mismatch');
    }
    request.tenantId = key.tenantId;
    request.apiKeyId = key.keyId;
    request.apiKeyScopes = key.scopes;
    request.principal = `api_key:${key.keyId}`;
    request.sandbox = key.environment === 'test';
  };
}

export function tenantOf(request: FastifyRequest): string {
  if (!request.tenantId) throw new MasklineError('unauthorized');
  return request.tenantId;
}

/** Who the request acts as, for audit entries: `api_key:<id>` or `user:<id>`. */
export function actorOf(request: FastifyRequest): string {
  return request.principal ?? 'api_key:unknown';
}
