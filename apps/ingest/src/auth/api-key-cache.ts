import type { Clock, Logger } from '@maskline/core';
import type { ApiKeyRepository, AuthenticatedKey } from '@maskline/storage';
import { IpAllowlist } from './ip-allowlist.js';

/**
 * A live key, with its IP allowlist parsed once (null: any address). An authenticator
 * that leaves `allowlist` out (the bare repository) has it parsed per request from
 * `allowedCidrs`: never ignored.
 */
export interface AuthenticatedApiKey extends AuthenticatedKey {
  allowlist?: IpAllowlist | null;
}

/** The allowlist of a key as looked up: parsed here, once per lookup, never per request. */
export function withAllowlist(key: AuthenticatedKey | null): AuthenticatedApiKey | null {
  if (!key) return null;
  return { ...key, allowlist: allowlistOf(key) };
}

/** The key's parsed allowlist: the one kept with it, else parsed now (null: any address). */
export function allowlistOf(key: AuthenticatedApiKey): IpAllowlist | null {
  if (key.allowlist !== undefined) return key.allowlist;
  return key.allowedCidrs ? IpAllowlist.of(key.allowedCidrs) : null;
}

export interface ApiKeyAuthenticator {
  authenticate(apiKey: string): Promise<AuthenticatedApiKey | null>;
  /** Drops a key from any cache at once (this replica only), e.g. after revoking it or changing its allowlist. */
  forget?(keyId: string): void;
}

/** last_used_at is written at most once per this interval per key. */
export const LAST_USED_INTERVAL_MS = 60_000;

/**
 * Remembers successful API-key lookups for a short time, so a busy client costs no
 * database round trip per request. Entries are keyed by the key's HMAC digest (the clear
 * key is never kept) and bounded in number; failures are never cached.
 *
 * Revocation bound: a key revoked through this replica's API is dropped at once; revoked
 * anywhere else (another replica, the CLI, SQL) it stops working within `ttlMs`
 * (API_KEY_CACHE_TTL_MS). An expiring key is never honoured past its `expires_at`. A
 * changed IP allowlist applies the same way; each entry keeps its allowlist parsed into a
 * BlockList, so a cached request pays one address check and no parse.
 *
 * Each key's last_used_at is stamped at most once per LAST_USED_INTERVAL_MS, in the
 * background: the request never waits for it and a failed write is only logged.
 */
export class CachedApiKeyAuthenticator implements ApiKeyAuthenticator {
  private readonly entries = new Map<string, { key: AuthenticatedApiKey; expiresAt: number }>();
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly logger?: Logger,
  ) {}

  async authenticate(apiKey: string): Promise<AuthenticatedApiKey | null> {
    const key = await this.lookup(apiKey);
    if (key) this.touch(key.keyId);
    return key;
  }

  forget(keyId: string): void {
    for (const [id, entry] of this.entries) if (entry.key.keyId === keyId) this.entries.delete(id);
  }

  private async lookup(apiKey: string): Promise<AuthenticatedApiKey | null> {
    if (this.ttlMs <= 0) return withAllowlist(await this.repository.authenticate(apiKey));
    const id = this.repository.digest(apiKey).toString('base64');
    const now = this.clock.now().getTime();
    const hit = this.entries.get(id);
    if (hit && hit.expiresAt > now) return hit.key;
    if (hit) this.entries.delete(id);
    const key = withAllowlist(await this.repository.authenticate(apiKey));
    if (key) {
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      const keyExpiry = key.expiresAt ? key.expiresAt.getTime() : Number.POSITIVE_INFINITY;
      this.entries.set(id, { key, expiresAt: Math.min(now + this.ttlMs, keyExpiry) });
    }
    return key;
  }

  private touch(keyId: string): void {
    const now = this.clock.now().getTime();
    const last = this.lastTouched.get(keyId);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    if (last === undefined && this.lastTouched.size >= this.maxEntries) {
      const oldest = this.lastTouched.keys().next().value;
      if (oldest !== undefined) this.lastTouched.delete(oldest);
    }
    this.lastTouched.delete(keyId);
    this.lastTouched.set(keyId, now);
    this.repository
      .touch([keyId])
      .catch((error: unknown) => this.logger?.warn({ err: error }, 'api key last_used_at not written'));
  }
}
