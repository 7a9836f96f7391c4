import type { Clock } from '@maskline/core';
import {
  callbackNotRegistered,
  checkStatusCallbackUrl,
  matchStatusCallback,
  type StatusCallback,
  type TargetPolicy,
} from '@maskline/webhooks';

/** Where the tenant's enabled endpoint URLs come from (EndpointStore.enabledUrls). */
export interface EnabledEndpointSource {
  enabledUrls(tenantId: string): Promise<{ id: string; url: string }[]>;
}

interface Entry {
  endpoints: Promise<{ id: string; url: string }[]>;
  loadedAt: number;
}

/**
 * Resolves a request's statusCallback to the tenant's enabled endpoint it lies under
 * (docs/webhooks.md#statuscallback) without a statement per request: each tenant's enabled
 * endpoint URLs are kept for `ttlMs` (bounded to `maxTenants`, oldest dropped first). A URL
 * that matches none of the kept ones is checked once more against a fresh read, so an
 * endpoint created a moment ago is found at once. An endpoint disabled or deleted within
 * the TTL may still match: the status statement only sends to enabled endpoints.
 * Requests without a statusCallback never get here.
 */
export class StatusCallbacks {
  private readonly tenants = new Map<string, Entry>();

  constructor(
    private readonly source: EnabledEndpointSource,
    private readonly policy: TargetPolicy,
    private readonly clock: Clock,
    private readonly ttlMs = 10_000,
    private readonly maxTenants = 10_000,
  ) {}

  /** The callback for `raw`, or 400 invalid_webhook_url / status_callback_not_registered. */
  async resolve(tenantId: string, raw: string): Promise<StatusCallback> {
    const url = checkStatusCallbackUrl(raw, this.policy);
    const now = this.clock.now().getTime();
    let entry = this.tenants.get(tenantId);
    const fresh = !entry || entry.loadedAt + this.ttlMs <= now;
    if (!entry || fresh) entry = this.load(tenantId, now);
    const match = matchStatusCallback(url, await entry.endpoints);
    if (match) return match;
    if (!fresh) {
      const reread = matchStatusCallback(url, await this.load(tenantId, now).endpoints);
      if (reread) return reread;
    }
    throw callbackNotRegistered();
  }

  private load(tenantId: string, now: number): Entry {
    const entry: Entry = { endpoints: this.source.enabledUrls(tenantId), loadedAt: now };
    // A failed read is not kept: the next request reads again.
    entry.endpoints.catch(() => {
      if (this.tenants.get(tenantId) === entry) this.tenants.delete(tenantId);
    });
    this.tenants.delete(tenantId);
    if (this.tenants.size >= this.maxTenants) {
      const oldest = this.tenants.keys().next().value;
      if (oldest !== undefined) this.tenants.delete(oldest);
    }
    this.tenants.set(tenantId, entry);
    return entry;
  }
}
