import { type AuditRecorder, type Clock, isUuid, MasklineError, parseScopes } from '@maskline/core';
import type { ApiKeyRepository } from '@maskline/storage';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, tenantOf } from '../auth/api-key-auth.js';
import type { ApiKeyAuthenticator } from '../auth/api-key-cache.js';
import { parseCertificateSha256, verifiedClientCertificateSha256 } from '../auth/client-certificate.js';
import { IpAllowlist, parseAllowedCidrs } from '../auth/ip-allowlist.js';
import { object } from '../http/request-body.js';
import { toApiKeyView } from './api-key-view.js';
import { changeKeyNetworkControls } from './key-network-controls.js';

export interface ApiKeyRoutesDeps {
  repository: ApiKeyRepository;
  /** Told of a revocation, so this replica stops honouring the key at once. */
  authenticator: ApiKeyAuthenticator;
  audit: AuditRecorder;
  clock: Clock;
}

const KNOWN_FIELDS = new Set([
  'name',
  'scopes',
  'environment',
  'expiresInDays',
  'allowedCidrs',
  'clientCertificateSha256',
]);
const UPDATE_FIELDS = new Set(['allowedCidrs', 'clientCertificateSha256']);
const MAX_EXPIRY_DAYS = 3650;

interface CreateKeyRequest {
  name: string;
  scopes: string[];
  environment: 'live' | 'test';
  expiresInDays: number | null;
  /** Canonical CIDRs the key is honoured from (null: any address). */
  allowedCidrs: string[] | null;
  /** The client certificate the key must arrive with (SHA-256 hex; null: none). */
  clientCertSha256: string | null;
}

function bad(field: string, message: string): MasklineError {
  return new MasklineError('invalid_request', { message, details: { field } });
}

/** Validates POST /v1/api-keys. Errors name the field, never echo its value. */
export function parseCreateKey(input: unknown): CreateKeyRequest {
  const body = object(input);
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) throw bad(key.slice(0, 40), `Unknown field: ${key.slice(0, 40)}.`);
  }
  const { name, environment = 'live', expiresInDays = null } = body;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) {
    throw bad('name', 'name must be a string of 1 to 100 characters.');
  }
  if (environment !== 'live' && environment !== 'test')
    throw bad('environment', 'environment must be live or test.');
  if (
    expiresInDays !== null &&
    (typeof expiresInDays !== 'number' ||
      !Number.isInteger(expiresInDays) ||
      expiresInDays < 1 ||
      expiresInDays > MAX_EXPIRY_DAYS)
  ) {
    throw bad('expiresInDays', `expiresInDays must be a whole number from 1 to ${MAX_EXPIRY_DAYS}.`);
  }
  return {
    name: name.trim(),
    scopes: parseScopes(body.scopes),
    environment,
    expiresInDays,
    allowedCidrs: parseAllowedCidrs(body.allowedCidrs ?? null),
    clientCertSha256: parseCertificateSha256(body.clientCertificateSha256 ?? null),
  };
}

/** PATCH /v1/api-keys/{id}: the network controls to replace (a field left out stays as it is). */
export interface UpdateKeyRequest {
  allowedCidrs?: string[] | null;
  clientCertSha256?: string | null;
}

/** Validates PATCH /v1/api-keys/{id}: `allowedCidrs` and/or `clientCertificateSha256`, nothing else. */
export function parseUpdateKey(input: unknown): UpdateKeyRequest {
  const body = object(input);
  for (const key of Object.keys(body)) {
    if (!UPDATE_FIELDS.has(key)) throw bad(key.slice(0, 40), `Unknown field: ${key.slice(0, 40)}.`);
  }
  if (Object.keys(body).length === 0) {
    throw bad('allowedCidrs', 'Give allowedCidrs and/or clientCertificateSha256 (null lifts either).');
  }
  return {
    ...('allowedCidrs' in body ? { allowedCidrs: parseAllowedCidrs(body.allowedCidrs) } : {}),
    ...('clientCertificateSha256' in body
      ? { clientCertSha256: parseCertificateSha256(body.clientCertificateSha256) }
      : {}),
  };
}

/** Whether the calling key, changed so, would refuse the very request changing it. */
function locksOut(request: FastifyRequest, changes: UpdateKeyRequest): boolean {
  if (changes.allowedCidrs && !IpAllowlist.of(changes.allowedCidrs).allows(request.ip)) return true;
  return Boolean(
    changes.clientCertSha256 && changes.clientCertSha256 !== verifiedClientCertificateSha256(request),
  );
}

/**
 * A tenant's own API keys (docs/guides/api-keys.md), behind scope `keys:manage`. A key
 * can grant only scopes it holds itself, and cannot revoke itself (409
 * `api_key_self_revoke`): a tenant cannot lock itself out by mistake, and rotation is
 * create-new, switch, revoke-old. Every change is audited as the acting key.
 */
export async function apiKeyRoutes(app: FastifyInstance, deps: ApiKeyRoutesDeps): Promise<void> {
  app.post('/v1/api-keys', async (request, reply) => {
    const tenantId = tenantOf(request);
    const body = parseCreateKey(request.body);
    const held = request.apiKeyScopes ?? [];
    const beyond = body.scopes.find((s) => !held.includes(s));
    if (beyond) {
      throw new MasklineError('forbidden', {
        message: 'A key can grant only scopes it holds itself.',
        details: { scope: beyond },
      });
    }
    const expiresAt = body.expiresInDays
      ? new Date(deps.clock.now().getTime() + body.expiresInDays * 86_400_000)
      : null;
    const created = await deps.repository.createKey({
      tenantId,
      name: body.name,
      scopes: body.scopes,
      environment: body.environment,
      expiresAt,
      allowedCidrs: body.allowedCidrs,
      clientCertSha256: body.clientCertSha256,
    });
    await deps.audit.record({
      tenantId,
      actor: actorOf(request),
      action: 'api_key.created',
      subject: `api_key:${created.keyId}`,
      details: {
        scopes: body.scopes.join(','),
        environment: body.environment,
        expiresAt: expiresAt?.toISOString() ?? null,
        allowedCidrs: body.allowedCidrs?.join(',') ?? null,
        clientCertificateSha256: body.clientCertSha256,
      },
    });
    void reply.status(201).header('location', `/v1/api-keys/${created.keyId}`);
    return { ...toApiKeyView(created.record), key: created.apiKey };
  });

  app.get('/v1/api-keys', async (request) => ({
    data: (await deps.repository.list(tenantOf(request))).map(toApiKeyView),
  }));

  // A key's network controls: its IP allowlist and its client certificate, each replaced
  // whole (null lifts it). A key may change its own, but not so that the request making the
  // change would be refused (409 api_key_self_lockout).
  app.patch<{ Params: { id: string } }>('/v1/api-keys/:id', async (request) => {
    const tenantId = tenantOf(request);
    const id = request.params.id;
    if (!isUuid(id)) throw new MasklineError('api_key_not_found');
    const changes = parseUpdateKey(request.body);
    if (id === request.apiKeyId && locksOut(request, changes))
      throw new MasklineError('api_key_self_lockout');
    const after = await changeKeyNetworkControls(deps, { id, tenantId }, actorOf(request), changes);
    deps.authenticator.forget?.(id);
    if (!after) throw new MasklineError('api_key_not_found');
    return toApiKeyView(after);
  });

  app.delete<{ Params: { id: string } }>('/v1/api-keys/:id', async (request, reply) => {
    const tenantId = tenantOf(request);
    const id = request.params.id;
    if (!isUuid(id)) throw new MasklineError('api_key_not_found');
    if (id === request.apiKeyId) throw new MasklineError('api_key_self_revoke');
    const outcome = await deps.repository.revoke(id, tenantId);
    if (outcome === 'not_found') throw new MasklineError('api_key_not_found');
    deps.authenticator.forget?.(id);
    if (outcome === 'revoked') {
      await deps.audit.record({
        tenantId,
        actor: actorOf(request),
        action: 'api_key.revoked',
        subject: `api_key:${id}`,
        details: {},
      });
    }
    return reply.status(204).send();
  });
}
