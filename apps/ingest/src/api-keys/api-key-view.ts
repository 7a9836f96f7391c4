import type { ApiKeyRecord } from '@maskline/storage';

/** A key as shown by the API and the CLI: never its secret nor its digest. */
export function toApiKeyView(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    allowedCidrs: key.allowedCidrs,
    clientCertificateSha256: key.clientCertSha256,
  };
}
