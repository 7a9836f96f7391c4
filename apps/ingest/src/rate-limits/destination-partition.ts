import { createHmac, type KeyObject } from 'node:crypto';

/** The part of the vault this needs: a tenant's keys, from which a purpose key is derived. */
export interface TenantKeySource {
  forTenant(tenantId: string): Promise<{ derivedKey(info: string): KeyObject }>;
}

/** HKDF info of the key destination counters are named with (a key of its own, see below). */
const PURPOSE = 'maskline rate-limit destination v1';

/**
 * What the per-destination limit counts by: HMAC-SHA256 of the E.164 number under a key
 * derived (HKDF) from the tenant's vault index key for this purpose only, truncated to 128
 * bits, base64url. The number never enters Redis in clear; the counter name cannot be joined
 * with the vault's blind indexes (another key), cannot be recomputed once the tenant's keys
 * are destroyed, and differs between tenants (limits are per tenant and destination).
 */
export class DestinationPartition {
  private readonly keys = new WeakMap<object, KeyObject>();

  constructor(private readonly vault: TenantKeySource) {}

  async of(tenantId: string, e164: string): Promise<string> {
    const tenantVault = await this.vault.forTenant(tenantId);
    let key = this.keys.get(tenantVault);
    if (!key) {
      key = tenantVault.derivedKey(PURPOSE);
      this.keys.set(tenantVault, key);
    }
    return createHmac('sha256', key).update(e164, 'utf8').digest().subarray(0, 16).toString('base64url');
  }
}
