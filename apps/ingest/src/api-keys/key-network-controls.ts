import type { AuditRecorder } from '@maskline/core';
import type { ApiKeyRecord, ApiKeyRepository } from '@maskline/storage';

/** A change to a key's network controls; an absent field stays as it is, null clears it. */
export interface KeyNetworkChanges {
  allowedCidrs?: readonly string[] | null;
  clientCertSha256?: string | null;
}

/**
 * Applies a key's IP allowlist and certificate binding changes, each audited with its
 * before and after (`api_key.allowlist_changed`, `api_key.certificate_changed`), for the
 * API (PATCH /v1/api-keys/{id}, `tenantId` the caller's) and the operator CLI (`tenantId`
 * null). The key as it now is; null when no such key (of that tenant) exists.
 */
export async function changeKeyNetworkControls(
  deps: {
    repository: Pick<ApiKeyRepository, 'setAllowedCidrs' | 'setClientCertificate'>;
    audit: AuditRecorder;
  },
  key: { id: string; tenantId: string | null },
  actor: string,
  changes: KeyNetworkChanges,
): Promise<ApiKeyRecord | null> {
  let after: ApiKeyRecord | null = null;
  const subject = `api_key:${key.id}`;
  if (changes.allowedCidrs !== undefined) {
    const changed = await deps.repository.setAllowedCidrs(key.id, key.tenantId, changes.allowedCidrs);
    if (!changed) return null;
    after = changed.after;
    await deps.audit.record({
      tenantId: changed.after.tenantId,
      actor,
      action: 'api_key.allowlist_changed',
      subject,
      details: {
        before: changed.before?.join(',') ?? null,
        after: changes.allowedCidrs?.join(',') ?? null,
      },
    });
  }
  if (changes.clientCertSha256 !== undefined) {
    const changed = await deps.repository.setClientCertificate(
      key.id,
      key.tenantId,
      changes.clientCertSha256,
    );
    if (!changed) return null;
    after = changed.after;
    await deps.audit.record({
      tenantId: changed.after.tenantId,
      actor,
      action: 'api_key.certificate_changed',
      subject,
      details: { before: changed.before, after: changes.clientCertSha256 },
    });
  }
  return after;
}
