import { createSecretKey, randomBytes } from 'node:crypto';
import type { SealBinding, Vault } from '@maskline/core';
import { LoadedTenantVault } from '@maskline/vault';

/**
 * The vault's own crypto (LoadedTenantVault: AES-256-GCM bound to the record, HMAC
 * index and tokens) with keys held in memory, for unit tests that run without
 * PostgreSQL. Integration tests use the real PgVault of the test database.
 */
export class TestVault implements Vault {
  private readonly tenants = new Map<string, LoadedTenantVault>();

  async forTenant(tenantId: string): Promise<LoadedTenantVault> {
    let tv = this.tenants.get(tenantId);
    if (!tv) {
      const key = () => createSecretKey(randomBytes(32));
      tv = new LoadedTenantVault(tenantId, new Map([[1, key()]]), 1, key(), key());
      this.tenants.set(tenantId, tv);
    }
    return tv;
  }

  async openFor(tenantId: string, binding: SealBinding, sealed: Buffer): Promise<string> {
    return (await this.forTenant(tenantId)).open(binding, sealed);
  }
}
