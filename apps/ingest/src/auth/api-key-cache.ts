import type { Clock } from '@maskline/core';
import type { ApiKeyRepository, AuthenticatedKey } from '@maskline/storage';

export interface ApiKeyAuthenticator {
  authenticate(apiKey: string): Promise<AuthenticatedKey | null>;
}

/**
 * Remembers successful API-key lookups for a short time, so a busy client costs no
 * database round trip per request. Entries are keyed by the key's HMAC digest (the clear
 * key is never kept) and bounded in number; failures are never cached. A revoked key
 * stops working within `ttlMs`.
 */
export class CachedApiKeyAuthenticator implements ApiKeyAuthenticator {
  private readonly entries = new Map<string, { key: AuthenticatedKey; expiresAt: number }>();

  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async authenticate(apiKey: string): Promise<AuthenticatedKey | null> {
    if (this.ttlMs <= 0) return this.repository.authenticate(apiKey);
    const id = this.repository.digest(apiKey).toString('base64');
    const now = this.clock.now().getTime();
    const hit = this.entries.get(id);
    if (hit && hit.expiresAt > now) return hit.key;
    if (hit) this.entries.delete(id);
    const key = await this.repository.authenticate(apiKey);
    if (key) {
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(id, { key, expiresAt: now + this.ttlMs });
    }
    return key;
  }
}
